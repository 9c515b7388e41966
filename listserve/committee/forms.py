from zoneinfo import available_timezones

from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

from listserve.committee.models import Role
from listserve.forms import header_safe

ROLE_CHOICES = [(Role.MEMBER.value, "Member"), (Role.ADMIN.value, "Admin")]


class LoginForm(FlaskForm):
    email = EmailField("Email address", validators=[DataRequired(), Length(max=320), header_safe])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=1000)])


class NewPasswordForm(FlaskForm):
    password = PasswordField("New password", validators=[DataRequired(), Length(max=1000)])
    confirm = PasswordField(
        "New password again",
        validators=[DataRequired(), EqualTo("password", message="The two passwords differ.")],
    )


class ChangePasswordForm(NewPasswordForm):
    current = PasswordField("Current password", validators=[DataRequired(), Length(max=1000)])


class ResetRequestForm(FlaskForm):
    email = EmailField("Email address", validators=[DataRequired(), Length(max=320), header_safe])


class InviteForm(FlaskForm):
    email = EmailField("Email address", validators=[DataRequired(), Length(max=320), header_safe])
    name = StringField("Name", validators=[DataRequired(), Length(max=200), header_safe])
    role = SelectField("Role", choices=ROLE_CHOICES, default=Role.MEMBER.value)


class RoleForm(FlaskForm):
    role = SelectField("Role", choices=ROLE_CHOICES)


class ButtonForm(FlaskForm):
    """A form that is only a button (and its CSRF token)."""


class SettingsForm(FlaskForm):
    time_zone = SelectField("Time zone", validators=[DataRequired()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.time_zone.choices = sorted(available_timezones())
