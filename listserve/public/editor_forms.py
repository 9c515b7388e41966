from flask_babel import lazy_gettext as _l
from wtforms import DateField, FieldList, FormField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from listserve.core.forms import Form
from listserve.public.models import NextStepStatus, SectionKind

STEP_STATUS_LABELS = {NextStepStatus.PLANNED: _l("planned"),
                      NextStepStatus.UNDER_WAY: _l("under way"), NextStepStatus.DONE: _l("done")}
SECTION_KIND_LABELS = {SectionKind.INTERNATIONAL: _l("International"),
                       SectionKind.NATIONAL: _l("National"), SectionKind.SECTOR: _l("Sector"),
                       SectionKind.OTHER: _l("Other")}
STEP_STATUSES = [SelectChoice(s.value, STEP_STATUS_LABELS.get(s, s.value)) for s in NextStepStatus]
SECTION_KINDS = [SelectChoice(k.value, SECTION_KIND_LABELS.get(k, k.value.title()))
                 for k in SectionKind]


class AimsForm(Form):
    aims = TextAreaField(_l("Aims, one per line, in order"), validators=[Length(max=50_000)])


class StepForm(Form):
    class Meta:
        csrf = False  # part of NextStepsForm, which carries the token

    title = StringField(_l("Title"), validators=[Length(max=200)])
    status = SelectField(_l("Status"), choices=STEP_STATUSES)
    due = DateField(_l("Date"), validators=[Optional()])
    owner = StringField(_l("Owner"), validators=[Length(max=200)])
    body = TextAreaField(_l("Details"), validators=[Length(max=5000)])


class NextStepsForm(Form):
    steps = FieldList(FormField(StepForm), min_entries=1)


class SectionForm(Form):
    title = StringField(_l("Section title"), validators=[DataRequired(), Length(max=200)])
    kind = SelectField(_l("Kind"), choices=SECTION_KINDS)


class EntryForm(Form):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=300)])
    url = StringField(_l("Web address"), validators=[DataRequired(), Length(max=2000)])
    abbreviation = StringField(_l("Abbreviation"), validators=[Length(max=40)])
    sector = StringField(_l("Sector"), validators=[Length(max=120)])
    description = TextAreaField(_l("Description"), validators=[Length(max=5000)])
