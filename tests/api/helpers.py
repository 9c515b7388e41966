"""Factories for API tests: real members, real tokens made by the real service."""

from datetime import datetime

from listserve.api.tokens import create_token
from listserve.committee.models import CommitteeMember
from listserve.extensions import db
from tests.committee.helpers import make_member


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
