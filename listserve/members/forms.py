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
    ("contact_name", "Contact person"), ("email", "Email address"), ("sector", "Sector"),
    ("region", "City / region"), ("country", "Country"), ("website", "Website"),
    ("description", "Description"), ("affiliation", "Affiliation"),
)]
SECTOR_CHOICES = [SelectChoice("", "— choose —"),
                  *(SelectChoice(key, label) for key, label in SECTORS.items())]


class CheckboxesField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _line(label: str, limit: int, required: bool = False):
    first = DataRequired() if required else Optional()
    return StringField(label, validators=[first, Length(max=limit), header_safe])


class EntryForm(Form):
    """What a member may change from their personal link."""

    name = _line("Name", 200, required=True)
    contact_name = _line("Contact person", 200)
    sector = SelectField("Sector", choices=SECTOR_CHOICES,
                         validators=[Optional()])
    region = _line("City / region", 120, required=True)
    country = _line("Country", 80)
    website = _line("Website", 500)
    description = TextAreaField("Short description", validators=[Optional(), Length(max=2000)])
    affiliation = _line("Affiliation", 200)
    shown_fields = CheckboxesField("Show in the public directory", choices=SHOWN_CHOICES,
                                   validators=[Optional()])


class SignOnForm(EntryForm):
    kind = RadioField("I join", choices=[
        SelectChoice(MemberKind.ORGANISATION.value, "as an organisation"),
        SelectChoice(MemberKind.INDIVIDUAL.value, "as a person")],
                      default=MemberKind.ORGANISATION.value, validators=[DataRequired()])
    email = EmailField("Email address", validators=[DataRequired(), Length(max=320),
                                                    header_safe])
    wants_list = BooleanField("Also subscribe me to the network's announcements")
    agrees = BooleanField("I have read the network's principles above and agree with them",
                          validators=[DataRequired("Please agree to the network's principles "
                                                   "to join.")])
    principles = HiddenField(validators=[Length(max=64)])
    # A honeypot: hidden from people by CSS, filled in by bots.
    nickname = StringField("Leave this empty")
