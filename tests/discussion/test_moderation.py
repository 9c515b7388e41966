"""Held posts: the moderator notice's links (a button; only a POST with a valid token acts,
once), the committee's queue and its decisions, and expiry with the sender told."""

from datetime import timedelta
from urllib.parse import urlsplit

import pytest

from listserve.core.db import utcnow
from listserve.extensions import db
from listserve.inbound import moderation
from listserve.inbound.models import InboundMessage
from tests.committee.helpers import log_in, make_member
from tests.discussion.helpers import TALK, discussion_list, post, resolver_with, rows
from tests.inbound.helpers import send

MEMBERS = ["ann@example.net", "bob@example.org"]


@pytest.fixture(autouse=True)
def no_dmarc(app):
    app.config["DMARC_RESOLVER"] = resolver_with({})


@pytest.fixture
def held(app, inbound_receiver, deliver, smtp_sink):
    """A non-member's post, held; the moderator's notice delivered."""
    make_member(app, "mod@example.org", "Mo Derator")
    discussion_list(app, MEMBERS)
    send(inbound_receiver.port, "zed@example.net", TALK,
         post("Zed <zed@example.net>", "Garden day", "Shall we dig on Saturday?\n"))
    deliver()
    [row] = rows(app)
    assert row.status == "held"
    return row


def list_copies(smtp_sink, subject="Garden day"):
    return sorted(m.rcpt_tos[0] for m in smtp_sink.messages
                  if subject in (m.message["Subject"] or "") and m.rcpt_tos[0] in MEMBERS)


def test_the_notice_links_show_a_button_and_only_a_post_approves_once(
        app, client, held, deliver, smtp_sink, post_form):
    [notice] = smtp_sink.to("mod@example.org")
    assert "zed@example.net" in notice.text and "Garden day" in notice.text
    approve = urlsplit(notice.link_to("/moderate/")).path
    page = client.get(approve)
    assert page.status_code == 200 and "Shall we dig on Saturday?" in page.get_data(as_text=True)
    deliver()
    assert list_copies(smtp_sink) == []  # a mail scanner's GET did nothing
    assert client.post(approve, data={}).status_code == 400  # no CSRF token: nothing happens
    assert rows(app)[0].status == "held"
    done = post_form(approve, {})
    assert done.status_code == 200 and "Approved" in done.get_data(as_text=True)
    deliver()
    assert list_copies(smtp_sink) == MEMBERS
    assert rows(app)[0].reason.startswith("approved by")
    answer = client.get(approve)
    again = post_form(approve, {}) if answer.status_code == 200 else answer
    assert again.status_code == 404  # used: the post is no longer held


def test_a_tampered_token_is_refused(client, held):
    assert client.get("/moderate/not-a-token").status_code == 404
    assert client.post("/moderate/not-a-token", data={}).status_code in (400, 404)
    assert rows(client.application)[0].status == "held"


def test_the_discard_link_discards(app, client, held, deliver, smtp_sink, post_form):
    [notice] = smtp_sink.to("mod@example.org")
    discard = [link for link in notice.links() if "/moderate/" in link][1]
    post_form(urlsplit(discard).path, {})
    deliver()
    assert list_copies(smtp_sink) == []
    assert rows(app)[0].reason.startswith("discarded")


def committee_decides(client, post_form, row_id, action, **data):
    if client.get("/committee/held").status_code != 200:
        log_in(client, "mod@example.org")
    page = f"/committee/held/{row_id}"
    return post_form(page, data, action=f"{page}/{action}", follow_redirects=True)


def test_the_queue_shows_the_post_and_its_headers_on_demand(client, held):
    log_in(client, "mod@example.org")
    queue = client.get("/committee/held").get_data(as_text=True)
    assert "Garden day" in queue and "zed@example.net" in queue and "not a member" in queue
    page = client.get(f"/committee/held/{held.id}").get_data(as_text=True)
    assert "Message-ID:" not in page
    with_headers = client.get(f"/committee/held/{held.id}?headers=1").get_data(as_text=True)
    assert "Message-ID:" in with_headers


def test_approve_on_the_web_delivers(app, client, held, deliver, smtp_sink, post_form):
    answer = committee_decides(client, post_form, held.id, "approve")
    assert "Approved" in answer.get_data(as_text=True)
    deliver()
    assert list_copies(smtp_sink) == MEMBERS


def test_approve_and_let_post_freely_lets_the_next_post_through(
        app, client, held, inbound_receiver, deliver, smtp_sink, post_form):
    committee_decides(client, post_form, held.id, "approve_free")
    send(inbound_receiver.port, "zed@example.net", TALK,
         post("zed@example.net", "Seeds", "I have seeds."))
    deliver()
    assert list_copies(smtp_sink, "Seeds") == MEMBERS


def test_reject_tells_the_sender_the_reason_and_needs_one(app, client, held, deliver, smtp_sink,
                                                          post_form):
    refused = committee_decides(client, post_form, held.id, "reject", reason="")
    assert refused.status_code == 400 and "Please say why" in refused.get_data(as_text=True)
    committee_decides(client, post_form, held.id, "reject", reason="Please join the list first.")
    deliver()
    [told] = smtp_sink.to("zed@example.net")
    assert "Please join the list first." in told.text
    assert list_copies(smtp_sink) == []


def test_ban_drops_the_senders_later_posts(app, client, held, inbound_receiver, deliver,
                                          smtp_sink, post_form):
    committee_decides(client, post_form, held.id, "ban")
    send(inbound_receiver.port, "zed@example.net", TALK, post("zed@example.net", "Again", "Hi"))
    deliver()
    assert list_copies(smtp_sink, "Again") == []
    assert "banned" in rows(app)[-1].reason


def test_held_posts_expire_after_the_lists_days_with_the_sender_told(app, held, deliver,
                                                                     smtp_sink):
    with app.app_context():
        assert moderation.expire_held_posts() == 0
        # Received 15 days ago: past the list's 14.
        db.session.get(InboundMessage, held.id).received_at = utcnow() - timedelta(days=15)
        db.session.commit()
        assert moderation.expire_held_posts() == 1
    deliver()
    [told] = smtp_sink.to("zed@example.net")
    assert "within 14 days" in told.text
    with app.app_context():
        assert db.session.get(InboundMessage, held.id).reason.startswith("expired")


def test_bad_input_to_the_decisions_is_a_4xx_that_keeps_what_was_typed(client, held, post_form):
    log_in(client, "mod@example.org")
    page = f"/committee/held/{held.id}"
    long = post_form(page, {"reason": "Spam\0" + "x" * 100_000}, action=f"{page}/reject")
    assert long.status_code == 400 and "xxxxxxxx" in long.get_data(as_text=True)
    assert post_form(page, {}, action=f"{page}/explode").status_code == 404
    assert client.get("/committee/held/99999999999999999999").status_code in (302, 404)
    assert post_form(page, {}, action="/committee/held/99999999999999999999/approve"
                     ).status_code in (302, 404)
