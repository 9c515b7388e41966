from wtforms import BooleanField, EmailField, StringField
from wtforms.validators import DataRequired, Length

from listserve.core.forms import Form, header_safe


class SubscribeForm(Form):
    email = EmailField("Email address", validators=[DataRequired(), Length(max=320), header_safe])
    name = StringField("Name (optional)", validators=[Length(max=200), header_safe])
    # A honeypot: hidden from people by CSS, filled in by bots.
    website = StringField("Leave this empty", render_kw={"autocomplete": "off", "tabindex": "-1"})


class ConfirmForm(Form):
    pass


class UnsubscribeForm(Form):
    pass


class EraseForm(Form):
    really = BooleanField("Yes, erase everything you hold about me", validators=[DataRequired()])
