import pytest

from listserve.inbound.server import InboundController
from tests.support import free_port


@pytest.fixture
def inbound_receiver(app, request):
    """The receiver on a free port, in this process, speaking LMTP (or SMTP when a test
    parametrizes this fixture indirectly with "smtp"). tests/conftest.py lets SMTP clients
    connect to it."""
    lmtp = getattr(request, "param", "lmtp") == "lmtp"
    controller = InboundController(app, "127.0.0.1", free_port(), lmtp=lmtp)
    controller.start()
    yield controller
    controller.stop()
