"""Which subscriptions an admin means: the filters shared by the table, export and counts."""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa

from listserve.subscriptions.models import Subscriber, Subscription


@dataclass
class Selection:
    """Every field optional; an empty Selection means every subscription of every list."""

    query: str = ""  # part of the address or the name
    statuses: list[str] = field(default_factory=list)
    list_id: int | None = None
    min_bounce_score: float | None = None
    subscribed_from: date | None = None  # requested_at, inclusive, UTC days
    subscribed_until: date | None = None
    ids: list[int] | None = None  # the subscriptions ticked in the table



def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def _like_pattern(text: str) -> str:
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def apply_selection(statement: sa.Select, selection: Selection) -> sa.Select:
    """Narrow a select over Subscription joined to Subscriber to the selection."""
    query = selection.query.strip()
    if query:
        pattern = _like_pattern(query)
        statement = statement.where(
            sa.or_(
                Subscriber.email_key.like(pattern, escape="\\"),
                sa.func.lower(Subscriber.name).like(pattern, escape="\\"),
            )
        )
    if selection.ids is not None:
        statement = statement.where(Subscription.id.in_(selection.ids))
    if selection.statuses:
        statement = statement.where(Subscription.status.in_(selection.statuses))
    if selection.list_id is not None:
        statement = statement.where(Subscription.list_id == selection.list_id)
    if selection.min_bounce_score is not None:
        statement = statement.where(Subscription.bounce_score >= selection.min_bounce_score)
    if selection.subscribed_from is not None:
        statement = statement.where(
            Subscription.requested_at >= _day_start(selection.subscribed_from)
        )
    if selection.subscribed_until is not None:
        statement = statement.where(
            Subscription.requested_at < _day_start(selection.subscribed_until + timedelta(days=1))
        )
    return statement

