"""Pausing a send while a worker holds a batch of it: the worker stops after its group."""

import pytest

from listserve.delivery.control import get_mailing, pause_mailing
from listserve.extensions import db
from tests.delivery.helpers import add_confirmed, announce, statuses
from tests.support import SinkHandler, SmtpSink


class PausingHandler(SinkHandler):
    """Accepts mail, and pauses the send (as a committee member would) at the second copy."""

    app = mailing_id = None

    async def handle_DATA(self, server, session, envelope):
        reply = await super().handle_DATA(server, session, envelope)
        if len(self.messages) == 2:
            with self.app.app_context():
                pause_mailing(get_mailing(self.mailing_id))
                db.session.commit()
        return reply


@pytest.fixture
def app_config(app_config, faulty_smtp):
    return {**app_config, "MAIL_PORT": faulty_smtp.port, "WORKER_BATCH_SIZE": 50,
            "WORKER_RESULT_GROUP": 4}


@pytest.fixture
def faulty_smtp():  # the name lets tests/conftest.py allow connections to it
    sink = SmtpSink(PausingHandler()).start()
    yield sink
    sink.stop()


def test_a_paused_send_stops_at_the_next_group(app, deliver, faulty_smtp):
    """A worker holding a batch notices a pause after its group and gives the rest back."""
    people = [f"p{n}@example.net" for n in range(20)]
    add_confirmed(app, people)
    faulty_smtp.handler.app, faulty_smtp.handler.mailing_id = app, announce(app)
    deliver()
    assert len(faulty_smtp.messages) == 4  # the group in flight is finished
    final = statuses(app, faulty_smtp.handler.mailing_id)
    assert list(final.values()).count("queued") == 16
