from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, StringField
from wtforms.validators import DataRequired, Length

from listserve.forms import header_safe


class SubscribeForm(FlaskForm):
    email = EmailField("Email address", validators=[DataRequired(), Length(max=320), header_safe])
    name = StringField("Name (optional)", validators=[Length(max=200), header_safe])
    # A honeypot: hidden from people by CSS, filled in by bots.
    website = StringField("Leave this empty", render_kw={"autocomplete": "off", "tabindex": "-1"})


class ConfirmForm(FlaskForm):
    pass


class UnsubscribeForm(FlaskForm):
    pass


class EraseForm(FlaskForm):
    really = BooleanField("Yes, erase everything you hold about me", validators=[DataRequired()])
