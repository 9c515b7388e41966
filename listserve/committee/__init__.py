"""The coordinating committee: members, invitations, login, roles and the audit log."""

from flask import Blueprint

bp = Blueprint("committee", __name__, url_prefix="/committee")

from listserve.committee import admin_views, list_views, views  # noqa: E402,F401  (routes)
