"""Imports every feature's models so the metadata is complete wherever it is needed.

One line per feature package, so that adding a feature adds a line and nothing else.
"""

import listserve.announcements.event_models  # noqa: F401
import listserve.announcements.models  # noqa: F401
import listserve.api.models  # noqa: F401
import listserve.archive.models  # noqa: F401
import listserve.committee.models  # noqa: F401
import listserve.core.content_version  # noqa: F401
import listserve.delivery.models  # noqa: F401
import listserve.inbound.models  # noqa: F401
import listserve.members.models  # noqa: F401
import listserve.public.models  # noqa: F401
import listserve.subscriptions.models  # noqa: F401
