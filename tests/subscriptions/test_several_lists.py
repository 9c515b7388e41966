"""Subscribing to several lists: the form offers the public ones, one confirmation confirms
every list asked for, each consent record names its list and keeps that list's own text,
and leaving by a mail's link leaves only the list that sent it."""

import re
from urllib.parse import urlsplit

import sqlalchemy as sa
from markupsafe import escape

from listserve.extensions import db
from listserve.subscriptions.models import ConsentRecord, Subscriber, Subscription
from tests.subscriptions.helpers import carry_out_signups, press_button, subscribe
from tests.subscriptions.lists_helpers import default_list_id, make_list, states
from tests.support import csrf_token

TALK_CONSENT = "I want the discussion by email; I can leave at any time."


def path(url: str) -> str:
    return urlsplit(url).path


def test_the_form_offers_public_lists_with_the_main_one_ticked(app, client):
    talk = make_list(app, "talk", "Network talk", consent_text=TALK_CONSENT)
    make_list(app, "secret", "Hidden working group", public=False)
    gone = make_list(app, "old", "Old list")
    with app.app_context():
        from listserve.core.db import utcnow
        from listserve.core.lists import MailingList

        db.session.get(MailingList, gone).archived_at = utcnow()
        db.session.commit()
    page = client.get("/subscribe").get_data(as_text=True)
    assert "Network talk" in page and TALK_CONSENT in page
    assert "Hidden working group" not in page and "Old list" not in page
    boxes = {int(re.search(r'value="(\d+)"', tag).group(1)): "checked" in tag
             for tag in re.findall(r'<input[^>]*type="checkbox"[^>]*>', page)}
    assert boxes == {default_list_id(app): True, talk: False}


def test_one_confirmation_joins_both_lists_and_consent_names_each(app, client, smtp_sink,
                                                                   deliver):
    talk = make_list(app, "talk", "Network talk", consent_text=TALK_CONSENT,
                     welcome_text="Say hello to the others!")
    main = default_list_id(app)
    response = subscribe(client, "dana@example.net", "Dana", lists=[main, talk], choosing="1")
    assert response.status_code == 303
    assert states(app, "dana@example.net") == {main: "pending", talk: "pending"}
    deliver()
    [confirmation] = smtp_sink.to("dana@example.net")
    assert "Network announcements" in confirmation.text and "Network talk" in confirmation.text
    page = client.get(path(confirmation.link_to("/confirm/"))).get_data(as_text=True)
    assert TALK_CONSENT in page and escape(app.config["CONSENT_TEXT"]) in page
    assert press_button(client, path(confirmation.link_to("/confirm/"))).status_code == 200
    assert states(app, "dana@example.net") == {main: "confirmed", talk: "confirmed"}

    with app.app_context():
        records = {
            record.subscription.mailing_list.slug: (record.consent_text.text,
                                                    record.confirmed_at is not None)
            for record in db.session.scalars(sa.select(ConsentRecord))
        }
    assert records == {"announcements": (app.config["CONSENT_TEXT"], True),
                       "talk": (TALK_CONSENT, True)}
    deliver()
    welcomes = {m.message["Subject"]: m for m in smtp_sink.to("dana@example.net")[1:]}
    assert set(welcomes) == {"Welcome to Network announcements", "Welcome to Network talk"}
    assert "Say hello to the others!" in welcomes["Welcome to Network talk"].text

    # One click from the talk list's mail leaves that list alone.
    one_click = path(welcomes["Welcome to Network talk"].link_to("/u/"))
    left = client.post(one_click, data={"List-Unsubscribe": "One-Click"})
    assert left.status_code == 200
    assert states(app, "dana@example.net") == {main: "confirmed", talk: "unsubscribed"}


def test_no_list_ticked_keeps_what_was_typed(app, client):
    make_list(app, "talk", "Network talk")
    page = client.get("/subscribe")
    response = client.post("/subscribe", data={
        "csrf_token": csrf_token(page.get_data(as_text=True)), "email": "erin@example.net",
        "name": "Erin Typed", "choosing": "1"})
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert "Please tick at least one list" in text
    assert "erin@example.net" in text and "Erin Typed" in text
    garbage = client.post("/subscribe", data={
        "csrf_token": csrf_token(page.get_data(as_text=True)), "email": "erin@example.net",
        "choosing": "1", "lists": ["x\x00", "9" * 400]})
    assert garbage.status_code == 400
    # Thirty ids near 2**31 fit the form's bounds but not the stored request: refused, not a 500.
    many = client.post("/subscribe", data={
        "csrf_token": csrf_token(page.get_data(as_text=True)), "email": "erin@example.net",
        "choosing": "1", "lists": [str(2**31 - 1 - n) for n in range(30)]})
    assert many.status_code == 400
    assert "Please tick only lists shown here" in many.get_data(as_text=True)


def test_a_hidden_list_cannot_be_joined_from_the_form(app, client):
    secret = make_list(app, "secret", "Hidden working group", public=False)
    main = default_list_id(app)
    subscribe(client, "fay@example.net", lists=[secret, main], choosing="1")
    assert states(app, "fay@example.net") == {main: "pending"}
    subscribe(client, "gus@example.net", lists=[secret], choosing="1")
    assert states(app, "gus@example.net") == {}


def test_the_short_footer_form_joins_the_main_list(app, client):
    make_list(app, "talk", "Network talk")
    subscribe(client, "hal@example.net")
    assert states(app, "hal@example.net") == {default_list_id(app): "pending"}


def test_a_request_for_a_list_archived_meanwhile_is_kept_with_its_reason(app, client):
    talk = make_list(app, "talk", "Network talk")
    page = client.get("/subscribe")
    client.post("/subscribe", data={"csrf_token": csrf_token(page.get_data(as_text=True)),
                                    "email": "ivy@example.net", "choosing": "1",
                                    "lists": [talk]})
    from listserve.committee.list_settings import change_list
    from listserve.core.lists import MailingList
    from listserve.subscriptions.models import SignupRequest

    with app.app_context():
        change_list("test", db.session.get(MailingList, talk), {"archived": True})
        db.session.commit()
    carry_out_signups(app)
    with app.app_context():
        [kept] = db.session.scalars(sa.select(SignupRequest)).all()
        assert "no list" in kept.error
        assert db.session.scalar(sa.select(sa.func.count(Subscriber.id))) == 0
        assert db.session.scalar(sa.select(sa.func.count(Subscription.id))) == 0
