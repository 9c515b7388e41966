"""The worker's side of webhooks: a round job that sends due deliveries, signed per the
Standard Webhooks spec (webhook-id, webhook-timestamp, webhook-signature: "v1,<base64 of
HMAC-SHA256(secret, id.timestamp.body)>"). A job like a worker batch: it commits each delivery,
and one bad target fails its own delivery and never stops the round."""

import base64
import hashlib
import hmac
import logging
import urllib.error
import urllib.request
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from listserve.api.models import DeliveryStatus, Webhook, WebhookDelivery
from listserve.api.targets import TargetRefused, check_target
from listserve.api.webhooks import SECRET_PREFIX, due_deliveries, next_attempt_delay
from listserve.core.db import utcnow
from listserve.delivery.hooks import DeliveryHooks
from listserve.extensions import db

log = logging.getLogger(__name__)
BATCH = 20


def register(hooks: DeliveryHooks) -> None:
    hooks.round_jobs.append(send_due_webhooks)


def sign(secret: str, message_id: str, timestamp: int, body: str) -> str:
    key = base64.b64decode(secret.removeprefix(SECRET_PREFIX))
    signed = f"{message_id}.{timestamp}.{body}".encode()
    return "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a 3xx is an answer, not a place to follow (it could point inside)


_opener = urllib.request.build_opener(_NoRedirects)


def send_due_webhooks(limit: int = BATCH) -> int:
    """Send what is due; return how many were tried."""
    tried = 0
    for delivery_id in [d.id for d in due_deliveries(limit)]:
        if _claim(delivery_id):
            _attempt(db.session.get(WebhookDelivery, delivery_id))
            tried += 1
        db.session.commit()
    db.session.commit()
    return tried


def _claim(delivery_id: int) -> bool:
    """Push next_attempt_at past the send, so another worker's round leaves it alone."""
    now = utcnow()
    lease = timedelta(seconds=current_app.config["WEBHOOK_TIMEOUT_SECONDS"] * 3)
    return db.session.execute(
        sa.update(WebhookDelivery)
        .where(WebhookDelivery.id == delivery_id,
               WebhookDelivery.status == DeliveryStatus.PENDING,
               WebhookDelivery.next_attempt_at <= now)
        .values(next_attempt_at=now + lease)
        .execution_options(synchronize_session=False)
    ).rowcount == 1


def _attempt(delivery: WebhookDelivery) -> None:
    cfg = current_app.config
    hook: Webhook = delivery.webhook
    now = utcnow()
    delivery.attempts += 1
    delivery.last_attempt_at = now
    code, error = None, None
    try:
        check_target(hook.url, cfg["WEBHOOK_ALLOW_PRIVATE_TARGETS"])
        code = _post(hook, delivery, int(now.timestamp()), cfg["WEBHOOK_TIMEOUT_SECONDS"])
    except TargetRefused as exc:
        error = str(exc)
    except Exception as exc:  # any failure of one target is that delivery's, not the round's
        error = f"{type(exc).__name__}: {exc}"
    delivery.last_status_code = code
    delivery.last_error = error[:500] if error else None
    if code is not None and 200 <= code < 300:
        delivery.status = DeliveryStatus.SENT
    elif delivery.attempts >= cfg["WEBHOOK_MAX_ATTEMPTS"]:
        delivery.status = DeliveryStatus.FAILED
        log.warning("webhook %s: gave up on delivery %s after %s attempts",
                    hook.id, delivery.id, delivery.attempts)
    else:
        delivery.next_attempt_at = now + next_attempt_delay(delivery.attempts)


def _post(hook: Webhook, delivery: WebhookDelivery, timestamp: int, timeout: float) -> int:
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "listserve-webhooks",
        "webhook-id": delivery.message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": sign(hook.secret, delivery.message_id, timestamp, delivery.body),
    }
    # check_target let only http(s) URLs through, before this and when registered.
    request = urllib.request.Request(  # noqa: S310
        hook.url, data=delivery.body.encode(), method="POST", headers=headers)
    try:
        with _opener.open(request, timeout=timeout) as answer:
            answer.read(65536)
            return answer.status
    except urllib.error.HTTPError as answer:
        return answer.code
