"""Announcements: drafts, revisions, approvals, test sends, scheduling and sending."""

from flask import Blueprint

bp = Blueprint("announcements", __name__, url_prefix="/committee/announcements")

from listserve.announcements import send_views, views  # noqa: E402,F401  (routes)
