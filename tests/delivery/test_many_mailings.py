"""A burst of sign-ups and notices (each notice a mailing of its own) beside a big send: one
default worker sends every copy, and a copy that cannot be composed fails alone."""

import pytest
import sqlalchemy as sa

from listserve.core.lists import get_default_list
from listserve.delivery.models import Mailing, OutboxEntry
from listserve.delivery.outbox import enqueue_notice
from listserve.extensions import db
from tests.delivery.helpers import add_confirmed, announce, received
from tests.support import csrf_token

# (purpose, template, context) of notices other features queue one by one.
NOTICE_KINDS = [
    ("committee.password-reset", "committee/password_reset",
     {"reset_url": "http://localhost/committee/reset/T", "minutes": 60}),
    ("subscription.already", "subscriptions/already_subscribed", {"with_unsubscribe": True}),
    ("subscription.welcome", "subscriptions/welcome", {"with_unsubscribe": True}),
    ("subscription.disabled", "subscriptions/disabled",
     {"reenable_url": "http://localhost/subscribe"}),
]


def queue_notices(app, addresses) -> None:
    with app.app_context():
        mailing_list = get_default_list()
        for n, address in enumerate(addresses):
            purpose, template, context = NOTICE_KINDS[n % len(NOTICE_KINDS)]
            enqueue_notice(purpose=purpose, template=template, subject=f"Notice {n}",
                           mailing_list=mailing_list, recipient=address,
                           recipient_name=f"Person {n}", **context)
        db.session.commit()


def sign_up(client, addresses) -> None:
    token = csrf_token(client.get("/subscribe").get_data(as_text=True))
    for address in addresses:
        response = client.post("/subscribe", data={"csrf_token": token, "email": address})
        assert response.status_code == 303


def outbox(app) -> dict[str, tuple[str, int, str | None]]:
    """recipient -> (status, attempts, last reply) of every copy."""
    with app.app_context():
        rows = db.session.execute(sa.select(
            OutboxEntry.recipient, OutboxEntry.status, OutboxEntry.attempts,
            OutboxEntry.last_reply,
        ))
        return {recipient: tuple(rest) for recipient, *rest in rows}


def test_a_burst_of_notices_beside_a_big_send_all_arrives(app, client, deliver, smtp_sink):
    subscribers = [f"member{n}@example.net" for n in range(1000)]
    add_confirmed(app, subscribers)
    first = [f"notice{n}@example.org" for n in range(200)]
    later = [f"later{n}@example.org" for n in range(200)]
    joining = [f"joiner{n}@example.com" for n in range(100)]
    queue_notices(app, first)
    announce(app)  # its copies are claimed in batches with notices before and after
    queue_notices(app, later)
    sign_up(client, joining)  # confirmations are queued by the worker's round job

    deliver()  # one worker with the default settings (a batch spans 200 mailings)

    everyone = subscribers + first + later + joining
    assert received(smtp_sink) == sorted(everyone)
    assert {status for status, _, _ in outbox(app).values()} == {"sent"}
    [confirmation] = smtp_sink.to("joiner7@example.com")
    assert confirmation.link_to("/confirm/")


def _subject_with_a_line_break(mailing_id: int) -> None:
    # As an older release might have stored it, before subjects were checked when queued.
    db.session.execute(sa.update(Mailing).where(Mailing.id == mailing_id)
                       .values(subject="Notice\r\nBcc: victim@example.net"))


def _list_deleted(mailing_id: int) -> None:
    # A list deleted since: the mailing keeps its row, its list_id is set to NULL.
    db.session.execute(sa.update(Mailing).where(Mailing.id == mailing_id)
                       .values(list_id=None))


@pytest.mark.parametrize("breakage", [_subject_with_a_line_break, _list_deleted])
def test_a_notice_that_cannot_be_composed_fails_alone(app, deliver, smtp_sink, breakage):
    add_confirmed(app, [f"member{n}@example.net" for n in range(300)])
    addresses = [f"notice{n}@example.org" for n in range(150)]
    queue_notices(app, addresses[:75])
    announce(app)
    queue_notices(app, addresses[75:])
    broken = "notice40@example.org"
    with app.app_context():
        mailing_id = db.session.scalar(
            sa.select(OutboxEntry.mailing_id).where(OutboxEntry.recipient == broken))
        breakage(mailing_id)
        db.session.commit()

    deliver()

    copies = outbox(app)
    status, attempts, reply = copies.pop(broken)
    assert (status, attempts) == ("failed", 1)
    assert "cannot compose" in reply
    assert {status for status, _, _ in copies.values()} == {"sent"}
    assert received(smtp_sink) == sorted(copies)
    assert smtp_sink.to("victim@example.net") == []
