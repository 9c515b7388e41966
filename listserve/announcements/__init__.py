"""Announcements: drafts, revisions, approvals, test sends, scheduling and sending."""

from flask import Blueprint, g

from listserve.core.security import MAIL_PREVIEW_POLICY

bp = Blueprint("announcements", __name__, url_prefix="/committee/announcements")


def shows_mail() -> None:
    """This page previews a mail: its frame shows the mail's inline styles."""
    g.shows_mail = True


@bp.after_request
def allow_mail_styles(response):
    """A preview frame inherits the page's policy (listserve.core.security)."""
    if g.get("shows_mail") and response.mimetype == "text/html":
        response.headers["Content-Security-Policy"] = MAIL_PREVIEW_POLICY
    return response


from listserve.announcements import send_views, views  # noqa: E402,F401  (routes)
