import pytest

from listserve.inbound.server import InboundController
from tests.support import free_port


@pytest.fixture
def inbound_receiver(app):
    """The real receiver on a free port, speaking LMTP, as Postfix's lmtp client reaches it."""
    controller = InboundController(app, "127.0.0.1", free_port(), lmtp=True)
    controller.start()
    yield controller
    controller.stop()
