"""The numbers at a glance, computed from the subscriptions and the outbox.

Weeks start on Monday, in UTC. Choices where the data is silent:
* "confirmed subscribers" at a week's end = subscriptions confirmed by then and not
  unsubscribed by then (paused ones still count; erased people leave no trace, so they drop
  out of the past too);
* a bounce = an outbox copy that failed for good, dated by its last attempt, or a delivery
  report (DSN) of a permanent failure that came back later for a copy the next server had
  accepted, dated when it came (a refusal while sending is already the failed copy, so
  bounce events from SMTP are not counted twice; delays are not bounces);
* "unsubscribes after" an announcement = recipients of that announcement who unsubscribed
  within UNSUBSCRIBE_WINDOW of its being queued.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa

from listserve.core.db import utcnow
from listserve.delivery.models import Mailing, MailingKind, OutboxEntry, OutboxStatus
from listserve.extensions import db
from listserve.subscriptions.models import BounceEvent, Subscription

UNSUBSCRIBE_WINDOW = timedelta(days=7)
WEEKS = 26


@dataclass(frozen=True)
class WeekFigures:
    week: date  # the Monday it starts on
    confirmed: int  # at the end of the week
    subscribes: int
    unsubscribes: int
    bounces: int


@dataclass(frozen=True)
class AnnouncementFigures:
    mailing_id: int
    subject: str
    queued_at: datetime
    sent: int
    failed: int
    waiting: int
    unsubscribes_after: int


def week_of(moment: datetime | date) -> date:
    day = moment.date() if isinstance(moment, datetime) else moment
    return day - timedelta(days=day.weekday())


def _week(column):
    """The Monday of the column's week, as SQL, on either engine."""
    if db.session.get_bind().dialect.name == "postgresql":
        return sa.cast(sa.func.date_trunc("week", sa.func.timezone("UTC", column)), sa.Date)
    return sa.func.date(column, "weekday 0", "-6 days")


def _per_week(column, *conditions, joins=()) -> dict[date, int]:
    week = _week(column)
    query = sa.select(week, sa.func.count())
    for target, on in joins:
        query = query.join(target, on)
    rows = db.session.execute(query.where(column.is_not(None), *conditions).group_by(week))
    return {(w if isinstance(w, date) else date.fromisoformat(w)): n for w, n in rows}


def weekly_figures(weeks: int = WEEKS, today: date | None = None,
                   list_id: int | None = None) -> list[WeekFigures]:
    """One row per week, oldest first, ending with the current week; one list's, or all."""
    last = week_of(today or utcnow())
    first = last - timedelta(weeks=weeks - 1)
    on_list = () if list_id is None else (Subscription.list_id == list_id,)
    confirms = _per_week(Subscription.confirmed_at, *on_list)
    leaves = _per_week(Subscription.unsubscribed_at, *on_list)
    leaves_of_confirmed = _per_week(Subscription.unsubscribed_at,
                                    Subscription.confirmed_at.is_not(None), *on_list)
    bounce_joins = () if list_id is None else (
        (Mailing, Mailing.id == OutboxEntry.mailing_id),)
    bounces = _per_week(OutboxEntry.next_attempt_at, OutboxEntry.status == OutboxStatus.FAILED,
                        *(() if list_id is None else (Mailing.list_id == list_id,)),
                        joins=bounce_joins)
    report_joins = () if list_id is None else (
        (Subscription, Subscription.id == BounceEvent.subscription_id),)
    reports = _per_week(BounceEvent.created_at, BounceEvent.source == "dsn",
                        BounceEvent.kind == "permanent", *on_list, joins=report_joins)
    confirmed = sum(n for w, n in confirms.items() if w < first) - sum(
        n for w, n in leaves_of_confirmed.items() if w < first)
    figures = []
    for i in range(weeks):
        week = first + timedelta(weeks=i)
        confirmed += confirms.get(week, 0) - leaves_of_confirmed.get(week, 0)
        figures.append(WeekFigures(week, confirmed, confirms.get(week, 0),
                                   leaves.get(week, 0),
                                   bounces.get(week, 0) + reports.get(week, 0)))
    return figures


def announcement_figures(limit: int = 20, list_id: int | None = None) -> list[AnnouncementFigures]:
    """The latest announcements, newest first, with what became of their copies."""
    on_list = () if list_id is None else (Mailing.list_id == list_id,)
    mailings = db.session.scalars(
        sa.select(Mailing).where(Mailing.kind == MailingKind.ANNOUNCEMENT, *on_list)
        .order_by(Mailing.created_at.desc(), Mailing.id.desc()).limit(limit)
    ).all()
    return [_announcement(mailing) for mailing in mailings]


def _announcement(mailing: Mailing) -> AnnouncementFigures:
    by_status = dict(db.session.execute(
        sa.select(OutboxEntry.status, sa.func.count())
        .where(OutboxEntry.mailing_id == mailing.id).group_by(OutboxEntry.status)
    ).all())
    left = db.session.scalar(
        sa.select(sa.func.count(OutboxEntry.id))
        .join(Subscription, Subscription.id == OutboxEntry.subscription_id)
        .where(
            OutboxEntry.mailing_id == mailing.id,
            Subscription.unsubscribed_at >= mailing.created_at,
            Subscription.unsubscribed_at < mailing.created_at + UNSUBSCRIBE_WINDOW,
        )
    )
    return AnnouncementFigures(
        mailing_id=mailing.id,
        subject=mailing.subject,
        queued_at=mailing.created_at,
        sent=by_status.get(OutboxStatus.SENT, 0),
        failed=by_status.get(OutboxStatus.FAILED, 0),
        waiting=by_status.get(OutboxStatus.QUEUED, 0) + by_status.get(OutboxStatus.RETRYING, 0),
        unsubscribes_after=left,
    )

