"""Webhooks: an admin registers a URL for some events; each event becomes a queued delivery
(a row, in the transaction that caused it) that a worker round sends, signed per the Standard
Webhooks spec, retried with backoff, given up after WEBHOOK_MAX_ATTEMPTS.

Target URLs whose host resolves to a private, loopback, link-local or otherwise non-public
address are refused (SSRF) unless WEBHOOK_ALLOW_PRIVATE_TARGETS is set; the check runs when
the hook is registered and again before every send (DNS can change), and redirects are never
followed.
"""

import base64
import json
import secrets
from datetime import timedelta

import sqlalchemy as sa
from flask import Flask, current_app
from flask_babel import gettext as _

from listserve.api.models import DeliveryStatus, Webhook, WebhookDelivery
from listserve.api.targets import TargetRefused, check_target
from listserve.committee.audit import record_audit
from listserve.committee.models import CommitteeMember
from listserve.core import events
from listserve.core.db import utcnow
from listserve.extensions import db

SECRET_PREFIX = "whsec_"  # noqa: S105  (a marker, not a secret)


class WebhookRefused(ValueError):
    """The webhook cannot be registered as asked; the message says why."""


def init_app(app: Flask) -> None:
    events.listen(app, "*", queue_deliveries)


def register_webhook(admin: CommitteeMember, url: str, event_names: list[str]) -> Webhook:
    """Raises WebhookRefused (unknown events, a URL that is not http(s), a private target)."""
    url = (url or "").strip()
    chosen = sorted(set(event_names))
    if not chosen or any(name not in events.EVENTS for name in chosen):
        raise WebhookRefused(_("Choose one or more of the events listed."))
    try:
        check_target(url, current_app.config["WEBHOOK_ALLOW_PRIVATE_TARGETS"])
    except TargetRefused as exc:
        raise WebhookRefused(str(exc)) from None
    secret = SECRET_PREFIX + base64.b64encode(secrets.token_bytes(24)).decode()
    hook = Webhook(url=url, events=" ".join(chosen), secret=secret, created_by_id=admin.id)
    db.session.add(hook)
    db.session.flush()
    record_audit(admin, "webhook.registered", "webhook", hook.id,
                 detail={"url": url, "events": chosen})
    return hook


def remove_webhook(admin: CommitteeMember, hook: Webhook) -> None:
    record_audit(admin, "webhook.removed", "webhook", hook.id, detail={"url": hook.url})
    db.session.delete(hook)
    db.session.flush()


def queue_deliveries(name: str, payload: dict) -> None:
    """The event listener: one pending delivery per enabled hook that asked for `name`."""
    hooks = db.session.scalars(sa.select(Webhook).where(Webhook.enabled.is_(True))).all()
    now = utcnow()
    for hook in hooks:
        if name not in hook.event_list:
            continue
        body = json.dumps({"type": name, "timestamp": now.isoformat(), "data": payload},
                          separators=(",", ":"), default=str)
        db.session.add(WebhookDelivery(webhook_id=hook.id, event=name, body=body,
                                       message_id="msg_" + secrets.token_hex(12),
                                       next_attempt_at=now))
    db.session.flush()


def redeliver(admin: CommitteeMember, delivery: WebhookDelivery) -> WebhookDelivery:
    """Queue the same message (same webhook-id) once more; the worker sends it."""
    again = WebhookDelivery(webhook_id=delivery.webhook_id, event=delivery.event,
                            body=delivery.body, message_id=delivery.message_id,
                            next_attempt_at=utcnow())
    db.session.add(again)
    db.session.flush()
    record_audit(admin, "webhook.redelivered", "webhook", delivery.webhook_id,
                 detail={"delivery": delivery.id, "message": delivery.message_id})
    return again


def recent_deliveries(hook: Webhook, limit: int = 50) -> list[WebhookDelivery]:
    return list(db.session.scalars(
        sa.select(WebhookDelivery).where(WebhookDelivery.webhook_id == hook.id)
        .order_by(WebhookDelivery.id.desc()).limit(limit)))


def next_attempt_delay(attempts: int) -> timedelta:
    """Backoff after the n-th failed attempt: base, 2×base, 4×base … capped."""
    cfg = current_app.config
    seconds = cfg["WEBHOOK_RETRY_BASE_SECONDS"] * 2 ** max(0, attempts - 1)
    return timedelta(seconds=min(seconds, cfg["WEBHOOK_RETRY_MAX_SECONDS"]))


def due_deliveries(limit: int) -> list[WebhookDelivery]:
    return list(db.session.scalars(
        sa.select(WebhookDelivery)
        .where(WebhookDelivery.status == DeliveryStatus.PENDING,
               WebhookDelivery.next_attempt_at <= utcnow())
        .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id).limit(limit)))
