from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import (
    DateTimeLocalField,
    HiddenField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from listserve.core.forms import Form, header_safe


class CheckboxListField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class DraftForm(Form):
    # The list it goes to, chosen when the draft is written (choices: the lists in use;
    # none sent means the main list).
    list_id = SelectField(_l("List"), coerce=int, validate_choice=False)

    def validate_list_id(self, field) -> None:
        offered = {choice[0] for choice in field.choices or []}
        if field.data is not None and field.data not in offered:
            raise ValidationError(_("Please choose one of the lists shown."))
    subject = StringField(_l("Subject"), validators=[DataRequired(), Length(max=300), header_safe])
    body = TextAreaField(_l("Text (Markdown)"), validators=[DataRequired(), Length(max=200_000)])
    next_steps = TextAreaField(
        _l("Next steps (optional, Markdown)"), validators=[Optional(), Length(max=50_000)]
    )
    pull_steps = CheckboxListField(
        _l("Add items from the public next-steps page"), coerce=int, validate_choice=False
    )


class TranslationForm(Form):
    """One language's version of an announcement (its source is the default-language one)."""

    subject = StringField(_l("Subject"),
                          validators=[DataRequired(), Length(max=300), header_safe])
    body = TextAreaField(_l("Text (Markdown)"),
                         validators=[DataRequired(), Length(max=200_000)])
    next_steps = TextAreaField(_l("Next steps (optional, Markdown)"),
                               validators=[Optional(), Length(max=50_000)])


class ApproveForm(Form):
    revision_hash = HiddenField(validators=[InputRequired(), Length(min=64, max=64)])


class CommentForm(Form):
    body = TextAreaField(_l("Comment"), validators=[DataRequired(), Length(max=20_000)])


class SendForm(Form):
    reason = TextAreaField(
        _l("Reason for sending without the approvals (admins only)"),
        validators=[Optional(), Length(max=2000)],
    )


class ScheduleForm(SendForm):
    when = DateTimeLocalField(_l("Send at"), format="%Y-%m-%dT%H:%M", validators=[DataRequired()])
