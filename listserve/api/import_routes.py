"""/imports: a CSV file of subscribers, uploaded (multipart) and imported by the worker with
the committee's own import rules; its progress, counts and bad lines."""

import sqlalchemy as sa
from werkzeug.exceptions import Forbidden, NotFound, UnprocessableEntity

from listserve.api import bp
from listserve.api.auth import audit_subject, current_caller, requires
from listserve.api.imports import import_out, queue_import
from listserve.api.models import ApiImport, Scope
from listserve.api.paging import PageQuery, keyset, page_of, with_etag
from listserve.api.schemas import ImportOut, ImportPage, ImportUpload
from listserve.core.headers import UnsafeHeaderValue
from listserve.core.lists import MailingList, get_default_list
from listserve.extensions import db
from listserve.subscriptions.manage.import_rows import ImportRefused


@bp.route("/imports", methods=["POST"])
@requires(Scope.SUBSCRIBERS_WRITE, admin_member=True, mails=True)
@bp.arguments(ImportUpload, location="files")
@bp.response(202, ImportOut, description="Queued: follow its id for progress and result")
def create_import(data):
    """Upload a CSV file of subscribers (multipart/form-data). The worker imports it: every
    new address is pending and gets a confirmation mail, unless consent_attested (admin
    scope) imports them as they are; the consent source is kept on every consent record."""
    caller = current_caller()
    if data["consent_attested"] and not caller.may(Scope.ADMIN):
        raise Forbidden("Only a token with the admin scope may attest consent.")
    if data.get("list_id") is not None:
        mailing_list = db.session.get(MailingList, data["list_id"])
        if mailing_list is None:
            raise UnprocessableEntity("There is no list with this list_id.")
    else:
        mailing_list = get_default_list()
    upload = data["file"]
    content = upload.stream.read()
    if not content.strip():
        raise UnprocessableEntity("The file is empty.")
    try:
        job = queue_import(
            content=content, filename=_storable_name(upload.filename),
            consent_source=data["consent_source"], attested=data["consent_attested"],
            mailing_list=mailing_list, member_id=caller.member_id, token_id=caller.token_id,
            imported_by=f"{caller.member.label} with API token {caller.token_prefix}…")
    except (ImportRefused, UnsafeHeaderValue) as exc:
        raise UnprocessableEntity(str(exc)) from None
    audit_subject("api_import", job.id, file=job.filename, consent_source=job.consent_source,
                  attested=job.attested, list_id=mailing_list.id)
    response = with_etag(import_out(job), 202)
    response.headers["Location"] = f"/api/v1/imports/{job.id}"
    return response


def _storable_name(filename: str | None) -> str:
    """The file's name as given, less what no database stores (NUL, lone surrogates) and
    control characters."""
    name = "".join(ch for ch in filename or "" if ch.isprintable() and not 0xD800 <= ord(ch)
                   <= 0xDFFF).strip()
    return name[:255] or "upload.csv"


@bp.route("/imports", methods=["GET"])
@requires(Scope.READ, admin_member=True)
@bp.arguments(PageQuery, location="query", as_kwargs=True)
@bp.response(200, ImportPage)
def get_imports(**query):
    """Imports made through the API, oldest first, without their lists of bad lines."""
    jobs = db.session.scalars(keyset(sa.select(ApiImport), ApiImport.id, query))
    return page_of([import_out(job, with_errors=False) for job in jobs], query["limit"])


@bp.route("/imports/<int(max=2147483647):import_id>", methods=["GET"])
@requires(Scope.READ, admin_member=True)
@bp.response(200, ImportOut)
def get_import(import_id: int):
    """One import: queued, running (rows read so far), done (counts, bad lines by number)
    or failed (why; then nothing was imported)."""
    job = db.session.get(ApiImport, import_id)
    if job is None:
        raise NotFound("There is no import with this id.")
    return import_out(job)
