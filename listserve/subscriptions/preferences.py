"""A person's own page of lists, reached from the personal link in any mail (/u/<token>/lists):
every list with its state; join another, leave one or all, each mail or a digest.

Joining from here: the personal link came in a mail to this address, so it proves the address
as a confirmation link does. When the link's own subscription is confirmed and the person never
left the list asked for, the list is joined at once, with a consent record of its own (this
page, the list's consent text shown beside the button, confirmed at that moment): that is
double opt-in already. Rejoining a list the person left, or joining through the link of a
subscription that is not confirmed, sends a confirmation mail as the subscribe form does
(DESIGN: re-subscribing after leaving needs a new confirmation).
"""

from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import gettext as _

from listserve.core.db import utcnow
from listserve.core.lists import MailingList, all_lists
from listserve.extensions import db
from listserve.subscriptions import confirming, leaving, services
from listserve.subscriptions.models import (
    DeliveryMode,
    Subscriber,
    Subscription,
    SubscriptionStatus,
)


class PreferenceRefused(ValueError):
    """What the person asked for cannot be done (the message says why)."""


@dataclass
class ListState:
    mailing_list: MailingList
    subscription: Subscription | None

    @property
    def status(self) -> str:
        return self.subscription.status if self.subscription else "not subscribed"

    @property
    def on_list(self) -> bool:
        return self.subscription is not None and self.subscription.status in (
            SubscriptionStatus.CONFIRMED, SubscriptionStatus.DISABLED)


def list_states(subscriber: Subscriber) -> list[ListState]:
    """Every list the person is on or may join: theirs, then the public ones in use."""
    theirs = {s.list_id: s for s in db.session.scalars(
        sa.select(Subscription).where(Subscription.subscriber_id == subscriber.id))}
    return [ListState(mailing_list, theirs.get(mailing_list.id))
            for mailing_list in all_lists()
            if mailing_list.id in theirs
            or (mailing_list.public and not mailing_list.archived)]


def _state(subscriber: Subscriber, list_id: int) -> ListState:
    for state in list_states(subscriber):
        if state.mailing_list.id == list_id:
            return state
    raise PreferenceRefused(_("This list is not one you can join here."))


def join_list(via: Subscription, list_id: int, origin: services.Request) -> bool:
    """Join a list from the personal page; True when joined at once, False when a
    confirmation mail was queued. Raises PreferenceRefused."""
    state = _state(via.subscriber, list_id)
    mailing_list, subscription = state.mailing_list, state.subscription
    if mailing_list.archived:
        raise PreferenceRefused(_("This list is archived: nobody can join it any more."))
    if subscription is not None and subscription.status == SubscriptionStatus.CONFIRMED:
        return True
    proven = via.status == SubscriptionStatus.CONFIRMED
    never_left = subscription is None or subscription.status == SubscriptionStatus.PENDING
    if not (proven and never_left):
        services.request_subscriptions(via.subscriber.email, "", origin, [mailing_list])
        return False
    if subscription is None:
        subscription = Subscription(subscriber=via.subscriber, mailing_list=mailing_list,
                                    status=SubscriptionStatus.PENDING, language=via.language)
        db.session.add(subscription)
        db.session.flush()
    services.record_consent(subscription, origin, confirmed_at=utcnow())
    confirming.confirm_now(subscription)
    return True


def leave_list(via: Subscription, list_id: int) -> None:
    """Leave one list (idempotent). Raises PreferenceRefused for a list not shown."""
    state = _state(via.subscriber, list_id)
    if state.subscription is not None:
        leaving.unsubscribe(state.subscription)


def leave_all(via: Subscription) -> int:
    """Leave every list; return how many were left."""
    return sum(leaving.unsubscribe(s) for s in db.session.scalars(
        sa.select(Subscription).where(Subscription.subscriber_id == via.subscriber_id)))


def set_language(via: Subscription, language: str) -> None:
    """The language of every mail to this person, on each of their lists (`language`: an
    offered one, checked by the form)."""
    db.session.execute(
        sa.update(Subscription).where(Subscription.subscriber_id == via.subscriber_id)
        .values(language=language).execution_options(synchronize_session="fetch"))
    db.session.flush()


def set_delivery_mode(via: Subscription, list_id: int, mode: str) -> None:
    """Each message or a digest, for one list. Raises PreferenceRefused."""
    if mode not in (DeliveryMode.EACH, DeliveryMode.DIGEST):
        raise PreferenceRefused(_("Choose each message or a digest."))
    state = _state(via.subscriber, list_id)
    if not state.on_list:
        raise PreferenceRefused(_("Join this list first."))
    state.subscription.delivery_mode = mode
    db.session.flush()
