"""The subscribe form stores the request; a worker carries it out."""

import sqlalchemy as sa

from listserve.extensions import db
from listserve.subscriptions.models import (
    ConsentRecord,
    SignupRequest,
    Subscriber,
    Subscription,
)
from tests.subscriptions.helpers import carry_out_signups, subscription_of
from tests.support import csrf_token


def send_form(client, email, name=""):
    token = csrf_token(client.get("/subscribe").get_data(as_text=True))
    return client.post("/subscribe", data={"csrf_token": token, "email": email, "name": name},
                       headers={"User-Agent": "Firefox/140"},
                       environ_base={"REMOTE_ADDR": "198.51.100.7"})


def waiting(app) -> list[SignupRequest]:
    with app.app_context():
        rows = db.session.scalars(sa.select(SignupRequest).order_by(SignupRequest.id)).all()
        db.session.expunge_all()
        return rows


def test_the_form_keeps_what_was_typed_until_a_worker_starts_the_opt_in(
    client, app, smtp_sink, deliver
):
    response = send_form(client, "Dana@Example.net", "Dana Doe")
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/subscribe/check-your-inbox")
    [signup] = waiting(app)
    assert (signup.email, signup.name) == ("Dana@example.net", "Dana Doe")
    assert (signup.ip, signup.user_agent) == ("198.51.100.7", "Firefox/140")
    assert signup.source == "web form /subscribe"
    assert subscription_of(app, "dana@example.net") is None
    assert smtp_sink.messages == []

    deliver()  # the worker beside the web server
    assert waiting(app) == []
    subscription = subscription_of(app, "dana@example.net")
    assert subscription.status == "pending"
    with app.app_context():
        consent = db.session.scalar(sa.select(ConsentRecord))
        assert (consent.ip, consent.user_agent) == ("198.51.100.7", "Firefox/140")
        # The consent was asked for when the person pressed Subscribe, not when it was read.
        assert consent.asked_at == signup.requested_at
        assert db.session.get(Subscriber, subscription.subscriber_id).name == "Dana Doe"
    [confirmation] = smtp_sink.to("Dana@example.net")
    assert confirmation.link_to("/confirm/")


def test_two_quick_requests_for_one_address_send_one_confirmation(client, app, smtp_sink, deliver):
    send_form(client, "erin@example.net")
    send_form(client, "ERIN@example.net", "Erin")
    assert len(waiting(app)) == 2
    deliver()
    assert waiting(app) == []
    assert len(smtp_sink.to("erin@example.net")) == 1
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Subscription.id))) == 1


def test_a_refused_address_is_not_kept(client, app):
    response = send_form(client, "erin@@example", "Erin")
    assert response.status_code == 400
    assert b"erin@@example" in response.data  # what was typed is still in the form
    assert waiting(app) == []


def test_a_request_that_cannot_be_carried_out_keeps_its_reason_and_blocks_nobody(
    client, app, smtp_sink, deliver
):
    # As if stored by an older release that let a line break into a name.
    with app.app_context():
        db.session.add(SignupRequest(email="frank@example.net", name="Frank\r\nBcc: all@x.org",
                                     source="web form /subscribe"))
        db.session.commit()
    send_form(client, "gina@example.net")
    deliver()
    [kept] = waiting(app)
    assert kept.email == "frank@example.net"
    assert "name" in kept.error
    assert subscription_of(app, "frank@example.net") is None
    assert subscription_of(app, "gina@example.net").status == "pending"
    assert len(smtp_sink.to("gina@example.net")) == 1
    assert carry_out_signups(app) == 0  # not tried again
    assert smtp_sink.to("frank@example.net") == []


def test_a_surge_of_sign_ups_gets_one_personal_confirmation_each(client, app, smtp_sink, deliver):
    people = [f"surge{n}@example.net" for n in range(230)]  # more than one round takes
    for n, address in enumerate(people):
        send_form(client, address, f"Surge {n}")
    send_form(client, "SURGE3@example.net")  # the same person twice: one confirmation
    deliver()
    assert waiting(app) == []
    mails = {address: smtp_sink.to(address) for address in people}
    assert all(len(m) == 1 for m in mails.values())
    links = {m[0].link_to("/confirm/") for m in mails.values()}
    reply_tos = {m[0].message["Reply-To"].addresses[0].addr_spec for m in mails.values()}
    assert len(links) == len(reply_tos) == len(people)
    with app.app_context():
        consents = db.session.execute(sa.select(ConsentRecord.ip, ConsentRecord.user_agent)).all()
        assert len(consents) == len(people)
        assert set(consents) == {("198.51.100.7", "Firefox/140")}

    link = mails["surge7@example.net"][0].link_to("/confirm/")
    page = client.get(link)
    token = csrf_token(page.get_data(as_text=True))
    assert client.post(link, data={"csrf_token": token}).status_code == 200
    assert subscription_of(app, "surge7@example.net").status == "confirmed"
    assert subscription_of(app, "surge8@example.net").status == "pending"


def test_the_form_says_what_is_missing_in_the_readers_language(client, app):
    """WTForms' own messages follow the page's language (their catalogues are loaded once per
    process, core.i18n), and a form sent right still just stores the request."""
    token = csrf_token(client.get("/subscribe").get_data(as_text=True))
    expected = {"es": "Este campo es obligatorio.", "en": "This field is required."}
    for language in ("es", "en", "es"):  # one process, the languages in turn
        answer = client.post("/subscribe", data={"csrf_token": token, "email": ""},
                             headers={"Accept-Language": language})
        assert answer.status_code == 400
        assert expected[language] in answer.get_data(as_text=True)
    sent = client.post("/subscribe", data={"csrf_token": token, "email": "fe@example.net"},
                       headers={"Accept-Language": "es"})
    assert sent.status_code == 303
    assert [signup.email for signup in waiting(app)] == ["fe@example.net"]
