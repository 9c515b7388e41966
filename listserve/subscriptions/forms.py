from typing import NamedTuple

from flask import current_app, g, request
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

from listserve.core.converters import LARGEST_ID
from listserve.core.forms import Form, header_safe
from listserve.core.headers import has_control_characters, is_header_safe

MAX_LISTS = 30
EMAIL_LENGTH, NAME_LENGTH = 320, 200  # the most each field takes (accepted_signup too)
# The ids as the stored request keeps them, comma-separated (signup_request.list_ids).
LIST_IDS_STORED = 200


class CheckboxListField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class SubscribeForm(Form):
    email = EmailField(_l("Email address"),
                       validators=[DataRequired(), Length(max=EMAIL_LENGTH), header_safe])
    name = StringField(_l("Name (optional)"), validators=[Length(max=NAME_LENGTH), header_safe])
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
        if not lists_acceptable(ids):
            raise ValidationError(_("Please tick only lists shown here."))
        field.data = ids


def lists_acceptable(ids: list[int]) -> bool:
    """validate_lists' bounds on the lists ticked (`ids` sorted, without repeats)."""
    return not (len(ids) > MAX_LISTS or any(not 0 < i <= LARGEST_ID for i in ids)
                or len(",".join(map(str, ids))) > LIST_IDS_STORED)


class Signup(NamedTuple):
    """What an accepted subscribe form asks for: SubscribeForm's data after validation."""

    email: str
    name: str | None
    website: str | None  # the honeypot
    list_ids: list[int] | None  # chosen_list_ids()

    @classmethod
    def of(cls, form: SubscribeForm) -> "Signup":
        return cls(form.email.data, form.name.data, form.website.data, form.chosen_list_ids())


def accepted_signup() -> Signup | None:
    """The current POST's sign-up when SubscribeForm would accept it, read from the request's
    form without making the form; None whenever it might not (then the view makes the form,
    whose validation says why, exactly as before).

    Making SubscribeForm binds seven fields and runs their validators, more than a fifth of a
    subscribe POST's CPU (bench/post_cost.py), and a POST that is accepted never shows the
    form. This reads the fields as WTForms does (the first value of each; absent: None) and
    applies the same checks: the email's DataRequired, Length and header_safe, the name's
    Length and header_safe, the lists' int coercion and validate_lists, and Form.validate's
    storable. Anything less usual (no CSRF check done by CSRFProtect, uploaded files, a body
    that is not a form) is left to the form. tests/subscriptions/
    test_signup_fast_path.py checks it against the form on generated input."""
    req = request._get_current_object()
    config = current_app.config
    if req.method != "POST" or (config.get("WTF_CSRF_ENABLED", True)
                                and not g.get("csrf_valid", False)):
        return None
    typed = req.form
    if not typed or req.files:
        return None
    first = {}
    for name in ("email", "name", "website", "choosing",
                 config.get("WTF_CSRF_FIELD_NAME", "csrf_token")):
        value = first[name] = typed.get(name)  # the first one, as WTForms takes it
        if value is not None and "\0" in value:
            return None  # storable's message (the email's: its control characters too)
    email, name = first["email"], first["name"]
    if not (email and email.strip() and len(email) <= EMAIL_LENGTH and is_header_safe(email)
            and not has_control_characters(email)):
        return None
    if name and (len(name) > NAME_LENGTH or not is_header_safe(name)
                 or has_control_characters(name)):
        return None
    try:
        ticked = [int(value) for value in typed.getlist("lists")]
    except (ValueError, TypeError):
        return None
    ids = sorted(set(ticked))
    # (storable's "too large" needs an id beyond LARGEST_ID, which validate_lists refuses.)
    if (first["choosing"] and not ids) or not lists_acceptable(ids):
        return None
    return Signup(email, name, first["website"], ids if first["choosing"] else None)


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
