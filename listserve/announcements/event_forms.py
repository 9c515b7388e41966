from zoneinfo import available_timezones

from wtforms import DateTimeLocalField, EmailField, RadioField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from listserve.announcements.event_models import Answer
from listserve.core.forms import Form, header_safe


class EventForm(Form):
    title = StringField("Title", validators=[DataRequired(), Length(max=200), header_safe])
    starts = DateTimeLocalField("Starts", validators=[InputRequired()])
    ends = DateTimeLocalField("Ends", validators=[InputRequired()])
    time_zone = StringField("Time zone", validators=[DataRequired(), Length(max=64)])
    place = StringField("Place", validators=[Optional(), Length(max=300), header_safe])
    online_url = StringField("Online link", validators=[Optional(), Length(max=500)])
    description = TextAreaField("Description", validators=[Optional(), Length(max=5000)])

    def validate_time_zone(self, field):
        from wtforms.validators import ValidationError

        if field.data not in available_timezones():
            raise ValidationError("Please give a time zone such as America/New_York.")


class RsvpForm(Form):
    answer = RadioField("Will you come?", choices=[
        SelectChoice(Answer.YES.value, "Yes"), SelectChoice(Answer.NO.value, "No"),
        SelectChoice(Answer.MAYBE.value, "Maybe")], validators=[DataRequired()])
    name = StringField("Your name", validators=[DataRequired(), Length(max=200), header_safe])
    email = EmailField("Your email address",
                       validators=[DataRequired(), Length(max=320), header_safe])
    note = TextAreaField("A note for the organisers", validators=[Optional(), Length(max=1000)])
    # A honeypot: hidden from people by CSS, filled in by bots.
    website = StringField("Leave this empty")
