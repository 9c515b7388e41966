"""Who may see what: Flask-Login set-up and the decorators every committee page uses.

Anonymous visitors are sent to the login page for GET pages, and refused with 401 for
anything else (form posts, JSON); members who are not admins get 403 on admin pages.
"""

from functools import wraps
from urllib.parse import urlsplit

from flask import Flask, abort, redirect, request, url_for
from flask_login import current_user, login_required

from listserve.committee.models import CommitteeMember
from listserve.committee.timezones import local_time
from listserve.extensions import db, login


def init_app(app: Flask) -> None:
    login.init_app(app)
    login.user_loader(load_member)
    login.unauthorized_handler(refuse_anonymous)
    app.add_template_filter(local_time)


def load_member(session_id: str) -> CommitteeMember | None:
    """The session holds "id:stamp": a new password or a disabled account ends the session."""
    member_id, _, stamp = session_id.partition(":")
    if not member_id.isdigit():
        return None
    member = db.session.get(CommitteeMember, int(member_id))
    if member is None or member.security_stamp != stamp or not member.is_active:
        return None
    return member


def refuse_anonymous():
    if request.method == "GET" and not request.path.endswith(".json"):
        return redirect(url_for("committee.login", next=request.full_path.rstrip("?")))
    abort(401)


def safe_next_url(target: str | None, default: str) -> str:
    """Only a path on this site: never another host (an open redirect)."""
    if not target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return default
    if "\\" in target:
        return default
    return target


def member_required(view):
    """Any active committee member."""
    return login_required(view)


def admin_required(view):
    """Active committee members with the admin role; others get 403."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        if not current_user.is_admin:
            abort(403)
        return view(*args, **kwargs)

    return login_required(wrapped)
