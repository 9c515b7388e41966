"""Imports every feature's models so the metadata is complete wherever it is needed."""

from listserve.delivery.models import Mailing, OutboxEntry  # noqa: F401
from listserve.public.models import (  # noqa: F401
    Aim,
    EcosystemEntry,
    EcosystemSection,
    NextStep,
    PageText,
)
from listserve.subscriptions.models import (  # noqa: F401
    BounceEvent,
    ConsentRecord,
    ConsentText,
    MailingList,
    Subscriber,
    Subscription,
    Suppression,
)
from listserve.inbound.models import InboundMessage  # noqa: F401
