from wtforms import DateField, FieldList, FormField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from listserve.core.forms import Form
from listserve.public.models import NextStepStatus, SectionKind

STEP_STATUSES = [SelectChoice(s.value, s.value) for s in NextStepStatus]
SECTION_KINDS = [SelectChoice(k.value, k.value.title()) for k in SectionKind]


class AimsForm(Form):
    aims = TextAreaField("Aims, one per line, in order", validators=[Length(max=50_000)])


class StepForm(Form):
    class Meta:
        csrf = False  # part of NextStepsForm, which carries the token

    title = StringField("Title", validators=[Length(max=200)])
    status = SelectField("Status", choices=STEP_STATUSES)
    due = DateField("Date", validators=[Optional()])
    owner = StringField("Owner", validators=[Length(max=200)])
    body = TextAreaField("Details", validators=[Length(max=5000)])


class NextStepsForm(Form):
    steps = FieldList(FormField(StepForm), min_entries=1)


class SectionForm(Form):
    title = StringField("Section title", validators=[DataRequired(), Length(max=200)])
    kind = SelectField("Kind", choices=SECTION_KINDS)


class EntryForm(Form):
    name = StringField("Name", validators=[DataRequired(), Length(max=300)])
    url = StringField("Web address", validators=[DataRequired(), Length(max=2000)])
    abbreviation = StringField("Abbreviation", validators=[Length(max=40)])
    sector = StringField("Sector", validators=[Length(max=120)])
    description = TextAreaField("Description", validators=[Length(max=5000)])
