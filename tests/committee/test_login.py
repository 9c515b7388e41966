"""Logging in: argon2 passwords, one generic refusal, per-account lockout, per-IP limit, cookies."""

import pytest
import sqlalchemy as sa

from listserve.committee.models import CommitteeMember
from listserve.extensions import db
from tests.committee.helpers import PASSWORD, log_in, make_member, post

GENERIC = "do not match an active account"


def test_a_member_logs_in_and_out(app, client):
    make_member(app, "ana@example.org")
    response = log_in(client, "ANA@example.org")
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/committee/announcements/")
    assert client.get("/committee/announcements/").status_code == 200
    post(client, "/committee/logout")
    assert client.get("/committee/announcements/").status_code == 302


def test_the_password_is_stored_as_an_argon2id_hash(app):
    make_member(app, "ana@example.org")
    with app.app_context():
        stored = db.session.scalar(sa.select(CommitteeMember.password_hash))
    assert stored.startswith("$argon2id$") and PASSWORD not in stored


@pytest.mark.parametrize("email, password", [
    ("ana@example.org", "wrong password here"),
    ("nobody@example.org", PASSWORD),
    ("not an address", PASSWORD),
])
def test_every_refusal_reads_the_same(app, client, email, password):
    make_member(app, "ana@example.org")
    response = log_in(client, email, password)
    assert response.status_code in (400, 401)
    assert GENERIC in response.get_data(as_text=True) or response.status_code == 400
    assert client.get("/committee/announcements/").status_code == 302


def test_a_disabled_member_cannot_log_in(app, client):
    member_id = make_member(app, "ana@example.org")
    with app.app_context():
        db.session.get(CommitteeMember, member_id).enabled = False
        db.session.commit()
    response = log_in(client, "ana@example.org")
    assert response.status_code == 401 and GENERIC in response.get_data(as_text=True)


def test_five_wrong_passwords_lock_the_account_even_against_the_right_one(app, client):
    make_member(app, "ana@example.org")
    for _ in range(5):
        assert log_in(client, "ana@example.org", "guess guess guess").status_code == 401
    response = log_in(client, "ana@example.org")
    assert response.status_code == 401
    assert GENERIC in response.get_data(as_text=True)


def test_the_lockout_ends_after_its_window(app, client):
    from datetime import timedelta

    from freezegun import freeze_time

    from listserve.core.db import utcnow

    make_member(app, "ana@example.org")
    start = utcnow()
    with freeze_time(start) as clock:
        for _ in range(5):
            log_in(client, "ana@example.org", "guess guess guess")
        assert log_in(client, "ana@example.org").status_code == 401
        clock.tick(timedelta(minutes=16))
        assert log_in(client, "ana@example.org").status_code == 303


def test_a_new_password_ends_other_sessions(app):
    make_member(app, "ana@example.org")
    laptop, phone = app.test_client(), app.test_client()
    log_in(laptop, "ana@example.org")
    log_in(phone, "ana@example.org")
    response = post(laptop, "/committee/password", {
        "current": PASSWORD, "password": "a brand new passphrase",
        "confirm": "a brand new passphrase",
    }, page="/committee/password")
    assert response.status_code == 303
    assert laptop.get("/committee/announcements/").status_code == 200
    assert phone.get("/committee/announcements/").status_code == 302
    assert log_in(phone, "ana@example.org", "a brand new passphrase").status_code == 303


def test_a_wrong_current_password_changes_nothing(app, client):
    make_member(app, "ana@example.org")
    log_in(client, "ana@example.org")
    response = post(client, "/committee/password", {
        "current": "not it at all", "password": "a brand new passphrase",
        "confirm": "a brand new passphrase",
    }, page="/committee/password")
    assert response.status_code == 400
    assert "current password is not right" in response.get_data(as_text=True)
    post(client, "/committee/logout")
    assert log_in(client, "ana@example.org").status_code == 303


def test_a_hash_made_with_other_parameters_is_upgraded_at_login(app, app_config):
    from listserve import create_app

    make_member(app, "ana@example.org")
    with app.app_context():
        before = db.session.scalar(sa.select(CommitteeMember.password_hash))
    stronger = create_app({**app_config, "ARGON2_PARAMETERS": {
        "time_cost": 2, "memory_cost": 2048, "parallelism": 1}})
    assert log_in(stronger.test_client(), "ana@example.org").status_code == 303
    with stronger.app_context():
        db.session.remove()
        db.engine.dispose()
    with app.app_context():
        after = db.session.scalar(sa.select(CommitteeMember.password_hash))
    assert "m=1024,t=1" in before and "m=2048,t=2" in after
