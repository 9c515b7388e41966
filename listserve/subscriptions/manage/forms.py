from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, DateField, DecimalField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from listserve.core.forms import Form, header_safe
from listserve.subscriptions.models import SubscriptionStatus

STATUS_CHOICES = [SelectChoice("", _l("Any status")),
                  SelectChoice(SubscriptionStatus.PENDING.value, _l("Pending")),
                  SelectChoice(SubscriptionStatus.CONFIRMED.value, _l("Confirmed")),
                  SelectChoice(SubscriptionStatus.UNSUBSCRIBED.value, _l("Unsubscribed")),
                  SelectChoice(SubscriptionStatus.DISABLED.value, _l("Disabled"))]


class SearchForm(Form):
    """The subscriber table's filters: read from the query string, so no CSRF token."""

    class Meta:
        csrf = False

    q = StringField(_l("Address or name"), validators=[Optional(), Length(max=320)])
    status = SelectField(_l("Status"), choices=STATUS_CHOICES, default="")
    list_id = SelectField(_l("List"), choices=[SelectChoice("", _l("Every list"))], default="")
    min_bounce = DecimalField(_l("Bounce score at least"), places=None,
                              validators=[Optional(), NumberRange(min=0)])
    subscribed_from = DateField(_l("Subscribed from"), validators=[Optional()])
    subscribed_until = DateField(_l("Subscribed until"), validators=[Optional()])


class ImportForm(Form):
    file = FileField(_l("CSV file"), validators=[FileRequired(_l("Choose a CSV file to import."))])
    consent_source = StringField(
        _l("Where did these people give their consent?"),
        validators=[DataRequired(_l("Say where these people gave their consent.")),
                    Length(max=150), header_safe],
    )
    already_confirmed = BooleanField(
        _l("I attest that these people already confirmed, elsewhere, that they want the "
           "network's announcements: import them as confirmed and send no confirmation mail.")
    )
