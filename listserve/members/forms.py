from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from listserve.core.forms import Form, header_safe
from listserve.members.models import MemberKind
from listserve.members.sectors import SECTORS

SHOWN_CHOICES = [SelectChoice(value, label) for value, label in (
    ("contact_name", _l("Contact person")), ("email", _l("Email address")),
    ("sector", _l("Sector")), ("region", _l("City / region")), ("country", _l("Country")),
    ("website", _l("Website")), ("description", _l("Description")),
    ("affiliation", _l("Affiliation")),
)]
SECTOR_CHOICES = [SelectChoice("", _l("— choose —")),
                  *(SelectChoice(key, label) for key, label in SECTORS.items())]


class CheckboxesField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _line(label: str, limit: int, required: bool = False):
    first = DataRequired() if required else Optional()
    return StringField(label, validators=[first, Length(max=limit), header_safe])


class EntryForm(Form):
    """What a member may change from their personal link."""

    name = _line(_l("Name"), 200, required=True)
    contact_name = _line(_l("Contact person"), 200)
    sector = SelectField(_l("Sector"), choices=SECTOR_CHOICES,
                         validators=[Optional()])
    region = _line(_l("City / region"), 120, required=True)
    country = _line(_l("Country"), 80)
    website = _line(_l("Website"), 500)
    description = TextAreaField(_l("Short description"), validators=[Optional(), Length(max=2000)])
    affiliation = _line(_l("Affiliation"), 200)
    shown_fields = CheckboxesField(_l("Show in the public directory"), choices=SHOWN_CHOICES,
                                   validators=[Optional()])


class SignOnForm(EntryForm):
    kind = RadioField(_l("I join"), choices=[
        SelectChoice(MemberKind.ORGANISATION.value, _l("as an organisation")),
        SelectChoice(MemberKind.INDIVIDUAL.value, _l("as a person"))],
                      default=MemberKind.ORGANISATION.value, validators=[DataRequired()])
    email = EmailField(_l("Email address"), validators=[DataRequired(), Length(max=320),
                                                        header_safe])
    wants_list = BooleanField(_l("Also subscribe me to the network's announcements"))
    agrees = BooleanField(_l("I have read the network's principles above and agree with them"),
                          validators=[DataRequired(_l("Please agree to the network's principles "
                                                      "to join."))])
    principles = HiddenField(validators=[Length(max=64)])
    # A honeypot: hidden from people by CSS, filled in by bots.
    nickname = StringField(_l("Leave this empty"))
