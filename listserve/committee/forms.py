from zoneinfo import available_timezones

from flask_babel import lazy_gettext as _l
from wtforms import EmailField, PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, EqualTo, Length

from listserve.committee.models import Role
from listserve.core.forms import Form, header_safe

ROLE_CHOICES = [SelectChoice(Role.MEMBER.value, _l("Member")),
                SelectChoice(Role.ADMIN.value, _l("Admin"))]


class LoginForm(Form):
    email = EmailField(_l("Email address"),
                       validators=[DataRequired(), Length(max=320), header_safe])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=1000)])


class NewPasswordForm(Form):
    password = PasswordField(_l("New password"), validators=[DataRequired(), Length(max=1000)])
    confirm = PasswordField(
        _l("New password again"),
        validators=[DataRequired(), EqualTo("password", message=_l("The two passwords differ."))],
    )


class ChangePasswordForm(NewPasswordForm):
    current = PasswordField(_l("Current password"), validators=[DataRequired(), Length(max=1000)])


class ResetRequestForm(Form):
    email = EmailField(_l("Email address"),
                       validators=[DataRequired(), Length(max=320), header_safe])


class InviteForm(Form):
    email = EmailField(_l("Email address"),
                       validators=[DataRequired(), Length(max=320), header_safe])
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200), header_safe])
    role = SelectField(_l("Role"), choices=ROLE_CHOICES, default=Role.MEMBER.value)


class RoleForm(Form):
    role = SelectField(_l("Role"), choices=ROLE_CHOICES)




class SettingsForm(Form):
    time_zone = SelectField(_l("Time zone"), validators=[DataRequired()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.time_zone.choices = sorted(available_timezones())
