"""What one subscriber's copy of an announcement looks like on the wire (a real SMTP server)."""

import base64

import dkim
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from listserve.delivery.models import OutboxEntry
from listserve.delivery.outbox import UNSUBSCRIBE_URL
from listserve.delivery.verp import parse_bounce_address
from listserve.extensions import db
from tests.delivery.helpers import add_confirmed, announce, received

LIST_HEADERS = {
    "from", "to", "subject", "date", "message-id", "reply-to", "list-id", "list-unsubscribe",
    "list-unsubscribe-post", "list-archive", "archived-at", "list-post", "list-help",
    "precedence", "mime-version", "content-type",
}


def lines(body: str) -> str:
    """A mail reader's view of a body: the parser keeps the wire's CRLF line ends."""
    return body.replace("\r\n", "\n")


def copy_for(sink, address):
    [copy] = sink.to(address)
    return copy


def test_a_copy_has_exactly_the_list_headers(app, deliver, smtp_sink):
    people = ["ann@example.net", "ben@example.net", "cat@example.net"]
    add_confirmed(app, people, {"ann@example.net": "Ann Example"})
    announce(app, reply_to="Author <author@example.org>")
    deliver()
    assert received(smtp_sink) == people
    copy = copy_for(smtp_sink, "ann@example.net")
    message = copy.message
    assert {name.lower() for name in message} == LIST_HEADERS
    assert len(message.keys()) == len(LIST_HEADERS)  # none twice
    assert message["From"] == "Network announcements <announcements@lists.example.org>"
    assert message["Reply-To"] == "Author <author@example.org>"
    assert message["To"] == "Ann Example <ann@example.net>"
    assert message["List-Id"] == "Network announcements <announcements.lists.example.org>"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message["List-Archive"] == "<http://localhost/archive>"
    assert message["Archived-At"] == "<http://localhost/archive/2026/launch-news>"
    assert message["List-Post"] == "NO"
    assert message["List-Help"] == (
        "<mailto:announcements-request@lists.example.org?subject=help>"
    )
    assert message["Precedence"] == "list"
    assert message["Message-ID"].endswith("@lists.example.org>")
    url = copy.link_to("/u/")
    assert message["List-Unsubscribe"] == (
        f"<{url}>, <mailto:announcements-leave@lists.example.org?subject=unsubscribe>"
    )
    assert lines(copy.text) == f"Hello all.\n\nLeave: {url}\n"
    assert lines(copy.html) == f'<p>Hello all.</p><p><a href="{url}">Leave</a></p>\n'


def test_each_copy_is_personal(app, deliver, smtp_sink):
    people = [f"person{i}@example.net" for i in range(5)]
    add_confirmed(app, people)
    announce(app)
    deliver()
    message_ids, links = set(), set()
    for person in people:
        copy = copy_for(smtp_sink, person)
        assert copy.rcpt_tos == [person]
        raw = copy.data.decode("ascii")
        assert [p for p in people if p in raw] == [person]  # nobody else's address
        message_ids.add(copy.message["Message-ID"])
        links.add(copy.link_to("/u/"))
    assert len(message_ids) == len(links) == len(people)


def test_envelope_sender_is_the_copy_s_verp_address(app, deliver, smtp_sink):
    add_confirmed(app, ["ann@example.net", "ben@example.net"])
    announce(app)
    deliver()
    with app.app_context():
        for copy in smtp_sink.messages:
            local, domain = copy.mail_from.split("@")
            assert domain == "lists.example.org"
            assert local.startswith("bounces+")
            entry = db.session.get(OutboxEntry, parse_bounce_address(copy.mail_from))
            assert entry.recipient == copy.rcpt_tos[0]
            assert entry.status == "sent"
            assert entry.message_id == copy.message["Message-ID"]
            forged = copy.mail_from.replace("bounces+", "bounces+a")
            assert parse_bounce_address(forged) is None
        assert parse_bounce_address(f"bounces+{entry.id}@lists.example.org") is None


def test_non_ascii_and_awkward_bodies_arrive_intact(app, deliver, smtp_sink):
    add_confirmed(app, ["zoe@example.net"], {"zoe@example.net": "Zoë Ørsted, \"Z\""})
    text = (
        "Réunion à Montréal — 東京 too.\n"
        ".a line that starts with a dot\n"
        "trailing spaces   \n"
        "= an equals sign and a long line " + "é" * 120 + "\n"
        f"Leave: {UNSUBSCRIBE_URL}  (two spaces after)\n"
        "x" * 500 + "\n"
    )
    html = f"<p>Réunion — 東京</p>\n<p><a href=\"{UNSUBSCRIBE_URL}\">Désabonner</a></p>\n"
    announce(app, subject="Réunion à Montréal — 東京 " + "long " * 30, text=text, html=html)
    deliver()
    copy = copy_for(smtp_sink, "zoe@example.net")
    url = copy.link_to("/u/")
    assert lines(copy.text) == text.replace(UNSUBSCRIBE_URL, url)
    assert lines(copy.html) == html.replace(UNSUBSCRIBE_URL, url)
    assert copy.message["Subject"] == "Réunion à Montréal — 東京 " + "long " * 30
    assert copy.message["To"].addresses[0].display_name == "Zoë Ørsted, \"Z\""
    assert all(len(line) <= 78 for line in copy.data.split(b"\r\n"))  # 7-bit, short lines
    assert copy.data.isascii()


def test_a_body_without_the_link_still_shows_one(app, deliver, smtp_sink):
    add_confirmed(app, ["ann@example.net"])
    announce(app, text="No link here.\n", html="<html><body><p>None</p></body></html>")
    deliver()
    copy = copy_for(smtp_sink, "ann@example.net")
    url = copy.link_to("/u/")
    assert url in copy.html


def test_notices_are_auto_submitted_without_list_headers(app, client, deliver, smtp_sink):
    from tests.subscriptions.helpers import subscribe

    subscribe(client, "new@example.net")
    deliver()
    copy = copy_for(smtp_sink, "new@example.net")
    assert copy.message["Auto-Submitted"] == "auto-generated"
    assert "List-Id" not in copy.message
    assert "List-Unsubscribe" not in copy.message
    assert copy.message["Message-ID"].endswith("@lists.example.org>")
    with app.app_context():
        assert parse_bounce_address(copy.mail_from) is not None


@pytest.fixture(scope="module")
def dkim_key(tmp_path_factory):
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    path = tmp_path_factory.mktemp("dkim") / "key.pem"
    path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                       serialization.PrivateFormat.TraditionalOpenSSL,
                                       serialization.NoEncryption()))
    public = key.public_key().public_bytes(serialization.Encoding.DER,
                                           serialization.PublicFormat.SubjectPublicKeyInfo)
    return path, b"v=DKIM1; k=rsa; p=" + base64.b64encode(public)


@pytest.mark.parametrize("pipelining", [True, False])
def test_dkim_signature_verifies_on_the_bytes_received(app, deliver, smtp_sink, dkim_key,
                                                       pipelining):
    path, record = dkim_key
    app.config.update(DKIM_SELECTOR="s2026", DKIM_PRIVATE_KEY_PATH=str(path),
                      MAIL_PIPELINING=pipelining)
    add_confirmed(app, ["ann@example.net"], {"ann@example.net": "Ann Ëxample"})
    announce(app, text=f"Ünïcode.\n.dot line\nLeave: {UNSUBSCRIBE_URL}\n")
    deliver()
    copy = copy_for(smtp_sink, "ann@example.net")
    asked = []

    def dns(name, timeout=5):
        asked.append(name)
        return record

    assert dkim.verify(copy.data, dnsfunc=dns)
    assert asked == [b"s2026._domainkey.lists.example.org."]
    tags = dict(
        part.strip().split("=", 1)
        for part in copy.message["DKIM-Signature"].replace("\r\n", "").split(";")
    )
    signed = [h.strip() for h in tags["h"].split(":")]
    for name in ("from", "to", "subject", "date", "message-id", "list-id", "list-unsubscribe",
                 "list-unsubscribe-post", "list-archive", "list-post", "mime-version",
                 "content-type"):
        assert name in signed
    for oversigned in ("from", "list-unsubscribe", "list-unsubscribe-post"):
        assert signed.count(oversigned) == 2
    assert tags["d"] == "lists.example.org"
    tampered = copy.data.replace(b"List-Post: NO", b"List-Post: <mailto:x@example.org>")
    assert not dkim.verify(tampered, dnsfunc=dns)


def test_with_an_ed25519_key_every_copy_carries_two_signatures_that_verify(
        app, client, deliver, smtp_sink, tmp_path):
    from tests.delivery.dkim_support import ED25519_KEY, RSA_KEY, dns_for, pem, record, verified
    from tests.subscriptions.helpers import subscribe

    (tmp_path / "rsa.pem").write_bytes(pem(RSA_KEY))
    (tmp_path / "ed.pem").write_bytes(pem(ED25519_KEY))
    app.config.update(DKIM_SELECTOR="r1", DKIM_PRIVATE_KEY_PATH=str(tmp_path / "rsa.pem"),
                      DKIM_ED25519_SELECTOR="e1",
                      DKIM_ED25519_PRIVATE_KEY_PATH=str(tmp_path / "ed.pem"))
    dns = dns_for({"r1._domainkey.lists.example.org.": record(RSA_KEY),
                   "e1._domainkey.lists.example.org.": record(ED25519_KEY)})
    people = ["ann@example.net", "ben@example.net", "cat@example.net"]
    add_confirmed(app, people, {"ann@example.net": "Ann Ëxample " * 8})  # a folded To
    long_line = "word " * 300  # past 998 characters, with spaces left at line ends
    announce(app, subject="Spring gathering: " + "the agenda, the travel fund " * 6,
             text=f"Hello all.   \n\n{long_line}\n.dot line\t\nLeave: {UNSUBSCRIBE_URL}\n\n\n",
             html=None, reply_to="Author <author@example.org>")
    subscribe(client, "new@example.net")  # a notice: no list headers, no link slot
    deliver()
    for address in [*people, "new@example.net"]:
        copy = copy_for(smtp_sink, address)
        assert verified(copy.data, dns) == [True, True], address
        algorithms = [copy.message.get_all("DKIM-Signature")[i].split("a=")[1][:14]
                      for i in (0, 1)]
        assert algorithms == ["rsa-sha256; c=", "ed25519-sha256"]
    # The confirmation request carries a Reply-To of its own (replying confirms), signed too.
    assert copy_for(smtp_sink, "new@example.net").message["Reply-To"]
    announcement = copy_for(smtp_sink, "ben@example.net").message
    for signature in announcement.get_all("DKIM-Signature"):
        signed = signature.replace("\r\n", "").replace("\t", "").split("h=")[1].split(";")[0]
        assert "list-unsubscribe-post" in signed.split(":")
