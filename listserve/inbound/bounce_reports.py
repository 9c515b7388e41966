"""Delivery reports sent to a copy's VERP address (bounces+<opaque>@<list domain>).

The address names the outbox entry, and so the subscription, the report is about; the
report itself (RFC 3464 or a common text format) says whether the failure is permanent.
Scoring, disabling and the re-enable notice are subscriptions.bounces.record_bounce's,
shared with the 5xx replies the delivery worker records.
"""

from listserve.delivery.models import OutboxEntry
from listserve.extensions import db
from listserve.inbound.bounces import BounceReport, parse_bounce
from listserve.inbound.models import InboundStatus
from listserve.subscriptions.bounces import record_bounce
from listserve.subscriptions.codes import MAX_ID
from listserve.subscriptions.models import Subscription

Outcome = tuple[InboundStatus, str]


def handle_bounce(raw: bytes, entry_id: int, looks_like_a_bounce: bool) -> Outcome:
    """Record the failure a report describes against the subscription of copy `entry_id`."""
    entry = db.session.get(OutboxEntry, entry_id) if 0 < entry_id <= MAX_ID else None
    subscription = (
        db.session.get(Subscription, entry.subscription_id)
        if entry is not None and entry.subscription_id is not None
        else None
    )
    if subscription is None:
        # The copy was purged or its subscriber erased: nobody left to score.
        return InboundStatus.HANDLED, "bounce for a copy or subscriber that no longer exists"
    reports = parse_bounce(raw)
    if not reports:
        if looks_like_a_bounce:
            return InboundStatus.HELD, "a bounce in a format we cannot read"
        # Vacation programs answer the envelope sender too: not a delivery failure.
        return InboundStatus.HANDLED, "not a delivery report (an auto-reply?)"
    report = _report_about(reports, entry.recipient)
    permanent = report.kind == "permanent"
    record_bounce(
        subscription,
        permanent=permanent,
        source="dsn",
        outbox_entry_id=entry.id,
        status=report.status,
        diagnostic=report.diagnostic,
    )
    return InboundStatus.HANDLED, f"{report.kind} bounce recorded ({report.status or 'no code'})"


def _report_about(reports: list[BounceReport], recipient: str) -> BounceReport:
    """The report for the address we sent to; any of them when an alias or forward makes the
    final recipient differ (the VERP address already says which copy failed). A permanent
    failure wins over a delay."""
    own = [r for r in reports if r.recipient == recipient.lower()] or reports
    return next((r for r in own if r.kind == "permanent"), own[0])
