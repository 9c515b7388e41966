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

from listserve.addresses import InvalidAddress, normalise_address
from listserve.dbsetup import IMMEDIATE
from listserve.dbtypes import utcnow
from listserve.extensions import db
from listserve.headers import UnsafeHeaderValue, check_header_value
from listserve.subscriptions.models import SignupRequest
from listserve.subscriptions.services import Request, get_default_list, request_subscription

log = logging.getLogger(__name__)

BATCH = 200


def store_signup_request(connection: sa.Connection, email: str, name: str,
                         origin: Request) -> None:
    """Keep a request to join for a worker, on the caller's connection (not committed).
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
    })


def carry_out_signup_requests(limit: int = BATCH) -> int:
    """Start the double opt-in of waiting requests, oldest first; return how many were taken.

    A job, like a worker batch: it commits. Several workers may run it at once: on PostgreSQL
    each takes rows the others have not locked, on SQLite one writer goes at a time. A request
    that cannot be carried out keeps its row with the reason, and the others go on.
    """
    db.session.connection(execution_options=IMMEDIATE)
    waiting = db.session.scalars(
        sa.select(SignupRequest)
        .where(SignupRequest.error.is_(None))
        .order_by(SignupRequest.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()
    mailing_list = get_default_list() if waiting else None
    for signup in waiting:
        origin = Request(source=signup.source, ip=signup.ip, user_agent=signup.user_agent,
                         asked_at=signup.requested_at)
        try:
            with db.session.begin_nested():
                request_subscription(signup.email, signup.name, origin, mailing_list)
        except (InvalidAddress, UnsafeHeaderValue, sa.exc.IntegrityError, sa.exc.DataError) as exc:
            # It would fail again; a lost connection or a lock (anything else) is raised, and
            # the whole round is tried again later.
            log.warning("request to join %d could not be carried out: %s", signup.id, exc)
            signup.error = f"{type(exc).__name__}: {exc}"[:2000]
        else:
            db.session.delete(signup)
    db.session.commit()
    return len(waiting)
