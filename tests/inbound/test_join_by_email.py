"""Joining by email, over a real LMTP socket: -join or "subscribe" to -request starts the
same double opt-in as the web form; replying to the confirmation, or its link, confirms."""

from urllib.parse import urlsplit

from tests.inbound.helpers import JOIN, REQUEST, inbound_rows, mail, send
from tests.subscriptions.helpers import press_button, subscription_of


def join_and_get_confirmation(inbound_receiver, deliver, smtp_sink, address="alice@example.net"):
    data = mail(f"Alice Activist <{address}>", JOIN, "please add me")
    assert send(inbound_receiver.port, address, JOIN, data) == 250
    deliver()
    [confirmation] = smtp_sink.to(address)
    return confirmation


def test_join_by_email_then_confirm_by_reply(inbound_receiver, app, deliver, smtp_sink):
    confirmation = join_and_get_confirmation(inbound_receiver, deliver, smtp_sink)
    message = confirmation.message
    assert message["Auto-Submitted"] == "auto-replied"
    assert "confirm" in message["Subject"].lower()
    subscription = subscription_of(app, "alice@example.net")
    assert subscription.status == "pending"
    assert subscription_of(app, "alice@example.net") is not None

    reply_to = message["Reply-To"].addresses[0].addr_spec
    local_part, domain = reply_to.split("@")
    assert local_part.startswith("announcements-confirm+")
    assert domain == "lists.example.org"
    assert len(local_part) <= 64
    assert "alice" not in local_part

    reply = mail("Alice <alice@example.net>", reply_to, "Re: " + message["Subject"],
                 "yes please\n\n> Someone, probably you, asked ...",
                 In_Reply_To=message["Message-ID"])
    assert send(inbound_receiver.port, "alice@example.net", reply_to, reply) == 250
    assert subscription_of(app, "alice@example.net").status == "confirmed"

    deliver()
    welcome = smtp_sink.to("alice@example.net")[-1]
    assert "Welcome" in welcome.message["Subject"]
    # A second reply (people do) changes nothing and sends nothing.
    assert send(inbound_receiver.port, "alice@example.net", reply_to, reply) == 250
    deliver()
    assert len(smtp_sink.to("alice@example.net")) == 2
    assert inbound_rows(app)[-1].reason == "confirmation code already used or not valid"


def test_join_by_email_then_confirm_by_link(inbound_receiver, app, client, deliver, smtp_sink):
    confirmation = join_and_get_confirmation(inbound_receiver, deliver, smtp_sink)
    confirm_path = urlsplit(confirmation.link_to("/confirm/")).path
    assert b"Welcome aboard" in press_button(client, confirm_path).data
    subscription = subscription_of(app, "alice@example.net")
    assert subscription.status == "confirmed"
    # The code in the Reply-To died with the confirmation: it was single-use.
    reply_to = confirmation.message["Reply-To"].addresses[0].addr_spec
    send(inbound_receiver.port, "alice@example.net", reply_to, mail("alice@example.net", reply_to))
    assert inbound_rows(app)[-1].reason == "confirmation code already used or not valid"


def test_consent_records_email_as_the_source(inbound_receiver, app, deliver, smtp_sink):
    from listserve.extensions import db
    from listserve.subscriptions.models import Subscription

    join_and_get_confirmation(inbound_receiver, deliver, smtp_sink)
    with app.app_context():
        subscription = db.session.get(Subscription, subscription_of(app, "alice@example.net").id)
        [consent] = subscription.consents
        assert consent.source == "email"
        assert consent.ip == "127.0.0.1"
        assert subscription.subscriber.name == "Alice Activist"


def test_subscribe_in_the_subject_to_request(inbound_receiver, app, deliver, smtp_sink):
    data = mail("bob@example.net", REQUEST, "subscribe")
    assert send(inbound_receiver.port, "bob@example.net", REQUEST, data) == 250
    deliver()
    [confirmation] = smtp_sink.to("bob@example.net")
    assert confirmation.message["Reply-To"].addresses[0].addr_spec.startswith(
        "announcements-confirm+"
    )
    assert inbound_rows(app)[-1].kind == "join"


def test_subscribe_in_the_body_to_request(inbound_receiver, app, deliver, smtp_sink):
    data = mail("bob@example.net", REQUEST, "", "\nsubscribe\n-- \nBob")
    send(inbound_receiver.port, "bob@example.net", REQUEST, data)
    assert subscription_of(app, "bob@example.net").status == "pending"


def test_joining_twice_by_email_sends_one_confirmation(inbound_receiver, deliver, smtp_sink):
    """The same per-address limit as the web form: one confirmation per interval."""
    for _ in range(3):
        send(inbound_receiver.port, "carol@example.net", JOIN, mail("carol@example.net", JOIN))
    deliver()
    assert len(smtp_sink.to("carol@example.net")) == 1


def test_web_confirmation_can_be_answered_by_reply(inbound_receiver, client, app, deliver,
                                                   smtp_sink):
    """Every confirmation mail carries the reply address, whatever started it."""
    from tests.subscriptions.helpers import subscribe

    subscribe(client, "dan@example.net")
    deliver()
    [confirmation] = smtp_sink.to("dan@example.net")
    assert confirmation.message["Auto-Submitted"] == "auto-generated"  # not a reply to mail
    reply_to = confirmation.message["Reply-To"].addresses[0].addr_spec
    send(inbound_receiver.port, "dan@example.net", reply_to, mail("dan@example.net", reply_to))
    assert subscription_of(app, "dan@example.net").status == "confirmed"


def test_a_tampered_code_confirms_nothing(inbound_receiver, app, deliver, smtp_sink):
    confirmation = join_and_get_confirmation(inbound_receiver, deliver, smtp_sink)
    reply_to = confirmation.message["Reply-To"].addresses[0].addr_spec
    local, domain = reply_to.split("@")
    flipped = local[:-1] + ("0" if local[-1] != "0" else "1")
    forged = f"{flipped}@{domain}"
    assert send(inbound_receiver.port, "alice@example.net", forged,
                mail("alice@example.net", forged)) == 250
    assert subscription_of(app, "alice@example.net").status == "pending"


def test_a_join_mail_in_spanish_makes_a_spanish_subscription(inbound_receiver, app, deliver,
                                                             smtp_sink):
    """Issue 22: the request mail's Content-Language (else Accept-Language) is the language
    of the subscription and of its mail; without either, the site default."""
    # (Added to the header by hand: setting a body drops Content-* fields.)
    data = mail("Ana <ana@example.net>", JOIN, "alta").replace(
        b"Subject:", b"Content-Language: es-MX\r\nSubject:", 1)
    assert send(inbound_receiver.port, "ana@example.net", JOIN, data) == 250
    data = mail("Bo <bo@example.net>", JOIN, "join", Accept_Language="de, es;q=0.5")
    assert send(inbound_receiver.port, "bo@example.net", JOIN, data) == 250
    data = mail("Cy <cy@example.net>", JOIN, "join")
    assert send(inbound_receiver.port, "cy@example.net", JOIN, data) == 250
    deliver()
    assert subscription_of(app, "ana@example.net").language == "es"
    assert subscription_of(app, "bo@example.net").language == "es"
    assert subscription_of(app, "cy@example.net").language is None
    [confirmation] = smtp_sink.to("ana@example.net")
    assert confirmation.message["Content-Language"] == "es"
    assert confirmation.message["Subject"].startswith("Confirma, por favor")
    [english] = smtp_sink.to("cy@example.net")
    assert english.message["Content-Language"] == "en"
