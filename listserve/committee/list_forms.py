"""The settings page's form: what each setting means, in the committee's words.

The checks that matter (ranges, the sender's domain, one-line fields) are the service's
(listserve.committee.list_settings), so the page and the command line refuse the same things.
"""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length

from listserve.core.forms import Form

KIND_CHOICES = [SelectChoice("announce", _l("Announcements: only the committee sends")),
                SelectChoice("discussion", _l("Discussion: subscribers write to the list too"))]
REPLY_TO_CHOICES = [SelectChoice("none", _l("Replies go to the list's sender address")),
                    SelectChoice("list", _l("Replies go to the list (Reply-To: the list)")),
                    SelectChoice("author", _l("Replies go to the author"))]
COMMENT_CHOICES = [SelectChoice("open", _l("Open: verified readers' comments appear at once")),
                   SelectChoice("first_held",
                                _l("A reader's first comment waits for the committee")),
                   SelectChoice("all_held", _l("Every comment waits for the committee")),
                   SelectChoice("closed", _l("Closed: no new comments"))]
NONMEMBER_CHOICES = [SelectChoice("hold", _l("Held for a moderator")),
                     SelectChoice("reject", _l("Sent back with a reason")),
                     SelectChoice("discard", _l("Dropped"))]
ATTACHMENT_CHOICES = [SelectChoice("strip", _l("Left out of the copies, listed in the archive")),
                      SelectChoice("keep", _l("Sent with every copy, listed in the archive")),
                      SelectChoice("hold", _l("A post with attachments waits for a moderator"))]
DIGEST_CHOICES = [SelectChoice("daily", _l("Daily")), SelectChoice("weekly", _l("Weekly"))]


class ListForm(Form):
    slug = StringField(_l("Address (the part before the @)"), validators=[Length(max=64)])
    name = StringField(_l("Name"), validators=[Length(max=200)])
    description = TextAreaField(_l("Description"), validators=[Length(max=5000)])
    public = BooleanField(_l("Shown on the site (visitors may join it)"), default=True)
    kind = SelectField(_l("Kind"), choices=KIND_CHOICES, default="announce")
    from_name = StringField(_l("Sender name (empty: the list's name)"),
                            validators=[Length(max=200)])
    from_address = StringField(_l("Sender address (empty: the list's address)"),
                               validators=[Length(max=320)])
    reply_to_policy = SelectField(_l("Replies"), choices=REPLY_TO_CHOICES, default="none")
    subject_prefix = StringField(_l("Subject prefix, e.g. [News]"), validators=[Length(max=60)])
    required_approvals = StringField(_l("Approvals an announcement needs before it is sent"),
                                     default="1", validators=[Length(max=10)])
    comment_policy = SelectField(_l("Comments in the archive"), choices=COMMENT_CHOICES,
                                 default="open")
    welcome_text = TextAreaField(_l("Welcome text (in the welcome mail)"),
                                 validators=[Length(max=20_000)])
    footer = TextAreaField(_l("Footer (under every announcement)"), validators=[Length(max=5000)])
    consent_text = TextAreaField(_l("Consent text (shown at sign-up, kept with each consent)"),
                                 validators=[Length(max=2000)])
    digest_schedule = SelectField(_l("Digest"), choices=DIGEST_CHOICES, default="weekly")
    moderate_first_posts = StringField(_l("A member's first posts held for a moderator (how many)"),
                                       default="0", validators=[Length(max=10)])
    nonmember_policy = SelectField(_l("Posts from non-members"), choices=NONMEMBER_CHOICES,
                                   default="hold")
    max_message_kb = StringField(_l("Largest post (kB)"), default="512",
                                 validators=[Length(max=10)])
    attachment_policy = SelectField(_l("Attachments"), choices=ATTACHMENT_CHOICES, default="strip")
    held_expiry_days = StringField(_l("Held posts expire after (days)"), default="14",
                                   validators=[Length(max=10)])

    def settings(self) -> dict:
        """The settings as typed, for the service to check."""
        return {name: getattr(self, name).data for name in (
            "name", "description", "public", "kind", "from_name", "from_address",
            "reply_to_policy", "subject_prefix", "required_approvals", "comment_policy",
            "welcome_text", "footer", "consent_text", "digest_schedule",
            "moderate_first_posts", "nonmember_policy", "max_message_kb", "attachment_policy",
            "held_expiry_days")}

    def show_errors(self, errors: dict[str, str]) -> None:
        for name, message in errors.items():
            field = getattr(self, name, None)
            if field is not None:
                field.errors = [*field.errors, message]
