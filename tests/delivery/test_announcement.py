"""An announcement goes to every confirmed subscriber, once each, with list headers."""

import sqlalchemy as sa

from listserve.core.lists import get_default_list
from listserve.delivery.models import OutboxEntry
from listserve.delivery.outbox import UNSUBSCRIBE_URL, enqueue_announcement
from listserve.extensions import db
from listserve.subscriptions.models import Subscriber, Subscription


def add_subscribers(app, statuses: dict[str, str]) -> None:
    with app.app_context():
        mailing_list = get_default_list()
        for email, status in statuses.items():
            subscriber = Subscriber(email=email, email_key=email.lower(), name=email.split("@")[0])
            db.session.add(Subscription(subscriber=subscriber, mailing_list=mailing_list,
                                        status=status))
        db.session.commit()


def announce(app, subject="Launch news") -> int:
    with app.app_context():
        mailing = enqueue_announcement(
            mailing_list=get_default_list(),
            purpose="announcement:test",
            subject=subject,
            text_body=f"Hello all.\n\nLeave: {UNSUBSCRIBE_URL}\n",
            html_body=f'<p>Hello all.</p><p><a href="{UNSUBSCRIBE_URL}">Leave</a></p>',
            archived_at="http://localhost/archive/2026/launch-news",
        )
        db.session.commit()
        return mailing.id


def test_every_confirmed_subscriber_gets_one_personal_copy(app, deliver, smtp_sink):
    add_subscribers(app, {
        "ann@example.net": "confirmed", "ben@example.net": "confirmed",
        "cat@example.net": "pending", "dan@example.net": "unsubscribed",
    })
    announce(app)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(OutboxEntry.id))) == 2
    deliver()
    assert sorted(r for m in smtp_sink.messages for r in m.rcpt_tos) == [
        "ann@example.net", "ben@example.net"
    ]
    for copy in smtp_sink.messages:
        [recipient] = copy.rcpt_tos
        message = copy.message
        assert message["To"].addresses[0].addr_spec == recipient
        other = "ben@example.net" if recipient.startswith("ann") else "ann@example.net"
        assert other not in copy.data.decode()
        assert message["List-Id"] == "Network announcements <announcements.lists.example.org>"
        assert message["List-Post"] == "NO"
        assert message["Precedence"] == "list"
        assert message["Archived-At"] == "<http://localhost/archive/2026/launch-news>"
        assert "Auto-Submitted" not in message
        url = copy.link_to("/u/")
        assert message["List-Unsubscribe"] == (
            f"<{url}>, <mailto:announcements-leave@lists.example.org?subject=unsubscribe>"
        )
        assert url in copy.html
        assert UNSUBSCRIBE_URL not in copy.data.decode()
