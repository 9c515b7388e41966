"""A server that answers 4xx to some recipients, 5xx to others and drops connections: every
4xx recipient ends up delivered once, every 5xx recipient failed (and counted as a bounce)."""

import threading
from collections import Counter

import pytest
import sqlalchemy as sa

from listserve.extensions import db
from listserve.subscriptions.models import BounceEvent, Subscription
from tests.delivery.helpers import add_confirmed, announce, statuses
from tests.support import CapturedMail, Pipelining, SmtpSink


class FaultyHandler(Pipelining):
    """Recipient n: n % 6 == 0 → 451 twice then accepted; 1 → 550 always; 2 → the connection
    drops at its first RCPT; 3 → 452 at DATA once; others accepted."""

    def __init__(self):
        self.lock = threading.Lock()
        self.messages: list[CapturedMail] = []
        self.tries = Counter()

    @staticmethod
    def kind(address: str) -> int:
        return int(address.split("@")[0].removeprefix("p")) % 6

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        with self.lock:
            self.tries[address] += 1
            tries = self.tries[address]
        kind = self.kind(address)
        if kind == 0 and tries <= 2:
            return "451 4.7.1 greylisted, try again later"
        if kind == 1:
            return "550 5.1.1 no such user here"
        if kind == 2 and tries == 1:
            server.transport.abort()
            return "421 4.4.2 gone"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        [address] = envelope.rcpt_tos
        with self.lock:
            if self.kind(address) == 3 and self.tries[f"data:{address}"] == 0:
                self.tries[f"data:{address}"] += 1
                return "452 4.3.1 insufficient system storage"
            self.messages.append(
                CapturedMail(envelope.mail_from, list(envelope.rcpt_tos),
                             envelope.original_content)
            )
        return "250 2.0.0 OK: queued"


@pytest.fixture
def faulty_smtp():
    sink = SmtpSink(FaultyHandler()).start()
    yield sink
    if sink.controller.loop.is_running():  # one test stops it early
        sink.stop()


@pytest.fixture
def app_config(app_config, faulty_smtp):
    return {**app_config, "MAIL_PORT": faulty_smtp.port, "WORKER_RETRY_BASE_SECONDS": 0,
            "WORKER_BATCH_SIZE": 20, "WORKER_RESULT_GROUP": 7}


@pytest.mark.parametrize("pipelining", [True, False])
def test_faults_end_with_4xx_delivered_and_5xx_failed(app, deliver, faulty_smtp, pipelining):
    app.config["MAIL_PIPELINING"] = pipelining
    people = [f"p{n}@example.net" for n in range(60)]
    add_confirmed(app, people)
    mailing_id = announce(app)
    deliver()
    delivered = Counter(m.rcpt_tos[0] for m in faulty_smtp.messages)
    permanent = {p for p in people if FaultyHandler.kind(p) == 1}
    assert set(delivered) == set(people) - permanent
    assert max(delivered.values()) == 1  # no failure made anyone get two copies
    final = statuses(app, mailing_id)
    assert {p for p, status in final.items() if status == "failed"} == permanent
    assert {p for p, status in final.items() if status == "sent"} == set(people) - permanent
    with app.app_context():
        bounced = db.session.scalars(
            sa.select(BounceEvent).join(Subscription).where(BounceEvent.source == "smtp")
        ).all()
        assert sorted(b.subscription.subscriber.email for b in bounced) == sorted(permanent)
        assert {b.status for b in bounced} == {"550"}
        assert all(b.subscription.bounce_score == 1 for b in bounced)


def test_a_server_that_is_down_leaves_everything_queued(app, deliver, faulty_smtp):
    add_confirmed(app, ["p7@example.net"])
    mailing_id = announce(app)
    faulty_smtp.stop()
    deliver()
    assert statuses(app, mailing_id) == {"p7@example.net": "queued"}
