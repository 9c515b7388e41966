from flask import current_app
from wtforms import BooleanField, EmailField, IntegerField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError
from wtforms.widgets import HiddenInput

from listserve.core.forms import Form, header_safe


def within_comment_limit(form, field) -> None:
    limit = current_app.config["COMMENT_MAX_LENGTH"]
    if field.data and len(field.data) > limit:
        raise ValidationError(
            f"Comments are limited to {limit} characters; this one has {len(field.data)}."
        )


class CommentForm(Form):
    name = StringField("Your name", validators=[DataRequired(), Length(max=100), header_safe])
    email = EmailField(
        "Your email address", validators=[DataRequired(), Length(max=320), header_safe]
    )
    body = TextAreaField("Your comment", validators=[DataRequired(), within_comment_limit])
    notify_replies = BooleanField("Email me when someone replies to my comment")
    parent_id = IntegerField(widget=HiddenInput(), validators=[Optional()])
    # A honeypot: hidden from people by CSS, filled in by bots.
    website = StringField("Leave this empty", render_kw={"autocomplete": "off", "tabindex": "-1"})


