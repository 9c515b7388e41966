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
    subject_type: str | None = None, subject_id: int | None = None, limit: int = 500,
    action: str | None = None, actor: str | None = None, newest_first: bool = False,
) -> list[AuditEvent]:
    """The last `limit` events that match; newest last (one announcement's history reads from
    first draft to sent) unless newest_first (the log's own page)."""
    query = sa.select(AuditEvent)
    if subject_type:
        query = query.where(AuditEvent.subject_type == subject_type)
    if subject_id is not None:
        query = query.where(AuditEvent.subject_id == subject_id)
    if action:
        query = query.where(AuditEvent.action == action)
    if actor:
        query = query.where(AuditEvent.actor_label.contains(actor, autoescape=True))
    newest = query.order_by(AuditEvent.id.desc()).limit(limit).subquery()
    order = AuditEvent.id.desc() if newest_first else AuditEvent.id
    return list(
        db.session.scalars(sa.select(AuditEvent).join(newest, newest.c.id == AuditEvent.id)
                           .order_by(order))
    )


def audit_choices() -> tuple[list[str], list[str]]:
    """The actions and subject types recorded so far, for the log's filters."""
    actions = db.session.scalars(sa.select(AuditEvent.action).distinct().order_by(
        AuditEvent.action))
    types = db.session.scalars(sa.select(AuditEvent.subject_type).distinct().order_by(
        AuditEvent.subject_type))
    return list(actions), list(types)


def readable_detail(detail: dict | None) -> list[tuple[str, str]]:
    """An event's detail as a person reads it: no "None", lists joined, yes/no for flags."""
    shown = []
    for key, value in (detail or {}).items():
        if value is None or value == [] or value == "":
            continue
        if isinstance(value, bool):
            value = "yes" if value else "no"
        elif isinstance(value, list | tuple):
            value = ", ".join(str(item) for item in value)
        elif isinstance(value, dict):
            value = "; ".join(f"{k}: {v}" for k, v in value.items())
        shown.append((key, str(value)))
    return shown
