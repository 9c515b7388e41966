"""Announcements: drafts, revisions, approvals, test sends, scheduling and sending; the events
an announcement carries, and readers' answers to them."""

from flask import Blueprint, Flask, g
from flask_babel import lazy_gettext as _l

from listserve.core.security import MAIL_PREVIEW_POLICY

bp = Blueprint("announcements", __name__, url_prefix="/committee/announcements")
# Readers' side of an announcement's events (the .ics, answering): public URLs, so a
# blueprint of their own rather than one nested under the committee's prefix.
events_bp = Blueprint("events", __name__, url_prefix="/events")


# The states of an announcement and of its sending, as the committee's pages show them.
STATUS_LABELS = {
    "draft": _l("draft"), "scheduled": _l("scheduled"), "sent": _l("sent"),
    "cancelled": _l("cancelled"), "active": _l("active"), "paused": _l("paused"),
    "finished": _l("finished"),
}


@bp.app_template_global()
def status_label(status: str) -> str:
    return str(STATUS_LABELS.get(status, status))


def init_app(app: Flask) -> None:
    """What events plug into others: the archive post page, a person's export and erasure."""
    from listserve.core import panels, personal_data

    personal_data.register(app, personal_data.Holder(
        "event_answers", erase=rsvp_views.rsvp.erase_rsvps, export=rsvp_views.rsvp.export_rsvps))
    panels.register(app, "archive.post", panels.Panel("announcements/events/_on_post.html",
                                                      rsvp_views.post_events))


def shows_mail() -> None:
    """This page previews a mail: its frame shows the mail's inline styles."""
    g.shows_mail = True


@bp.after_request
def allow_mail_styles(response):
    """A preview frame inherits the page's policy (listserve.core.security)."""
    if g.get("shows_mail") and response.mimetype == "text/html":
        response.headers["Content-Security-Policy"] = MAIL_PREVIEW_POLICY
    return response


from listserve.announcements import (  # noqa: E402,F401  (routes)
    event_views,
    rsvp_views,
    send_views,
    translation_views,
    views,
)
