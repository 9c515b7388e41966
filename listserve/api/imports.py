"""CSV imports through the API: the call stores the file and answers at once; a worker round
reads it with the committee's own import (listserve.subscriptions.manage.importing), so every
row goes through the same rules: pending with a confirmation mail unless the token may attest
prior consent, the consent source on every consent record, bad lines reported by number.

One import is one transaction: all of the file or none of it. While it runs, the rows read so
far are written beside it on PostgreSQL (on a connection of their own, so the caller sees
them); SQLite has one writer at a time, so there the counts appear when the import ends.
The uploaded file is dropped as soon as the worker has read it.
"""

import io
import json
import logging
from datetime import timedelta

import sqlalchemy as sa

from listserve.api.models import ApiImport, ImportState
from listserve.committee.audit import record_audit
from listserve.committee.models import CommitteeMember
from listserve.core.db import is_postgresql, utcnow
from listserve.core.headers import UnsafeHeaderValue
from listserve.core.lists import MailingList
from listserve.delivery.hooks import DeliveryHooks
from listserve.extensions import db
from listserve.subscriptions.manage.import_rows import ImportRefused, read_rows
from listserve.subscriptions.manage.importing import (
    ImportReport,
    consent_source_label,
    import_subscribers,
)

log = logging.getLogger(__name__)
LEASE = timedelta(minutes=30)  # a running import not finished by then is taken up again
FAILED_ON_OUR_SIDE = "The import stopped on our side; nothing was imported. Try again later."


def register(hooks: DeliveryHooks) -> None:
    hooks.round_jobs.append(run_next_import)


def _lines(content: bytes):
    return io.TextIOWrapper(io.BytesIO(content), encoding="utf-8-sig", errors="replace",
                            newline="")


def queue_import(*, content: bytes, filename: str, consent_source: str, attested: bool,
                 mailing_list: MailingList, imported_by: str, member_id: int,
                 token_id: int) -> ApiImport:
    """Check what can be checked now (the consent source, the header line) and keep the file
    for the worker; flushes. Raises ImportRefused or UnsafeHeaderValue."""
    consent_source = (consent_source or "").strip()
    consent_source_label(consent_source, attested, imported_by)
    next(read_rows(_lines(content), utcnow()), None)  # the header: raises when unusable
    lines = sum(1 for line in content.splitlines() if line.strip()) - 1
    job = ApiImport(token_id=token_id, member_id=member_id, list_id=mailing_list.id,
                    filename=filename[:255], consent_source=consent_source,
                    imported_by=imported_by[:200], attested=attested, content=content,
                    size=len(content), lines=max(lines, 0), errors="[]")
    db.session.add(job)
    db.session.flush()
    return job


def _claim() -> int | None:
    """Take the oldest queued import (or one whose worker died); committed, so another worker
    leaves it alone."""
    now = utcnow()
    waiting = sa.or_(ApiImport.state == ImportState.QUEUED,
                     sa.and_(ApiImport.state == ImportState.RUNNING,
                             ApiImport.started_at < now - LEASE))
    job_id = db.session.scalar(sa.select(ApiImport.id).where(waiting)
                               .order_by(ApiImport.id).limit(1))
    if job_id is None:
        db.session.rollback()  # end the read: the next job starts its own transaction
        return None
    claimed = db.session.execute(
        sa.update(ApiImport).where(ApiImport.id == job_id, waiting)
        .values(state=ImportState.RUNNING, started_at=now, rows=0)
        .execution_options(synchronize_session=False)).rowcount == 1
    db.session.commit()
    return job_id if claimed else None


def _progress_writer(job_id: int):
    if not is_postgresql():
        return None
    engine = db.engine

    def write(report: ImportReport) -> None:
        with engine.begin() as connection:
            connection.execute(sa.update(ApiImport).where(ApiImport.id == job_id)
                               .values(rows=report.rows))

    return write


def run_next_import() -> int:
    """A worker round job: import the next uploaded file, if any; return how many ran. It
    commits (the import and its audit event together), and a file that fails marks its own
    import failed and never stops the round."""
    job_id = _claim()
    if job_id is None:
        return 0
    job = db.session.get(ApiImport, job_id)
    try:
        report = import_subscribers(
            _lines(job.content or b""), job.consent_source, already_confirmed=job.attested,
            imported_by=job.imported_by, mailing_list=db.session.get(MailingList, job.list_id),
            progress=_progress_writer(job_id))
    except (ImportRefused, UnsafeHeaderValue) as exc:
        _fail(job_id, str(exc))
        return 1
    except Exception:  # one bad file is its own import's failure, not the worker's
        log.exception("API import %s failed", job_id)
        _fail(job_id, FAILED_ON_OUR_SIDE)
        return 1
    _finish(job, report)
    db.session.commit()
    return 1


def _finish(job: ApiImport, report: ImportReport) -> None:
    job.state = ImportState.DONE
    job.finished_at = utcnow()
    job.content = None
    for name in ("rows", "added", "duplicates", "already_on_list", "erased", "invalid",
                 "confirmations_queued", "errors_not_listed"):
        setattr(job, name, getattr(report, name))
    job.errors = json.dumps([{"line": e.line, "message": e.message} for e in report.errors])
    member = db.session.get(CommitteeMember, job.member_id) if job.member_id else None
    record_audit(member or job.imported_by, "subscribers imported", "api_import", job.id,
                 detail={"via": "api", "by": job.imported_by, "file": job.filename,
                         "consent": job.consent_source, "attested": job.attested,
                         "added": report.added, "invalid": report.invalid})


def _fail(job_id: int, why: str) -> None:
    db.session.rollback()
    db.session.execute(sa.update(ApiImport).where(ApiImport.id == job_id).values(
        state=ImportState.FAILED, failure=why[:500], finished_at=utcnow(), content=None))
    db.session.commit()


def import_out(job: ApiImport, with_errors: bool = True) -> dict:
    def iso(moment):
        return moment.isoformat() if moment is not None else None

    out = {
        "id": job.id, "state": job.state, "filename": job.filename, "list_id": job.list_id,
        "consent_source": job.consent_source, "attested": job.attested,
        "created_at": iso(job.created_at), "started_at": iso(job.started_at),
        "finished_at": iso(job.finished_at),
        "progress": {"lines": job.lines, "rows_read": job.rows},
        "counts": {name: getattr(job, name) for name in (
            "added", "duplicates", "already_on_list", "erased", "invalid",
            "confirmations_queued")},
        "failure": job.failure,
    }
    if with_errors:
        out["errors"] = json.loads(job.errors or "[]")
        out["errors_not_listed"] = job.errors_not_listed
    return out
