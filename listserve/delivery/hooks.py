"""How the features plug into delivery, which imports none of them.

create_app fills one DeliveryHooks per app (app.extensions["delivery_hooks"]); the features
register what they own, the way indico's signals let modules react without being imported:

* round jobs: run by every worker at the start of each round, in the order registered
  (requests to join, then scheduled announcements); each commits its own work;
* recipients: the default recipients of an announcement on a list, as a select of
  (subscription id, address, name); called with the list's id alone for everyone, or with
  `language=` (those whose mail goes out in it) or `other_than=` (a list of codes: those whose
  language is none of them, or unknown) for an announcement sent in several languages;
* still subscribed: a SQL condition on a copy's subscription id, true while its person still
  wants the list's announcements (read with each claim);
* confirm links: each pending subscription's confirmation link and the address that
  confirms it by reply (a Confirmation), for confirmation requests queued in bulk;
* bounce listeners: told of every permanent SMTP refusal of a copy to a subscription.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import NamedTuple

import sqlalchemy as sa
from flask import Flask, current_app


class Bounce(NamedTuple):
    subscription_id: int
    outbox_entry_id: int
    status: str
    diagnostic: str


class Confirmation(NamedTuple):
    link: str  # opens the confirmation page
    reply_to: str  # replying to it confirms too


@dataclass
class DeliveryHooks:
    round_jobs: list[Callable[[], object]] = field(default_factory=list)
    recipients: Callable[..., sa.Select] | None = None
    still_subscribed: Callable[[sa.ColumnElement], sa.ColumnElement[bool]] | None = None
    confirm_links: Callable[[list[int]], dict[int, Confirmation]] | None = None
    bounce_listeners: list[Callable[[Bounce], None]] = field(default_factory=list)


def init_app(app: Flask) -> DeliveryHooks:
    hooks = app.extensions["delivery_hooks"] = DeliveryHooks()
    return hooks


def hooks_for(app: Flask) -> DeliveryHooks:
    return app.extensions["delivery_hooks"]


def current_hooks() -> DeliveryHooks:
    return current_app.extensions["delivery_hooks"]
