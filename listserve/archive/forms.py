from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, IntegerField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError
from wtforms.widgets import HiddenInput

from listserve.core.forms import Form, header_safe


def within_comment_limit(form, field) -> None:
    limit = current_app.config["COMMENT_MAX_LENGTH"]
    if field.data and len(field.data) > limit:
        raise ValidationError(
            _("Comments are limited to %(limit)d characters; this one has %(length)d.",
              limit=limit, length=len(field.data))
        )


class CommentForm(Form):
    name = StringField(_l("Your name"), validators=[DataRequired(), Length(max=100), header_safe])
    email = EmailField(
        _l("Your email address"), validators=[DataRequired(), Length(max=320), header_safe]
    )
    body = TextAreaField(_l("Your comment"), validators=[DataRequired(), within_comment_limit])
    notify_replies = BooleanField(_l("Email me when someone replies to my comment"))
    parent_id = IntegerField(widget=HiddenInput(), validators=[Optional()])
    # A honeypot: hidden from people by CSS, filled in by bots.
    website = StringField(_l("Leave this empty"),
                          render_kw={"autocomplete": "off", "tabindex": "-1"})


