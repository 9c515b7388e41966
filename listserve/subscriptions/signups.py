"""Requests to join from the web: stored by the request, carried out by a worker.

The subscribe form checks what the person typed (a deliverable-looking address, a name safe in
a header) and stores it with the consent evidence (when, from which IP and browser) as one row,
in one INSERT: a request that answers at once however many people arrive together. A delivery
worker then carries each request out (`request_subscription`: the pending subscription, the
consent record, the confirmation mail in the outbox) in the transaction that deletes the row;
a worker that dies before committing leaves the row for the next. The confirmation mail needs
a worker in any case, so nobody waits longer for it.
"""

import logging

import sqlalchemy as sa

from listserve.core.addresses import normalise_address
from listserve.core.db import utcnow
from listserve.core.headers import check_header_value
from listserve.subscriptions.models import SignupRequest
from listserve.subscriptions.services import Request

log = logging.getLogger(__name__)


def store_signup_request(connection: sa.Connection, email: str, name: str,
                         origin: Request, list_ids: list[int] | None = None) -> None:
    """Keep a request to join `list_ids` (default: the main list) for a worker, on the caller's connection (not committed).
    Raises InvalidAddress or UnsafeHeaderValue (and stores nothing) when the address or the
    name cannot be used."""
    address, _key = normalise_address(email)
    name = check_header_value((name or "").strip(), "name")[:200]
    # A Core statement on a plain connection: the ORM session's machinery (and its bulk
    # insert) cost several times the INSERT itself.
    connection.execute(SignupRequest.__table__.insert(), {
        "email": address,
        "name": name,
        "source": origin.source[:200],
        "ip": (origin.ip or None) and origin.ip[:45],
        "user_agent": (origin.user_agent or None) and origin.user_agent[:400],
        "requested_at": utcnow(),
        # None: the main list (the footer's short form).
        "list_ids": ",".join(str(i) for i in list_ids) if list_ids else None,
    })
