"""What an admin may do to a subscription. There is deliberately no "confirm": consent comes
from the person, through their own confirmation link.

Services flush, never commit; they raise AdminActionError when the action does not apply.
"""

from flask_babel import gettext as _

from listserve.committee.audit import record_audit
from listserve.committee.models import CommitteeMember
from listserve.core.db import utcnow
from listserve.extensions import db
from listserve.subscriptions import leaving, services
from listserve.subscriptions.models import Subscription, SubscriptionStatus
from listserve.subscriptions.privacy import erase_subscriber


class AdminActionError(ValueError):
    """The action does not apply to this subscription as it stands; the message says why."""


def _audit(admin: CommitteeMember | None, action: str, subscription: Subscription) -> None:
    record_audit(admin, f"subscriber.{action}", "subscription", subscription.id)


def unsubscribe_for_admin(admin, subscription: Subscription) -> None:
    if not leaving.unsubscribe(subscription):
        raise AdminActionError(_("This subscription has already ended."))
    _audit(admin, "unsubscribe", subscription)


def resend_confirmation(admin, subscription: Subscription) -> None:
    """Queue the confirmation mail again for a pending subscription."""
    if subscription.status != SubscriptionStatus.PENDING:
        raise AdminActionError(
            _("Only a pending subscription can be sent a confirmation mail."))
    services.send_confirmation_again(subscription)
    _audit(admin, "resend_confirmation", subscription)


def disable_delivery(admin, subscription: Subscription) -> None:
    if subscription.status != SubscriptionStatus.CONFIRMED:
        raise AdminActionError(_("Only a confirmed subscription's delivery can be paused."))
    subscription.status = SubscriptionStatus.DISABLED
    subscription.disabled_at = utcnow()
    db.session.flush()
    _audit(admin, "disable", subscription)


def enable_delivery(admin, subscription: Subscription) -> None:
    """Resume delivery; only for someone who confirmed before (the admin never confirms)."""
    if subscription.status != SubscriptionStatus.DISABLED or subscription.confirmed_at is None:
        raise AdminActionError(_("Only a paused subscription of someone who confirmed can be "
                                 "resumed."))
    subscription.status = SubscriptionStatus.CONFIRMED
    subscription.disabled_at = None
    db.session.flush()
    _audit(admin, "enable", subscription)


def erase_for_admin(admin, subscription: Subscription) -> None:
    """The same erase as the person's own: only a hash of the address stays."""
    _audit(admin, "erase", subscription)
    erase_subscriber(subscription.subscriber, reason="erased by an admin")
