from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.validators import AnyOf, DataRequired, Length, Optional, Regexp, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from listserve.core.forms import Form, header_safe

MAX_LISTS = 30
# The ids as the stored request keeps them, comma-separated (signup_request.list_ids).
LIST_IDS_STORED = 200


class CheckboxListField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class SubscribeForm(Form):
    email = EmailField(_l("Email address"),
                       validators=[DataRequired(), Length(max=320), header_safe])
    name = StringField(_l("Name (optional)"), validators=[Length(max=200), header_safe])
    # A honeypot: hidden from people by CSS, filled in by bots.
    website = StringField(_l("Leave this empty"),
                          render_kw={"autocomplete": "off", "tabindex": "-1"})
    # The public lists. Not checked against the database here: the request stays one INSERT
    # (the worker joins only lists that are public and in use). The footer's short form has
    # no boxes and no "choosing" mark: it joins the main list.
    lists = CheckboxListField(_l("Lists"), coerce=int, validate_choice=False)
    choosing = HiddenField()

    def chosen_list_ids(self) -> list[int] | None:
        """The lists ticked; None for the short form (the main list)."""
        return list(self.lists.data or []) if self.choosing.data else None

    def validate_lists(self, field) -> None:
        if self.choosing.data and not field.data:
            raise ValidationError(_("Please tick at least one list."))
        ids = sorted(set(field.data or []))
        if (len(ids) > MAX_LISTS or any(not 0 < i < 2**31 for i in ids)
                or len(",".join(map(str, ids))) > LIST_IDS_STORED):
            raise ValidationError(_("Please tick only lists shown here."))
        field.data = ids


class ConfirmForm(Form):
    pass


class UnsubscribeForm(Form):
    pass


class EraseForm(Form):
    really = BooleanField(_l("Yes, erase everything you hold about me"),
                          validators=[DataRequired()])


class PreferenceForm(Form):
    """One button on the personal lists page: what to do, and to which list."""

    action = HiddenField(validators=[AnyOf(["join", "leave", "leave_all", "mode", "language"])])
    list_id = HiddenField(validators=[Optional(), Regexp(r"^[0-9]{1,9}$")])
    mode = HiddenField(validators=[Optional(), AnyOf(["each", "digest"])])
    # Choices: the offered languages (set by the view; the site's LANGUAGES).
    language = SelectField(_l("Language of your mail"), validators=[Optional()],
                           validate_choice=True)
