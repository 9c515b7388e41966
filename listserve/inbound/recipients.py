"""Which addresses the receiver answers for, and what each one means.

For a list with slug `news` on `lists.example.org`:

    news@…                 a reply to an announcement (kept for the archive's comments);
                           for a discussion list, a post to every subscriber
    news+KEY@…             the same, with a routing key the archive may put in Reply-To
    news-join@…            join (double opt-in)
    news-leave@…           leave (confirmed by mail)
    news-request@…         commands in the subject or body: subscribe, unsubscribe, help
    news-confirm+CODE@…    a reply to a confirmation mail
    bounces+OPAQUE@…       a delivery report about one copy we sent (VERP, HMAC-checked)

Anything else is refused at RCPT time.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass

import sqlalchemy as sa

from listserve.core.lists import MailingList, get_default_list
from listserve.delivery.verp import parse_bounce_address
from listserve.extensions import db
from listserve.inbound.models import InboundKind
from listserve.subscriptions.codes import CODE_RE

COMMAND_SUFFIXES = {
    "-join": InboundKind.JOIN,
    "-leave": InboundKind.LEAVE,
    "-request": InboundKind.HELP,  # the command in the message decides; help when none
}
REPLY_KEY_RE = re.compile(r"^[a-z0-9][a-z0-9._=-]{0,59}$")


@dataclass(frozen=True)
class Destination:
    kind: InboundKind
    list_id: int
    argument: str = ""  # the confirmation code, the reply key, or the outbox entry id


def known_lists() -> list[MailingList]:
    """Every list; on a fresh install the default one is created first."""
    lists = list(db.session.scalars(sa.select(MailingList)))
    return lists or [get_default_list()]


def classify_recipient(address: str, lists: Iterable[MailingList]) -> Destination | None:
    """What mail to `address` means, or None when it is not an address we handle."""
    local, at, domain = (address or "").strip().strip("<>").rpartition("@")
    if not at:
        return None
    local, domain = local.lower(), domain.lower().rstrip(".")
    for mailing_list in lists:
        if domain == mailing_list.domain.lower():
            found = _classify_local_part(local, mailing_list)
            if found is not None:
                return found
    return None


def _classify_local_part(local: str, mailing_list: MailingList) -> Destination | None:
    slug = mailing_list.slug.lower()
    base, plus, argument = local.partition("+")
    if base == "bounces":
        # Only addresses we made: spam to made-up bounce addresses is refused at RCPT.
        entry_id = parse_bounce_address(f"{local}@{mailing_list.domain}") if plus else None
        return None if entry_id is None else Destination(
            InboundKind.BOUNCE, mailing_list.id, str(entry_id)
        )
    if base == slug:
        if plus and not REPLY_KEY_RE.match(argument):
            return None
        if not plus and not mailing_list.announce_only:
            return Destination(InboundKind.POST, mailing_list.id)
        return Destination(InboundKind.REPLY, mailing_list.id, argument)
    if base == f"{slug}-confirm":
        ok = plus and CODE_RE.match(argument)
        return Destination(InboundKind.CONFIRM, mailing_list.id, argument) if ok else None
    if not plus and base.startswith(slug) and base[len(slug):] in COMMAND_SUFFIXES:
        return Destination(COMMAND_SUFFIXES[base[len(slug):]], mailing_list.id)
    return None
