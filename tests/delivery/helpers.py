"""Factories for delivery tests: subscribers in bulk and an announcement to them."""

import sqlalchemy as sa

from listserve.core.lists import get_default_list
from listserve.delivery.models import OutboxEntry
from listserve.delivery.outbox import UNSUBSCRIBE_URL, enqueue_announcement
from listserve.extensions import db
from listserve.subscriptions.models import Subscriber, Subscription


def add_confirmed(app, emails, names=None) -> None:
    """Confirmed subscribers, straight into the database (the opt-in is tested elsewhere)."""
    names = names or {}
    with app.app_context():
        mailing_list = get_default_list()
        for email in emails:
            subscriber = Subscriber(email=email, email_key=email.lower(),
                                    name=names.get(email, ""))
            db.session.add(Subscription(subscriber=subscriber, mailing_list=mailing_list,
                                        status="confirmed"))
        db.session.commit()


def announce(app, subject="Launch news", text=None, html=None, reply_to=None,
             purpose="announcement:1") -> int:
    with app.app_context():
        mailing = enqueue_announcement(
            mailing_list=get_default_list(),
            purpose=purpose,
            subject=subject,
            text_body=text if text is not None else f"Hello all.\n\nLeave: {UNSUBSCRIBE_URL}\n",
            html_body=html if html is not None
            else f'<p>Hello all.</p><p><a href="{UNSUBSCRIBE_URL}">Leave</a></p>',
            reply_to=reply_to,
            archived_at="http://localhost/archive/2026/launch-news",
        )
        db.session.commit()
        return mailing.id


def statuses(app, mailing_id: int) -> dict[str, str]:
    """recipient -> outbox status for one mailing."""
    with app.app_context():
        rows = db.session.execute(
            sa.select(OutboxEntry.recipient, OutboxEntry.status).where(
                OutboxEntry.mailing_id == mailing_id
            )
        )
        return dict(rows.all())


def received(sink) -> list[str]:
    return sorted(r for m in sink.messages for r in m.rcpt_tos)
