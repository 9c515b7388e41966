from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, DateField, DecimalField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from listserve.core.forms import Form, header_safe
from listserve.subscriptions.models import SubscriptionStatus

STATUS_CHOICES = [SelectChoice("", "Any status")] + [
    SelectChoice(s.value, s.value.title()) for s in SubscriptionStatus
]


class SearchForm(Form):
    """The subscriber table's filters: read from the query string, so no CSRF token."""

    class Meta:
        csrf = False

    q = StringField("Address or name", validators=[Optional(), Length(max=320)])
    status = SelectField("Status", choices=STATUS_CHOICES, default="")
    list_id = SelectField("List", choices=[SelectChoice("", "Every list")], default="")
    min_bounce = DecimalField("Bounce score at least", places=None,
                              validators=[Optional(), NumberRange(min=0)])
    subscribed_from = DateField("Subscribed from", validators=[Optional()])
    subscribed_until = DateField("Subscribed until", validators=[Optional()])


class ImportForm(Form):
    file = FileField("CSV file", validators=[FileRequired("Choose a CSV file to import.")])
    consent_source = StringField(
        "Where did these people give their consent?",
        validators=[DataRequired("Say where these people gave their consent."),
                    Length(max=150), header_safe],
    )
    already_confirmed = BooleanField(
        "I attest that these people already confirmed, elsewhere, that they want the network's "
        "announcements: import them as confirmed and send no confirmation mail."
    )
