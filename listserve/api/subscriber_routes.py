"""/subscribers: people on the lists (one item per subscription), search, create (double
opt-in unless the admin scope attests consent), change, unsubscribe, erase, export."""

from datetime import UTC

import sqlalchemy as sa
from flask import Response, jsonify, stream_with_context
from werkzeug.exceptions import Conflict, Forbidden, NotFound, UnprocessableEntity

from listserve.api import bp
from listserve.api.auth import audit_subject, current_caller, requires
from listserve.api.models import Scope
from listserve.api.paging import after_id, check_if_match, page_arguments, with_etag
from listserve.api.schemas import (
    SubscriberChange,
    SubscriberCreate,
    SubscriberExportQuery,
    SubscriberOut,
    SubscriberPage,
    SubscriberQuery,
)
from listserve.core.addresses import InvalidAddress
from listserve.core.headers import UnsafeHeaderValue, check_header_value
from listserve.core.i18n import languages, offered_or_none
from listserve.core.lists import MailingList
from listserve.extensions import db
from listserve.subscriptions import services
from listserve.subscriptions.manage import actions, exporting
from listserve.subscriptions.manage.selection import Selection, apply_selection
from listserve.subscriptions.models import Subscriber, Subscription, SubscriptionStatus

# The times as the driver gives them (psycopg: aware datetimes), made UTC by _iso, rather
# than through UTCDateTime's result processor: a page is 300 of them.
_PLAIN_TIME = sa.DateTime(timezone=True)
COLUMNS = (Subscription.id, Subscription.subscriber_id, Subscriber.email, Subscriber.name,
           Subscription.list_id, Subscription.status,
           *(sa.type_coerce(column, _PLAIN_TIME).label(column.key) for column in (
               Subscription.requested_at, Subscription.confirmed_at,
               Subscription.unsubscribed_at)),
           Subscription.bounce_score, Subscription.language)
# Built once: a page is the common call, and building a select costs more than running it.
PAGE = (sa.select(*COLUMNS).join(Subscriber, Subscriber.id == Subscription.subscriber_id)
        .where(Subscription.id > sa.bindparam("after")).order_by(Subscription.id)
        .limit(sa.bindparam("limit")))


def _iso(moment):
    """RFC 3339 in UTC; a naive time (SQLite) is UTC already."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC).isoformat()
    return moment.astimezone(UTC).isoformat()


def _row_out(row) -> dict:
    (id_, subscriber_id, email, name, list_id, status, requested_at, confirmed_at,
     unsubscribed_at, bounce_score, language) = row
    return {"id": id_, "subscriber_id": subscriber_id, "email": email, "name": name,
            "list_id": list_id, "status": status, "requested_at": _iso(requested_at),
            "confirmed_at": _iso(confirmed_at), "unsubscribed_at": _iso(unsubscribed_at),
            "bounce_score": bounce_score, "language": language}


def subscriber_out(subscription: Subscription) -> dict:
    person = subscription.subscriber
    return {"id": subscription.id, "subscriber_id": person.id, "email": person.email,
            "name": person.name, "list_id": subscription.list_id,
            "status": subscription.status, "requested_at": _iso(subscription.requested_at),
            "confirmed_at": _iso(subscription.confirmed_at),
            "unsubscribed_at": _iso(subscription.unsubscribed_at),
            "bounce_score": subscription.bounce_score, "language": subscription.language}


def _language(data) -> str | None:
    """The language asked for, checked against the offered ones (422 otherwise)."""
    if not data.get("language"):
        return None
    language = offered_or_none(data["language"])
    if language is None:
        raise UnprocessableEntity(f"language must be one of {', '.join(languages())}.")
    return language


def _selection(query: dict) -> Selection:
    return Selection(query=query.get("q") or "",
                     statuses=[query["status"]] if query.get("status") else [],
                     list_id=query.get("list_id"))


def _subscription_or_404(subscription_id: int) -> Subscription:
    subscription = db.session.get(Subscription, subscription_id)
    if subscription is None:
        raise NotFound("There is no subscriber with this id.")
    return subscription


@bp.route("/subscribers", methods=["GET"])
@requires(Scope.READ, admin_member=True)
@page_arguments(SubscriberQuery)
@bp.response(200, SubscriberPage)
def get_subscribers(**query):
    """Search and filter subscribers, in id order; follow next_cursor for the next page."""
    statement = PAGE
    if query.get("q") or query.get("status") or query.get("list_id"):
        statement = apply_selection(statement, _selection(query))
    # Core, not the ORM session's execute: plain rows, none of the ORM's loading machinery.
    rows = db.session.connection().execute(statement, {"after": after_id(query.get("after")),
                                                       "limit": query["limit"] + 1}).all()
    more = len(rows) > query["limit"]
    items = [_row_out(row) for row in rows[: query["limit"]]]
    # Built here, not dumped through the schema: the rows already have its shape.
    return jsonify(items=items, next_cursor=str(items[-1]["id"]) if more else None)


@bp.route("/subscribers", methods=["POST"])
@requires(Scope.SUBSCRIBERS_WRITE, admin_member=True, mails=True)
@bp.arguments(SubscriberCreate)
@bp.response(202, SubscriberOut)
def create_subscriber(data):
    """Add a person: starts the double opt-in (a confirmation mail), or, with
    consent_attested and the admin scope, subscribes at once with the consent source recorded.
    Answers the same whether or not the address was already on the list."""
    caller = current_caller()
    mailing_list = None
    if data.get("list_id") is not None:
        mailing_list = db.session.get(MailingList, data["list_id"])
        if mailing_list is None:
            raise UnprocessableEntity("There is no list with this list_id.")
    origin = services.Request(
        source=f"api: {data['consent_source']} (token {caller.token_prefix}…)",
        language=_language(data))
    try:
        if data["consent_attested"]:
            if not caller.may(Scope.ADMIN):
                raise Forbidden("Only a token with the admin scope may attest consent.")
            subscription = services.add_attested_subscription(
                data["email"], data["name"], origin, mailing_list)
        else:
            subscription = services.request_subscription(
                data["email"], data["name"], origin, mailing_list)
    except (InvalidAddress, UnsafeHeaderValue) as exc:
        raise UnprocessableEntity(str(exc)) from None
    audit_subject("subscription", subscription.id, consent_source=origin.source,
                  attested=data["consent_attested"])
    return with_etag(subscriber_out(subscription), 202)


@bp.route("/subscribers/<int(max=2147483647):subscription_id>", methods=["GET"])
@requires(Scope.READ, admin_member=True)
@bp.response(200, SubscriberOut)
def get_subscriber(subscription_id: int):
    """One subscriber; its ETag goes in If-Match when you change it."""
    return with_etag(subscriber_out(_subscription_or_404(subscription_id)))


@bp.route("/subscribers/<int(max=2147483647):subscription_id>", methods=["PATCH"])
@requires(Scope.SUBSCRIBERS_WRITE, admin_member=True, if_match=True)
@bp.arguments(SubscriberChange)
@bp.response(200, SubscriberOut)
def change_subscriber(data, subscription_id: int):
    """Change the name, or pause / resume delivery. Send If-Match: a stale ETag gets 412."""
    subscription = _subscription_or_404(subscription_id)
    check_if_match(subscriber_out(subscription))
    member = current_caller().member
    try:
        if "name" in data:
            subscription.subscriber.name = check_header_value(
                data["name"].strip(), "name")
        if data.get("delivery") == "paused":
            actions.disable_delivery(member, subscription)
        elif data.get("delivery") == "active":
            actions.enable_delivery(member, subscription)
        if "language" in data:
            subscription.language = _language(data)
    except (actions.AdminActionError, UnsafeHeaderValue) as exc:
        raise Conflict(str(exc)) from None
    db.session.flush()
    audit_subject("subscription", subscription.id, changed=sorted(data))
    return with_etag(subscriber_out(subscription))


@bp.route("/subscribers/<int(max=2147483647):subscription_id>/unsubscribe", methods=["POST"])
@requires(Scope.SUBSCRIBERS_WRITE, admin_member=True)
@bp.response(200, SubscriberOut)
def unsubscribe_subscriber(subscription_id: int):
    """End this subscription (idempotent)."""
    subscription = _subscription_or_404(subscription_id)
    if subscription.status != SubscriptionStatus.UNSUBSCRIBED:
        actions.unsubscribe_for_admin(current_caller().member, subscription)
    audit_subject("subscription", subscription.id)
    return with_etag(subscriber_out(subscription))


@bp.route("/subscribers/<int(max=2147483647):subscription_id>", methods=["DELETE"])
@requires(Scope.SUBSCRIBERS_WRITE, admin_member=True)
@bp.response(204)
def erase_subscriber(subscription_id: int):
    """Erase the person (every list, their data): only a hash of the address is kept."""
    subscription = _subscription_or_404(subscription_id)
    audit_subject("subscription", subscription.id)
    actions.erase_for_admin(current_caller().member, subscription)
    return Response(status=204)


@bp.route("/subscribers/export", methods=["GET"])
@requires(Scope.READ, admin_member=True)
@bp.arguments(SubscriberExportQuery, location="query", as_kwargs=True)
@bp.response(200, {"type": "array", "items": {"type": "object"}},
             description="Every selected subscription with its consent records, streamed")
def export_subscribers(**query):
    """Export the selection as one JSON array, with consent records."""
    chunks = exporting.export_json(_selection(query))
    return Response(stream_with_context(chunks), mimetype="application/json")

