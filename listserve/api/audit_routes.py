"""GET /audit-events: the audit log, oldest first (follow next_cursor for newer events)."""

import sqlalchemy as sa

from listserve.api import bp
from listserve.api.auth import requires
from listserve.api.models import Scope
from listserve.api.paging import keyset, page_of
from listserve.api.schemas import AuditPage, AuditQuery
from listserve.committee.models import AuditEvent
from listserve.extensions import db


def event_out(event: AuditEvent) -> dict:
    return {"id": event.id, "at": event.at.isoformat(), "actor_id": event.actor_id,
            "actor_label": event.actor_label, "action": event.action,
            "subject_type": event.subject_type, "subject_id": event.subject_id,
            "revision_hash": event.revision_hash, "detail": event.detail}


@bp.route("/audit-events", methods=["GET"])
@requires(Scope.READ, admin_member=True)
@bp.arguments(AuditQuery, location="query", as_kwargs=True)
@bp.response(200, AuditPage)
def get_audit_events(**query):
    """The audit log: who did what, through the web, the command line or the API."""
    statement = sa.select(AuditEvent)
    if query.get("subject_type"):
        statement = statement.where(AuditEvent.subject_type == query["subject_type"])
    if query.get("subject_id") is not None:
        statement = statement.where(AuditEvent.subject_id == query["subject_id"])
    events = db.session.scalars(keyset(statement, AuditEvent.id, query))
    return page_of([event_out(event) for event in events], query["limit"])
