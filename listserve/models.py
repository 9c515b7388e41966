"""Imports every feature's models so the metadata is complete wherever it is needed."""

from listserve.announcements.models import (  # noqa: F401
    Announcement,
    Approval,
    ReviewComment,
    Revision,
)
from listserve.archive.models import Post  # noqa: F401
from listserve.committee.models import AuditEvent, CommitteeMember  # noqa: F401
from listserve.delivery.models import Mailing, OutboxEntry  # noqa: F401
from listserve.public.models import (  # noqa: F401
    Aim,
    EcosystemEntry,
    EcosystemSection,
    NextStep,
    PageText,
    PageVersion,
)
from listserve.subscriptions.models import (  # noqa: F401
    ConsentRecord,
    ConsentText,
    MailingList,
    Subscriber,
    Subscription,
    Suppression,
)
