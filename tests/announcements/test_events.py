"""Events on announcements: the mail and the .ics, answers that count only once proven, the
committee's counts and export, and updates only to those who answered."""

import csv
import io

import sqlalchemy as sa

from listserve.announcements.event_models import AnnouncementEvent
from listserve.extensions import db
from tests.announcements.event_helpers import (
    ZONE,
    answer,
    calendars,
    event_form,
    post_event,
    post_page,
    sent_announcement_with_event,
)
from tests.announcements.helpers import BASE
from tests.delivery.helpers import add_confirmed
from tests.members.helpers import press_button


def _event(app, event_id) -> AnnouncementEvent:
    with app.app_context():
        event = db.session.get(AnnouncementEvent, event_id)
        db.session.expunge(event)
        return event


def test_the_announcement_mail_shows_the_event_and_carries_its_ics(app, client, smtp_sink,
                                                                  deliver):
    add_confirmed(app, ["reader@example.net"])
    announcement_id, event_id = sent_announcement_with_event(app, client)
    deliver()
    mail = smtp_sink.to("reader@example.net")[-1]
    assert "Founding assembly" in mail.text and "Community Hall, Amherst" in mail.text
    assert "Founding assembly" in mail.html
    assert "List-Unsubscribe" in mail.message  # still an announcement copy
    (calendar,) = calendars(mail)
    (entry,) = calendar.walk("VEVENT")
    event = _event(app, event_id)
    assert str(entry["UID"]) == event.uid
    assert entry["DTSTART"].params["TZID"] == ZONE
    assert entry.decoded("DTSTART") == event.starts_at
    assert int(entry["SEQUENCE"]) == 0
    assert calendar.walk("VTIMEZONE")[0]["TZID"] == ZONE
    # The archive page shows it with its calendar links and the answer form.
    page = client.get(post_page(app, announcement_id)).get_data(as_text=True)
    assert "Founding assembly" in page and f"/events/{event_id}.ics" in page
    assert "calendar.google.com" in page and f"/events/{event_id}/rsvp" in page
    ics = client.get(f"/events/{event_id}.ics")
    assert ics.mimetype == "text/calendar"
    assert str(calendars_from(ics.data)[0]["UID"]) == event.uid


def calendars_from(data: bytes):
    import icalendar

    return icalendar.Calendar.from_ical(data).walk("VEVENT")


def test_an_answer_counts_only_after_the_emailed_button(app, client, smtp_sink, deliver):
    announcement_id, event_id = sent_announcement_with_event(app, client)
    page = post_page(app, announcement_id)
    answer(client, page, event_id, note="Vegetarian, please")
    answers_url = f"{BASE}/{announcement_id}/events/{event_id}/answers"
    assert "Yes: <strong>0</strong>" in client.get(answers_url).get_data(as_text=True)
    deliver()
    link = smtp_sink.to("ana@example.org")[-1].link_to("/events/answers/confirm/")
    press_button(client, link)
    listing = client.get(answers_url).get_data(as_text=True)
    assert "Yes: <strong>1</strong>" in listing and "Vegetarian, please" in listing
    deliver()
    confirmation = smtp_sink.to("ana@example.org")[-1]
    assert "counts" in confirmation.text
    (calendar,) = calendars(confirmation)
    assert str(calendar.walk("VEVENT")[0]["UID"]) == _event(app, event_id).uid
    rows = list(csv.DictReader(io.StringIO(
        client.get(f"{answers_url}.csv").get_data(as_text=True))))
    assert [(r["answer"], r["name"], r["email"]) for r in rows] == [
        ("yes", "Ana", "ana@example.org")]
    assert client.post(link, data={}).status_code in (400, 404)  # used: no second count


def test_a_time_change_is_mailed_only_to_those_who_answered(app, client, smtp_sink, deliver):
    add_confirmed(app, ["reader@example.net"])
    announcement_id, event_id = sent_announcement_with_event(app, client)
    page = post_page(app, announcement_id)
    for email, said in (("yes@example.org", "yes"), ("no@example.org", "no")):
        answer(client, page, event_id, email=email, answer=said)
        deliver()
        press_button(client, smtp_sink.to(email)[-1].link_to("/events/answers/confirm/"))
    answer(client, page, event_id, email="unproven@example.org")  # never presses the button
    deliver()
    smtp_sink.clear()
    # A change of description only: no update.
    post_event(client, announcement_id, event_id=event_id,
               **event_form(3.0, description="Bring two friends."))
    # The form keeps the wall time as typed; move it a day later.
    post_event(client, announcement_id, event_id=event_id, **event_form(4.0))
    deliver()
    updated = {m.rcpt_tos[0] for m in smtp_sink.messages}
    assert updated == {"yes@example.org", "no@example.org"}
    mail = smtp_sink.to("yes@example.org")[-1]
    assert mail.message["Subject"].startswith("Changed:")
    (calendar,) = calendars(mail)
    entry = calendar.walk("VEVENT")[0]
    event = _event(app, event_id)
    assert int(entry["SEQUENCE"]) == event.sequence >= 1
    assert entry.decoded("DTSTART") == event.starts_at


def test_bad_event_and_answer_input_gets_a_clear_400_and_keeps_what_was_typed(app, client):
    announcement_id, event_id = sent_announcement_with_event(app, client)
    for change, message in (
        ({"time_zone": "Mars/Olympus"}, "time zone"),
        ({"ends": "2020-01-01T00:00"}, "end after it starts"),
        ({"starts": "not a time"}, "Not a valid datetime"),
        ({"online_url": "javascript:alert(1)"}, "https://"),
        ({"title": "x" * 100_000}, "Field cannot be longer"),
    ):
        response = post_event(client, announcement_id, expect=400,
                              **event_form(3.0, description="Typed words stay.", **change))
        page = response.get_data(as_text=True)
        assert message in page, (change, page[-2000:])
        assert "Typed words stay." in page
    page = post_page(app, announcement_id)
    for change, message in (
        ({"answer": "perhaps"}, "Not a valid choice"),
        ({"email": "nobody"}, "nobody"),
        ({"name": "Ana\r\nBcc: x@example.org"}, "line breaks"),
        ({"note": "n" * 5000}, "Field cannot be longer"),
    ):
        response = answer(client, page, event_id, expect=400, **{"note": "see you", **change})
        body = response.get_data(as_text=True)
        assert message in body, (change, body[-2000:])
        assert "see you" in body or change.get("note")  # what was typed is still there
    assert client.get("/events/999/rsvp").status_code == 404
    with app.app_context():
        assert db.session.scalar(sa.select(AnnouncementEvent.sequence)) == 0
