"""Factories and actions for committee tests: real accounts, logged in through the real form."""

import sqlalchemy as sa

from listserve.committee.models import AuditEvent
from listserve.committee.services import add_member
from listserve.extensions import db
from tests.support import csrf_token

PASSWORD = "correct horse battery staple"


def make_member(app, email, name=None, role="member", password=PASSWORD) -> int:
    with app.app_context():
        member = add_member(email, name or email.split("@")[0].title(), role, password)
        db.session.commit()
        return member.id


def log_in(client, email, password=PASSWORD, follow=False):
    page = client.get("/committee/login")
    token = csrf_token(page.get_data(as_text=True))
    return client.post("/committee/login", data={
        "csrf_token": token, "email": email, "password": password,
    }, follow_redirects=follow)


def token_of(client, url="/committee/settings") -> str:
    return csrf_token(client.get(url).get_data(as_text=True))


def post(client, url, data=None, page="/committee/settings", **kwargs):
    """POST with a CSRF token taken from a page this client may see."""
    return client.post(url, data={"csrf_token": token_of(client, page), **(data or {})}, **kwargs)


def audit_actions(app, subject_type=None, subject_id=None) -> list[tuple[str, str, str | None]]:
    with app.app_context():
        query = sa.select(AuditEvent).order_by(AuditEvent.id)
        if subject_type:
            query = query.filter_by(subject_type=subject_type, subject_id=subject_id)
        return [(e.action, e.actor_label, e.revision_hash) for e in db.session.scalars(query)]
