"""The committee's API forms: a token, a webhook."""

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, SelectMultipleField, StringField, URLField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length
from wtforms.widgets import CheckboxInput, ListWidget

from listserve.api.models import Scope
from listserve.core.events import EVENTS
from listserve.core.forms import Form, header_safe


class CheckboxListField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


EXPIRIES = [SelectChoice(v, label) for v, label in
            (("30", _l("30 days")), ("90", _l("90 days")), ("365", _l("a year")),
             ("0", _l("never")))]


class TokenForm(Form):
    name = StringField(_l("Name (what the token is for)"),
                       validators=[DataRequired(), Length(max=100), header_safe])
    scopes = CheckboxListField(_l("Scopes"),
                               choices=[SelectChoice(s.value, s.value) for s in Scope],
                               validators=[DataRequired(message=_l("Choose at least one scope."))])
    expires = SelectField(_l("Expires after"), choices=EXPIRIES, default="90")


class WebhookForm(Form):
    url = URLField(_l("URL to POST events to"), validators=[DataRequired(), Length(max=2000)])
    events = CheckboxListField(_l("Events"), choices=[SelectChoice(name, f"{name}: {text}")
                                                  for name, text in EVENTS.items()],
                               validators=[DataRequired(message=_l("Choose at least one event."))])
