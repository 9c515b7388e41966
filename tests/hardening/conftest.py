import uuid

import pytest

from tests.browser.live_server import LiveServer, server_environment
from tests.support import free_port

SERVED_SUBSCRIBE_LIMIT = 5  # per minute and address, on the `served` site


@pytest.fixture(scope="module")
def served(database_url, smtp_sink, tmp_path_factory):
    """`listserve serve` as deployed: two web processes (gunicorn gthread) and a delivery
    worker, rate limits in their default storage."""
    port = free_port()
    folder = tmp_path_factory.mktemp("served")
    env = server_environment(database_url, smtp_sink.port, port, folder / "mailbox")
    env.update({
        "LISTSERVE_SUBSCRIBE_RATE_LIMIT": f"{SERVED_SUBSCRIBE_LIMIT} per minute",
        # The default storage is a file in the instance folder, kept between runs: a key
        # prefix of this run's own, so a run a minute ago cannot have used up the limit.
        "LISTSERVE_RATELIMIT_KEY_PREFIX": f"served-{uuid.uuid4().hex}",
    })
    server = LiveServer(port, env, folder / "server.log", workers=2)
    try:
        server.wait_until_answering()
        yield server
    finally:
        server.stop()
