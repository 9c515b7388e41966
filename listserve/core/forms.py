"""Validators shared by every feature's forms."""

from flask import request
from flask_wtf import FlaskForm
from flask_wtf.csrf import _FlaskFormCSRF
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import RequestEntityTooLarge
from wtforms.validators import ValidationError

from listserve.core.headers import has_control_characters, is_header_safe
from listserve.core.signing import generate_csrf


class KeptTokenCSRF(_FlaskFormCSRF):
    """Flask-WTF's form CSRF (checked as ever), with the token made once per request by
    listserve.core.signing and its kept serializer instead of a new serializer each time: the
    same token, for about a quarter of the cost."""

    def generate_csrf_token(self, csrf_token_field) -> str:
        return generate_csrf()


class Form(FlaskForm):
    """Every form of the site."""

    class Meta:
        csrf_class = KeptTokenCSRF


def header_safe(form, field) -> None:
    """For any field whose value can reach an email header."""
    if field.data and not is_header_safe(field.data):
        raise ValidationError("Please keep this on one line: line breaks are not allowed here.")
    if field.data and has_control_characters(field.data):
        raise ValidationError("This contains control characters; please retype it.")


def typed_fields() -> MultiDict:
    """What the person typed into the form being answered, to show it again on an error page.

    Empty for a GET, and for a body over MAX_CONTENT_LENGTH (reading it would raise 413 again).
    """
    if request.method != "POST":
        return MultiDict()
    try:
        return request.form
    except RequestEntityTooLarge:
        return MultiDict()


class ButtonForm(Form):
    """A form that is only a button (and its CSRF token)."""
