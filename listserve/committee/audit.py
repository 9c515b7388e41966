"""The audit log: who drafted, edited, approved, sent, scheduled, cancelled, invited, disabled."""

import sqlalchemy as sa

from listserve.committee.models import AuditEvent, CommitteeMember
from listserve.extensions import db

COMMAND_LINE = "command line"
SCHEDULER = "scheduler"


def record_audit(
    actor: CommitteeMember | str | None,
    action: str,
    subject_type: str,
    subject_id: int | None,
    revision_hash: str | None = None,
    detail: dict | None = None,
) -> AuditEvent:
    """Add one event; actor is a member, or a label such as COMMAND_LINE for who has no account."""
    if isinstance(actor, CommitteeMember):
        actor_id, label = actor.id, actor.label
    else:
        actor_id, label = None, actor or COMMAND_LINE
    event = AuditEvent(
        actor_id=actor_id,
        actor_label=label,
        action=action,
        subject_type=subject_type,
        subject_id=subject_id,
        revision_hash=revision_hash,
        detail=detail or None,
    )
    db.session.add(event)
    db.session.flush()
    return event


def list_audit_events(
    subject_type: str | None = None, subject_id: int | None = None, limit: int = 500
) -> list[AuditEvent]:
    """Newest last, so one announcement's history reads from first draft to sent."""
    query = sa.select(AuditEvent)
    if subject_type:
        query = query.where(AuditEvent.subject_type == subject_type)
    if subject_id is not None:
        query = query.where(AuditEvent.subject_id == subject_id)
    newest = query.order_by(AuditEvent.id.desc()).limit(limit).subquery()
    return list(
        db.session.scalars(sa.select(AuditEvent).join(newest, newest.c.id == AuditEvent.id)
                           .order_by(AuditEvent.id))
    )
