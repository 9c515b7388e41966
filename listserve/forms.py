"""Validators shared by every feature's forms."""

from wtforms.validators import ValidationError

from listserve.headers import has_control_characters, is_header_safe


def header_safe(form, field) -> None:
    """For any field whose value can reach an email header."""
    if field.data and not is_header_safe(field.data):
        raise ValidationError("Please keep this on one line: line breaks are not allowed here.")
    if field.data and has_control_characters(field.data):
        raise ValidationError("This contains control characters; please retype it.")
