"""Invite and password-reset links expire, work once, and only for their own purpose."""

from datetime import timedelta

import pytest
from freezegun import freeze_time

from listserve.core.db import utcnow
from tests.committee.helpers import PASSWORD, audit_actions, log_in, make_member
from tests.support import csrf_token

NEW = "a fresh long passphrase"


def set_password_via(client, link, password=NEW):
    page = client.get(link)
    if page.status_code != 200:
        return page
    return client.post(link, data={"csrf_token": csrf_token(page.get_data(as_text=True)),
                                   "password": password, "confirm": password})


def invite(app, deliver, smtp_sink, email="new@example.org", role="member"):
    make_member(app, "root@example.org", "Root", role="admin")
    admin = app.test_client()
    log_in(admin, "root@example.org")
    page = admin.get("/committee/members/invite").get_data(as_text=True)
    response = admin.post("/committee/members/invite", data={
        "csrf_token": csrf_token(page), "email": email, "name": "Newcomer", "role": role})
    assert response.status_code == 303
    deliver()
    [mail] = smtp_sink.to(email)
    return mail.link_to("/committee/invite/").replace("http://localhost", "")


def request_reset(client, deliver, smtp_sink, email="ana@example.org"):
    page = client.get("/committee/reset").get_data(as_text=True)
    response = client.post("/committee/reset", data={"csrf_token": csrf_token(page),
                                                     "email": email})
    assert response.status_code == 200 and "Check your inbox" in response.get_data(as_text=True)
    deliver()
    mails = smtp_sink.to(email)
    return mails[-1].link_to("/committee/reset/").replace("http://localhost", "") if mails else None


def test_an_invited_member_sets_a_password_once(app, client, deliver, smtp_sink):
    link = invite(app, deliver, smtp_sink)
    assert log_in(client, "new@example.org", "anything at all!").status_code == 401
    response = set_password_via(client, link)
    assert response.status_code == 303
    assert client.get("/committee/announcements/").status_code == 200
    again = set_password_via(app.test_client(), link, "another passphrase!!")
    assert again.status_code == 404
    assert log_in(app.test_client(), "new@example.org", NEW).status_code == 303
    assert [a for a, *_ in audit_actions(app)][-3:] == ["invited", "accepted invite", "logged in"]


def test_an_invite_expires(app, client, deliver, smtp_sink):
    link = invite(app, deliver, smtp_sink)
    with freeze_time(utcnow() + timedelta(days=8)):
        assert client.get(link).status_code == 410


def test_an_invite_link_is_no_reset_link(app, client, deliver, smtp_sink):
    link = invite(app, deliver, smtp_sink)
    assert client.get(link.replace("/invite/", "/reset/")).status_code == 404


def test_a_password_reset_works_once(app, client, deliver, smtp_sink):
    make_member(app, "ana@example.org")
    link = request_reset(client, deliver, smtp_sink)
    assert set_password_via(client, link).status_code == 303
    assert set_password_via(app.test_client(), link, "yet another passphrase").status_code == 404
    assert log_in(app.test_client(), "ana@example.org", PASSWORD).status_code == 401
    assert log_in(app.test_client(), "ana@example.org", NEW).status_code == 303


def test_a_reset_link_expires_after_an_hour(app, client, deliver, smtp_sink):
    make_member(app, "ana@example.org")
    link = request_reset(client, deliver, smtp_sink)
    with freeze_time(utcnow() + timedelta(minutes=61)):
        assert client.get(link).status_code == 410
        assert set_password_via(client, link).status_code == 410


def test_a_reset_link_is_no_invite_link(app, client, deliver, smtp_sink):
    make_member(app, "ana@example.org")
    link = request_reset(client, deliver, smtp_sink)
    assert client.get(link.replace("/reset/", "/invite/")).status_code == 404


def test_an_older_reset_link_dies_when_the_password_changes(app, client, deliver, smtp_sink):
    make_member(app, "ana@example.org")
    first = request_reset(client, deliver, smtp_sink)
    second = request_reset(client, deliver, smtp_sink)
    assert set_password_via(client, second).status_code == 303
    assert client.get(first).status_code == 404


def test_a_reset_for_an_unknown_address_looks_the_same_and_sends_nothing(
    app, client, deliver, smtp_sink
):
    assert request_reset(client, deliver, smtp_sink, "nobody@example.org") is None
    assert smtp_sink.messages == []


@pytest.mark.parametrize("password", ["short", ""])
def test_a_too_short_password_is_refused_and_the_link_still_works(
    app, client, deliver, smtp_sink, password
):
    make_member(app, "ana@example.org")
    link = request_reset(client, deliver, smtp_sink)
    response = set_password_via(client, link, password)
    assert response.status_code == 400
    assert set_password_via(client, link).status_code == 303
