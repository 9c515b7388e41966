"""Digests: one mail per reader per period (the list's daily or weekly schedule) with every
post of the period, queued by a worker round job (no cron), exactly once per list and period.

Exactly once: a DigestRun row, unique per (list, period start), is the claim; it is written in
the transaction that queues the digest, so of several workers one commits it and the others
fail on the unique key (PostgreSQL) or find it (SQLite: one writer at a time) and do nothing.

Nothing lost, nothing twice, however people switch between each message and a digest: the
digest does not ask who is a digest reader now, it asks which posts of the period each
confirmed person has not been sent. Announcement copies go only to those taking each message
(subscriptions.jobs.confirmed_recipients), and a copy queued for someone is never in their
digest; a post published before a person's confirmation is not theirs to receive. So a switch
to a digest mid-week gives the posts after the switch in the digest (those before came one by
one), and a switch back to each message gives the posts before the switch in the digest.

Most readers miss every post of the period: they share one digest mailing (one INSERT …
SELECT, as an announcement). The few whose set differs (switched or joined during the period)
get one of their own.
"""

import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import format_datetime

import sqlalchemy as sa
from flask import render_template
from flask_babel import gettext as _
from flask_babel import ngettext

from listserve.archive.models import Comment, CommentStatus, Post
from listserve.archive.services import post_url
from listserve.core.db import IMMEDIATE, utcnow
from listserve.core.headers import UnsafeHeaderValue
from listserve.core.lists import DigestSchedule, MailingList, all_lists
from listserve.core.rendering import render_announcement_text
from listserve.core.urls import external_url
from listserve.delivery.models import OutboxEntry
from listserve.delivery.outbox import UNSUBSCRIBE_URL, AlreadyQueued, enqueue_announcement
from listserve.extensions import db
from listserve.subscriptions.models import (
    DigestRun,
    Subscriber,
    Subscription,
    SubscriptionStatus,
)

log = logging.getLogger(__name__)
SEPARATOR = "-" * 30  # RFC 1153: between messages


@dataclass
class DigestEntry:
    post: Post
    url: str
    new_comments: int
    text: str  # the post as plain text, its separator-like lines shifted (RFC 1153)
    date: str  # RFC 5322


def period_before(schedule: str, now: datetime) -> tuple[datetime, datetime]:
    """The last complete period at `now` (UTC): yesterday, or last week Monday to Monday."""
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    if schedule == DigestSchedule.DAILY:
        return midnight - timedelta(days=1), midnight
    end = midnight - timedelta(days=midnight.weekday())
    return end - timedelta(days=7), end


def queue_digests(now: datetime | None = None) -> int:
    """A round job: queue every list's digest for its last complete period, once. Returns the
    number of digest runs this call made. Commits."""
    now = now or utcnow()
    due = []
    for mailing_list in all_lists(include_archived=False):
        start, end = period_before(mailing_list.digest_schedule, now)
        if db.session.scalar(sa.select(DigestRun.id).filter_by(list_id=mailing_list.id,
                                                               period_start=start)) is None:
            due.append((mailing_list.id, start, end))
    db.session.rollback()  # end the reading transaction: claims take the write lock
    if not due:
        return 0
    made = 0
    db.session.connection(execution_options=IMMEDIATE)
    for list_id, start, end in due:
        try:
            with db.session.begin_nested():
                run = DigestRun(list_id=list_id, period_start=start, period_end=end)
                db.session.add(run)
                db.session.flush()  # the claim: another worker's insert fails or waits here
                _queue_run(db.session.get(MailingList, list_id), run)
            made += 1
        except sa.exc.IntegrityError:
            continue  # another worker has this period
        except (UnsafeHeaderValue, AlreadyQueued) as exc:
            # It would fail again every round: keep the claim (no digest), say why, go on.
            log.warning("digest of list %d for %s not queued: %s", list_id, start, exc)
            with db.session.begin_nested():
                db.session.add(DigestRun(list_id=list_id, period_start=start, period_end=end,
                                         posts=-1))
    db.session.commit()
    return made


def _queue_run(mailing_list: MailingList, run: DigestRun) -> None:
    posts = list(db.session.scalars(
        sa.select(Post).where(Post.list_id == mailing_list.id, Post.mailing_id.is_not(None),
                              Post.published_at >= run.period_start,
                              Post.published_at < run.period_end)
        .order_by(Post.published_at, Post.id)))
    run.posts = len(posts)
    if not posts:
        return
    entries = _entries(posts, run)
    mailing_ids = [post.mailing_id for post in posts]
    confirmed_at = sa.func.coalesce(Subscription.confirmed_at, Subscription.created_at)
    has_copy = sa.exists().where(OutboxEntry.subscription_id == Subscription.id,
                                 OutboxEntry.mailing_id.in_(mailing_ids))
    on_list = (Subscription.list_id == mailing_list.id,
               Subscription.status == SubscriptionStatus.CONFIRMED)
    everyone = (sa.select(Subscription.id, Subscriber.email, Subscriber.name)
                .join(Subscriber, Subscriber.id == Subscription.subscriber_id)
                .where(*on_list, confirmed_at < run.period_start, ~has_copy))
    shared = _enqueue(mailing_list, run, entries, f"digest:{mailing_list.id}:{_key(run)}",
                      everyone)
    run.mailing_id = shared.id
    for subscription_id, missing in _partial_readers(on_list, confirmed_at, has_copy, posts,
                                                     run).items():
        mine = [entry for entry in entries if entry.post.id in missing]
        one = (sa.select(Subscription.id, Subscriber.email, Subscriber.name)
               .join(Subscriber, Subscriber.id == Subscription.subscriber_id)
               .where(Subscription.id == subscription_id))
        _enqueue(mailing_list, run, mine,
                 f"digest:{mailing_list.id}:{_key(run)}:{subscription_id}", one)


def _partial_readers(on_list, confirmed_at, has_copy, posts, run) -> dict[int, set[int]]:
    """{subscription id: ids of the posts it misses} for those who joined or switched during
    the period (not in the shared digest)."""
    copied = sa.exists().where(OutboxEntry.subscription_id == Subscription.id,
                               OutboxEntry.mailing_id == Post.mailing_id)
    rows = db.session.execute(
        sa.select(Subscription.id, Post.id)
        .join(Post, Post.id.in_([post.id for post in posts]))
        .where(*on_list, sa.or_(confirmed_at >= run.period_start, has_copy),
               Post.published_at >= confirmed_at, ~copied))
    missing = defaultdict(set)
    for subscription_id, post_id in rows:
        missing[subscription_id].add(post_id)
    return missing


def _entries(posts: list[Post], run: DigestRun) -> list[DigestEntry]:
    counts = dict(db.session.execute(
        sa.select(Comment.post_id, sa.func.count())
        .where(Comment.post_id.in_([post.id for post in posts]),
               Comment.status == CommentStatus.PUBLISHED,
               Comment.published_at >= run.period_start, Comment.published_at < run.period_end)
        .group_by(Comment.post_id)).all())
    return [DigestEntry(post, post_url(post), counts.get(post.id, 0), _plain(post),
                        format_datetime(post.published_at)) for post in posts]


def _plain(post: Post) -> str:
    text = render_announcement_text(post.body_markdown)
    return "\n".join(" " + line if line.startswith(SEPARATOR) else line
                     for line in text.splitlines())


def _key(run: DigestRun) -> str:
    return run.period_start.strftime("%Y-%m-%d")


def _enqueue(mailing_list, run, entries, purpose, recipients):
    subject = digest_subject(mailing_list, run, len(entries))
    context = {"mailing_list": mailing_list, "entries": entries, "subject": subject,
               "period_start": run.period_start, "period_end": run.period_end,
               "unsubscribe_url": UNSUBSCRIBE_URL,
               "archive_url": external_url("archive.list_index", list_slug=mailing_list.slug)}
    return enqueue_announcement(
        mailing_list=mailing_list, purpose=purpose, subject=subject,
        text_body=render_template("email/subscriptions/digest.txt", **context),
        html_body=render_template("email/subscriptions/digest.html", **context),
        recipients=recipients,
    )


def digest_subject(mailing_list: MailingList, run: DigestRun, count: int) -> str:
    last_day = run.period_end - timedelta(days=1)
    if last_day == run.period_start:
        when = run.period_start.strftime("%d %b %Y")
    else:
        when = _("%(start)s to %(end)s", start=run.period_start.strftime("%d %b"),
                 end=last_day.strftime("%d %b %Y"))
    prefix = f"{mailing_list.subject_prefix} " if mailing_list.subject_prefix else ""
    return prefix + ngettext("%(list)s digest, %(when)s (%(num)d message)",
                             "%(list)s digest, %(when)s (%(num)d messages)",
                             count, list=mailing_list.name, when=when)
