"""Validators shared by every feature's forms."""

from flask import current_app, g, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf import csrf as flask_wtf_csrf
from flask_wtf.csrf import _FlaskFormCSRF
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import RequestEntityTooLarge
from wtforms.csrf.core import CSRFTokenField
from wtforms.validators import ValidationError

from listserve.core.converters import LARGEST_ID
from listserve.core.headers import has_control_characters, is_header_safe
from listserve.core.i18n import wtforms_messages
from listserve.core.signing import generate_csrf, validate_csrf


class ShownTokenField(CSRFTokenField):
    """WTForms' CSRF field, whose token is made when the form is shown rather than when the
    form is made: the same token (core.signing keeps it in g for the request), but a POST
    answered with a redirect, which never shows its form, no longer signs one for nothing."""

    def process(self, *args, **kwargs):
        super(CSRFTokenField, self).process(*args, **kwargs)  # CSRFTokenField's, less the token

    @property
    def current_token(self) -> str:
        return self.csrf_impl.generate_csrf_token(self)


class KeptTokenCSRF(_FlaskFormCSRF):
    """Flask-WTF's form CSRF (checked as ever), with the token made once per request by
    listserve.core.signing and its kept serializer instead of a new serializer each time: the
    same token, for about a quarter of the cost."""

    field_class = ShownTokenField

    def generate_csrf_token(self, csrf_token_field) -> str:
        return generate_csrf()

    def validate_csrf_token(self, form, field) -> None:
        if g.get("csrf_valid", False):
            return  # already checked by CSRFProtect
        try:
            validate_csrf(field.data, self.meta.csrf_secret, self.meta.csrf_time_limit,
                          self.meta.csrf_field_name)
        except ValidationError as e:
            flask_wtf_csrf.logger.info(e.args[0])
            raise


class Form(FlaskForm):
    """Every form of the site.

    One rule for every field of every form, beside each field's own validators: no NUL (no
    database column takes one, PostgreSQL refuses them in text) and no number beyond what an
    integer column holds. A refused field keeps what was typed, with each NUL shown as U+FFFD
    so the person sees where it was, and the form comes back with a message as for any
    other mistake.
    """

    class Meta:
        csrf_class = KeptTokenCSRF

        def get_translations(self, form):
            # Flask-WTF's, with each language's catalogue loaded once (core.i18n).
            if not current_app.config.get("WTF_I18N_ENABLED", True):
                return super().get_translations(form)
            return wtforms_messages

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        for field in self:
            message = storable(field)
            if message:
                field.errors = [*field.errors, message]
                valid = False
        return valid


NUL_MESSAGE = _l("This contains an invisible NUL character (shown as \ufffd); please remove it "
               "and send again.")
NUMBER_MESSAGE = _l("This number is too large.")


def storable(field) -> str | None:
    """Why the field's value cannot be stored as it is, or None. A NUL is replaced in the
    field's data by U+FFFD, so the form shown again holds no NUL byte."""
    data = field.data
    if isinstance(data, str) and "\0" in data:
        field.data = data.replace("\0", "\ufffd")
        return NUL_MESSAGE
    values = data if isinstance(data, list | tuple) else [data]
    if any(isinstance(v, str) and "\0" in v for v in values):
        field.data = [v.replace("\0", "\ufffd") if isinstance(v, str) else v for v in values]
        return NUL_MESSAGE
    if any(isinstance(v, int) and not isinstance(v, bool) and abs(v) > LARGEST_ID
           for v in values):
        return NUMBER_MESSAGE
    return None


def header_safe(form, field) -> None:
    """For any field whose value can reach an email header."""
    if field.data and not is_header_safe(field.data):
        raise ValidationError(_("Please keep this on one line: line breaks are not allowed here."))
    if field.data and has_control_characters(field.data):
        raise ValidationError(_("This contains control characters; please retype it."))


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
