"""An announcement with an event, sent through the committee's pages; answers given on the
archive page as readers do."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import sqlalchemy as sa

from listserve.announcements.event_models import AnnouncementEvent
from listserve.announcements.models import Announcement
from listserve.archive.models import Post
from listserve.core.lists import MailingList
from listserve.extensions import db
from tests.announcements.helpers import BASE, press, set_required_approvals, write_draft
from tests.committee.helpers import log_in, make_member
from tests.support import csrf_token

ZONE = "America/New_York"


def local_input(days: float) -> str:
    """A datetime-local value `days` from now, as wall time in ZONE."""
    moment = (datetime.now(UTC) + timedelta(days=days)).astimezone(ZoneInfo(ZONE))
    return moment.strftime("%Y-%m-%dT%H:%M")


def event_form(days=3.0, **changes) -> dict:
    return {"title": "Founding assembly", "starts": local_input(days),
            "ends": local_input(days + 0.1), "time_zone": ZONE,
            "place": "Community Hall, Amherst", "online_url": "https://meet.example.org/sen",
            "description": "Bring a friend.", **changes}


def post_event(client, announcement_id, expect=303, event_id=None, **fields):
    url = f"{BASE}/{announcement_id}/events" + (f"/{event_id}" if event_id else "")
    page = client.get(url).get_data(as_text=True)
    response = client.post(url, data={"csrf_token": csrf_token(page), **fields})
    assert response.status_code == expect, response.get_data(as_text=True)[-3000:]
    return response


def sent_announcement_with_event(app, client, days=3.0) -> tuple[int, int]:
    """(announcement id, event id): drafted, given an event, sent by an admin."""
    make_member(app, "admin@example.org", role="admin")
    log_in(client, "admin@example.org")
    set_required_approvals(app, 0)
    announcement_id = write_draft(client, subject="Join us at the founding assembly")
    post_event(client, announcement_id, **event_form(days))
    assert press(client, announcement_id, "send").status_code == 303
    with app.app_context():
        event_id = db.session.scalar(sa.select(AnnouncementEvent.id))
    return announcement_id, event_id


def post_page(app, announcement_id) -> str:
    with app.app_context():
        post = db.session.get(Post, db.session.get(Announcement, announcement_id).post_id)
        list_slug = db.session.get(MailingList, post.list_id).slug
        return f"/archive/{list_slug}/{post.year}/{post.slug}"


def answer(client, page_url, event_id, expect=200, **fields):
    page = client.get(page_url).get_data(as_text=True)
    data = {"answer": "yes", "name": "Ana", "email": "ana@example.org", "note": "",
            "csrf_token": csrf_token(page), **fields}
    response = client.post(f"/events/{event_id}/rsvp", data=data)
    assert response.status_code == expect, response.get_data(as_text=True)[-3000:]
    return response


def calendars(mail) -> list[icalendar.Calendar]:
    return [icalendar.Calendar.from_ical(part.get_content() if isinstance(
                part.get_content(), bytes) else part.get_content().encode())
            for part in mail.message.iter_attachments()
            if part.get_content_type() == "text/calendar"]
