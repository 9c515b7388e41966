"""Garbage posted to every new form (NUL bytes, invalid UTF-8, huge numbers and strings) gets
a 4xx, never a 500, and stores nothing."""

import sqlalchemy as sa

from listserve.announcements.event_models import EventRsvp
from listserve.extensions import db
from listserve.members.models import Member
from tests.announcements.event_helpers import event_form, post_page, sent_announcement_with_event
from tests.announcements.helpers import BASE
from tests.members.helpers import ORGANISATION
from tests.support import csrf_token

GARBAGE = ["a\x00b", "\udcff".encode("utf-8", "surrogatepass").decode("latin-1"),
           "9" * 40, "x" * 100_000, "-1", ""]


def _post_each(client, page_url, action, base: dict, fields) -> list[int]:
    statuses = []
    for field in fields:
        for value in GARBAGE:
            token = csrf_token(client.get(page_url).get_data(as_text=True))
            response = client.post(action, data={**base, "csrf_token": token, field: value})
            statuses.append((field, value[:10], response.status_code))
    return statuses


def test_every_new_form_answers_garbage_with_a_4xx(app, client):
    announcement_id, event_id = sent_announcement_with_event(app, client)
    join_fields = [*ORGANISATION, "principles", "nickname"]
    results = _post_each(client, "/join", "/join", ORGANISATION, join_fields)
    event_url = f"{BASE}/{announcement_id}/events"
    results += _post_each(client, event_url, event_url, event_form(), [*event_form()])
    page = post_page(app, announcement_id)
    rsvp = {"answer": "yes", "name": "Ana", "email": "ana@example.org", "note": ""}
    results += _post_each(client, page, f"/events/{event_id}/rsvp", rsvp, [*rsvp])
    member_id = 12345678901234567890  # more than any database integer
    for url in (f"/committee/network-members/{member_id}", f"/events/{member_id}/rsvp",
                f"/events/{member_id}.ics", "/members/entry/%00", "/join/verify/%ff"):
        results.append((url, "", client.get(url).status_code))
    for url in ("/members?q=%00&sector=%ff&region=" + "r" * 5000,):
        results.append((url[:20], "", client.get(url).status_code))
    server_errors = [r for r in results if r[2] >= 500]
    assert not server_errors
    with app.app_context():
        # Garbage in one field leaves the others well formed: at most the entry and the answer
        # whose garbage was an acceptable value (an empty note, a long number as a name) stay,
        # one per address.
        assert db.session.scalar(sa.select(sa.func.count(Member.id))) <= 1
        assert db.session.scalar(sa.select(sa.func.count(EventRsvp.id))) <= 1
