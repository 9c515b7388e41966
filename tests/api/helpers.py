"""Factories for API tests: real members, real tokens made by the real service; webhooks
registered on the real page, and the receiver's check of their signature."""

import base64
import hashlib
import hmac
from datetime import datetime

import sqlalchemy as sa

from listserve.api.models import Webhook
from listserve.api.tokens import create_token
from listserve.committee.models import CommitteeMember
from listserve.extensions import db
from tests.committee.helpers import log_in, make_member, post


def make_token(app, member_id: int, scopes: list[str], name: str = "test tool",
               expires_at: datetime | None = None) -> str:
    with app.app_context():
        member = db.session.get(CommitteeMember, member_id)
        made = create_token(member, name, scopes, expires_at)
        db.session.commit()
        return made.secret


def bearer(secret: str, **extra) -> dict:
    return {"Authorization": f"Bearer {secret}", **extra}


def admin_token(app, scopes=("admin",), email="ana@example.org") -> str:
    member_id = make_member(app, email, role="admin")
    return make_token(app, member_id, list(scopes))


def register_webhook(app, client, url, events=("subscription.confirmed",)):
    make_member(app, "ana@example.org", role="admin")
    log_in(client, "ana@example.org")
    return post(client, "/committee/api/webhooks", {"url": url, "events": list(events)},
                page="/committee/api/webhooks")


def verify(secret: str, headers: dict, body: bytes) -> bool:
    """The receiver's side of the Standard Webhooks signature, written from the spec."""
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{headers['webhook-id']}.{headers['webhook-timestamp']}.".encode() + body
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    return any(part == f"v1,{expected}" for part in headers["webhook-signature"].split())


def hook_secret(app) -> str:
    with app.app_context():
        return db.session.scalar(sa.select(Webhook.secret))
