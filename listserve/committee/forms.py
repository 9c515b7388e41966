from zoneinfo import available_timezones

from wtforms import EmailField, PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, EqualTo, Length

from listserve.committee.models import Role
from listserve.core.forms import Form, header_safe

ROLE_CHOICES = [SelectChoice(Role.MEMBER.value, "Member"), SelectChoice(Role.ADMIN.value, "Admin")]


class LoginForm(Form):
    email = EmailField("Email address", validators=[DataRequired(), Length(max=320), header_safe])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=1000)])


class NewPasswordForm(Form):
    password = PasswordField("New password", validators=[DataRequired(), Length(max=1000)])
    confirm = PasswordField(
        "New password again",
        validators=[DataRequired(), EqualTo("password", message="The two passwords differ.")],
    )


class ChangePasswordForm(NewPasswordForm):
    current = PasswordField("Current password", validators=[DataRequired(), Length(max=1000)])


class ResetRequestForm(Form):
    email = EmailField("Email address", validators=[DataRequired(), Length(max=320), header_safe])


class InviteForm(Form):
    email = EmailField("Email address", validators=[DataRequired(), Length(max=320), header_safe])
    name = StringField("Name", validators=[DataRequired(), Length(max=200), header_safe])
    role = SelectField("Role", choices=ROLE_CHOICES, default=Role.MEMBER.value)


class RoleForm(Form):
    role = SelectField("Role", choices=ROLE_CHOICES)




class SettingsForm(Form):
    time_zone = SelectField("Time zone", validators=[DataRequired()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.time_zone.choices = sorted(available_timezones())
