"""What the API reads and answers (marshmallow; flask-smorest turns them into the OpenAPI
document). Answers are built as plain dicts by the routes: these schemas describe them."""

from flask_smorest.fields import Upload
from marshmallow import Schema, ValidationError, fields, validate
from werkzeug.datastructures import FileStorage

from listserve.api.inputs import Input
from listserve.api.paging import PageQuery, page_schema

Text = fields.String


class MailingListOut(Schema):
    id = fields.Integer(required=True)
    slug = fields.String(required=True)
    name = fields.String(required=True)
    address = fields.String(required=True)
    description = fields.String(required=True)
    announce_only = fields.Boolean(required=True)
    required_approvals = fields.Integer(required=True)


class SubscriberOut(Schema):
    """One person on one list (a subscription); `id` is the subscription's."""

    id = fields.Integer(required=True)
    subscriber_id = fields.Integer(required=True)
    email = fields.String(required=True)
    name = fields.String(required=True)
    list_id = fields.Integer(required=True)
    status = fields.String(required=True, validate=validate.OneOf(
        ["pending", "confirmed", "unsubscribed", "disabled"]))
    requested_at = fields.String(required=True, metadata={"format": "date-time"})
    confirmed_at = fields.String(allow_none=True, required=True)
    unsubscribed_at = fields.String(allow_none=True, required=True)
    bounce_score = fields.Float(required=True)
    language = fields.String(allow_none=True, required=True, metadata={
        "description": "The language of the person's mail; null: the site's default"})


class SubscriberQuery(PageQuery):
    q = fields.String(validate=validate.Length(max=200),
                      metadata={"description": "Part of the address or the name"})
    status = fields.String(validate=validate.OneOf(
        ["pending", "confirmed", "unsubscribed", "disabled"]))
    list_id = fields.Integer(validate=validate.Range(1, 2**31 - 1))


class SubscriberExportQuery(Input):
    q = fields.String(validate=validate.Length(max=200))
    status = fields.String(validate=validate.OneOf(
        ["pending", "confirmed", "unsubscribed", "disabled"]))
    list_id = fields.Integer(validate=validate.Range(1, 2**31 - 1))


class SubscriberCreate(Input):
    email = fields.String(required=True, validate=validate.Length(1, 320))
    name = fields.String(load_default="", validate=validate.Length(max=200))
    list_id = fields.Integer(validate=validate.Range(1, 2**31 - 1))
    consent_source = fields.String(
        required=True, validate=validate.Length(1, 150),
        metadata={"description": "Where the person asked to join (your form, event, CRM)"})
    consent_attested = fields.Boolean(
        load_default=False,
        metadata={"description": "The person already confirmed elsewhere: subscribe without "
                                 "a confirmation mail. Needs the admin scope."})
    language = fields.String(validate=validate.Length(max=8), metadata={
        "description": "The language of the person's mail, one of the site's LANGUAGES "
                       "(en, es); null: the site's default"})


class SubscriberChange(Input):
    name = fields.String(validate=validate.Length(max=200))
    delivery = fields.String(validate=validate.OneOf(["paused", "active"]),
                             metadata={"description": "Pause or resume delivery"})
    language = fields.String(validate=validate.Length(max=8), metadata={
        "description": "The language of the person's mail, one of the site's LANGUAGES "
                       "(en, es); null: the site's default"})


SubscriberPage = page_schema(SubscriberOut, "SubscriberPage")


class RevisionOut(Schema):
    number = fields.Integer(required=True)
    subject = fields.String(required=True)
    body = fields.String(required=True)
    next_steps = fields.String(required=True)
    content_hash = fields.String(required=True)
    author_id = fields.Integer(allow_none=True, required=True)
    created_at = fields.String(required=True)


class AnnouncementOut(Schema):
    id = fields.Integer(required=True)
    list_id = fields.Integer(required=True)
    status = fields.String(required=True)
    author_id = fields.Integer(allow_none=True, required=True)
    subject = fields.String(required=True)
    revision = fields.Nested(RevisionOut, required=True)
    approvals = fields.List(fields.Integer(), required=True,
                            metadata={"description": "Members who approved this revision"})
    approval_hash = fields.String(required=True, metadata={
        "description": "What an approval names (ApprovalIn.content_hash): the revision's "
                       "content_hash, or with translations the hash of every language's version"})
    scheduled_at = fields.String(allow_none=True, required=True)
    sent_at = fields.String(allow_none=True, required=True)
    post_id = fields.Integer(allow_none=True, required=True)


AnnouncementPage = page_schema(AnnouncementOut, "AnnouncementPage")


class AnnouncementDraft(Input):
    subject = fields.String(required=True, validate=validate.Length(1, 998))
    body = fields.String(required=True, validate=validate.Length(1, 200_000))
    next_steps = fields.String(load_default="", validate=validate.Length(max=50_000))


class AnnouncementEdit(Input):
    subject = fields.String(validate=validate.Length(1, 998))
    body = fields.String(validate=validate.Length(1, 200_000))
    next_steps = fields.String(validate=validate.Length(max=50_000))


class ApprovalIn(Input):
    content_hash = fields.String(required=True, validate=validate.Length(64, 64),
                                 metadata={"description": "The revision you reviewed"})


class SendIn(Input):
    reason = fields.String(load_default=None, allow_none=True,
                           validate=validate.Length(max=2000),
                           metadata={"description": "An admin's reason to skip approvals"})


class ScheduleIn(SendIn):
    at = fields.AwareDateTime(required=True, format="iso")


class ProgressOut(Schema):
    state = fields.String(required=True)
    queued = fields.Integer(required=True)
    sent = fields.Integer(required=True)
    failed = fields.Integer(required=True)
    cancelled = fields.Integer(required=True)
    total = fields.Integer(required=True)
    per_minute = fields.Float(allow_none=True, required=True)
    seconds_left = fields.Integer(allow_none=True, required=True)


class PostOut(Schema):
    id = fields.Integer(required=True)
    year = fields.Integer(required=True)
    slug = fields.String(required=True)
    subject = fields.String(required=True)
    url = fields.String(required=True)
    published_at = fields.String(required=True)
    announcement_id = fields.Integer(allow_none=True, required=True)


class PostFull(PostOut):
    body_markdown = fields.String(required=True)
    body_html = fields.String(required=True)


PostPage = page_schema(PostOut, "PostPage")


class CommentOut(Schema):
    id = fields.Integer(required=True)
    post_id = fields.Integer(required=True)
    parent_id = fields.Integer(allow_none=True, required=True)
    author_name = fields.String(required=True)
    body_markdown = fields.String(required=True)
    body_html = fields.String(required=True)
    status = fields.String(required=True)
    created_at = fields.String(required=True)


CommentPage = page_schema(CommentOut, "CommentPage")


class CommentQuery(PageQuery):
    status = fields.String(validate=validate.OneOf(
        ["unverified", "held", "published", "hidden", "deleted"]),
        metadata={"description": "Other than published needs the moderate scope"})
    post_id = fields.Integer(validate=validate.Range(1, 2**31 - 1))


class AuditEventOut(Schema):
    id = fields.Integer(required=True)
    at = fields.String(required=True)
    actor_id = fields.Integer(allow_none=True, required=True)
    actor_label = fields.String(required=True)
    action = fields.String(required=True)
    subject_type = fields.String(required=True)
    subject_id = fields.Integer(allow_none=True, required=True)
    revision_hash = fields.String(allow_none=True, required=True)
    detail = fields.Dict(allow_none=True, required=True)


AuditPage = page_schema(AuditEventOut, "AuditPage")


class AuditQuery(PageQuery):
    subject_type = fields.String(validate=validate.Length(max=40))
    subject_id = fields.Integer(validate=validate.Range(0, 2**31 - 1))


class CsvFile(Upload):
    """A file part of a multipart body (a plain text part in its place is refused)."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, FileStorage):
            raise ValidationError("Send the CSV file as a file part (filename=…).")
        return value


class ImportUpload(Input):
    file = CsvFile(required=True, metadata={
        "description": "UTF-8 CSV; the first line names the columns, one of them 'email' "
                       "(name, status and consent_date are read too)"})
    consent_source = fields.String(
        required=True, validate=validate.Length(1, 150),
        metadata={"description": "Where these people asked to join (kept on every record)"})
    consent_attested = fields.Boolean(
        load_default=False,
        metadata={"description": "They already confirmed elsewhere: import them as they are, "
                                 "with no confirmation mail. Needs the admin scope."})
    list_id = fields.Integer(validate=validate.Range(1, 2**31 - 1),
                             metadata={"description": "The list (default: the default list)"})


class ImportProgress(Schema):
    lines = fields.Integer(required=True, metadata={"description": "Lines after the header"})
    rows_read = fields.Integer(required=True)


class ImportCounts(Schema):
    added = fields.Integer(required=True)
    duplicates = fields.Integer(required=True)
    already_on_list = fields.Integer(required=True)
    erased = fields.Integer(required=True)
    invalid = fields.Integer(required=True)
    confirmations_queued = fields.Integer(required=True)


class LineError(Schema):
    line = fields.Integer(required=True)
    message = fields.String(required=True)


class ImportSummary(Schema):
    id = fields.Integer(required=True)
    state = fields.String(required=True, validate=validate.OneOf(
        ["queued", "running", "done", "failed"]))
    filename = fields.String(required=True)
    list_id = fields.Integer(required=True)
    consent_source = fields.String(required=True)
    attested = fields.Boolean(required=True)
    created_at = fields.String(required=True)
    started_at = fields.String(allow_none=True, required=True)
    finished_at = fields.String(allow_none=True, required=True)
    progress = fields.Nested(ImportProgress, required=True)
    counts = fields.Nested(ImportCounts, required=True)
    failure = fields.String(allow_none=True, required=True,
                            metadata={"description": "Why nothing was imported"})


class ImportOut(ImportSummary):
    errors = fields.List(fields.Nested(LineError), required=True,
                         metadata={"description": "Bad lines, by line number (first 1000)"})
    errors_not_listed = fields.Integer(required=True)


ImportPage = page_schema(ImportSummary, "ImportPage")
