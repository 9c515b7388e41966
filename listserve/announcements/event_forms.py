from zoneinfo import available_timezones

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import DateTimeLocalField, EmailField, RadioField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from listserve.announcements.event_models import Answer
from listserve.core.forms import Form, header_safe


class EventForm(Form):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200), header_safe])
    starts = DateTimeLocalField(_l("Starts"), validators=[InputRequired()])
    ends = DateTimeLocalField(_l("Ends"), validators=[InputRequired()])
    time_zone = StringField(_l("Time zone"), validators=[DataRequired(), Length(max=64)])
    place = StringField(_l("Place"), validators=[Optional(), Length(max=300), header_safe])
    online_url = StringField(_l("Online link"), validators=[Optional(), Length(max=500)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=5000)])

    def validate_time_zone(self, field):
        from wtforms.validators import ValidationError

        if field.data not in available_timezones():
            raise ValidationError(_("Please give a time zone such as America/New_York."))


class RsvpForm(Form):
    answer = RadioField(_l("Will you come?"), choices=[
        SelectChoice(Answer.YES.value, _l("Yes")), SelectChoice(Answer.NO.value, _l("No")),
        SelectChoice(Answer.MAYBE.value, _l("Maybe"))], validators=[DataRequired()])
    name = StringField(_l("Your name"), validators=[DataRequired(), Length(max=200), header_safe])
    email = EmailField(_l("Your email address"),
                       validators=[DataRequired(), Length(max=320), header_safe])
    note = TextAreaField(_l("A note for the organisers"), validators=[Optional(), Length(max=1000)])
    # A honeypot: hidden from people by CSS, filled in by bots.
    website = StringField(_l("Leave this empty"))
