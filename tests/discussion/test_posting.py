"""Posting to a discussion list by email, through the real LMTP receiver, to a real SMTP sink."""

import pytest

from tests.discussion.helpers import TALK, discussion_list, post, resolver_with, rows
from tests.inbound.helpers import send

MEMBERS = ["ann@example.net", "bob@example.org", "cy@example.com"]


@pytest.fixture(autouse=True)
def no_dmarc(app):
    app.config["DMARC_RESOLVER"] = resolver_with({})


def copies(smtp_sink, subject_part):
    return [m for m in smtp_sink.messages if subject_part in (m.message["Subject"] or "")]


def test_a_members_post_reaches_every_subscriber_with_list_headers(
        app, inbound_receiver, deliver, smtp_sink):
    discussion_list(app, MEMBERS)
    raw = post("Ann <ann@example.net>", "Picnic on Sunday?", "Who brings the bread?\n",
               message_id="<picnic-1@example.net>")
    assert send(inbound_receiver.port, "ann@example.net", TALK, raw) == 250
    deliver()
    got = copies(smtp_sink, "Picnic on Sunday?")
    assert sorted(m.rcpt_tos[0] for m in got) == sorted(MEMBERS)
    for copy in got:
        msg = copy.message
        assert msg["Subject"] == "[talk] Picnic on Sunday?"
        assert msg["From"] == "Ann <ann@example.net>"
        assert msg["List-Id"].endswith("<talk.lists.example.org>")
        assert msg["List-Post"] == "<mailto:talk@lists.example.org>"
        assert msg["X-Loop"] == TALK
        assert "List-Unsubscribe" in msg and "Archived-At" in msg
        assert "Who brings the bread?" in copy.text
        assert "Talk is the network's open list." in copy.text
        assert msg["To"].endswith(f"{copy.rcpt_tos[0]}>") or msg["To"] == copy.rcpt_tos[0]
    # One personal unsubscribe link each.
    assert len({m.message["List-Unsubscribe"] for m in got}) == len(MEMBERS)
    [row] = rows(app)
    assert row.kind == "post" and row.status == "handled" and row.reason.startswith("posted")


def test_a_reply_keeps_its_threading_headers(app, inbound_receiver, deliver, smtp_sink):
    discussion_list(app, MEMBERS)
    send(inbound_receiver.port, "ann@example.net", TALK,
         post("ann@example.net", "Picnic", "Sunday?", message_id="<p1@example.net>"))
    reply = post("bob@example.org", "Re: [talk] Picnic", "> Sunday?\nYes!",
                 message_id="<p2@example.net>", In_Reply_To="<p1@example.net>",
                 References="<p1@example.net>")
    send(inbound_receiver.port, "bob@example.org", TALK, reply)
    deliver()
    [copy] = [m for m in copies(smtp_sink, "Re: [talk] Picnic") if m.rcpt_tos == ["cy@example.com"]]
    assert copy.message["In-Reply-To"] == "<p1@example.net>"
    assert copy.message["References"] == "<p1@example.net>"
    assert copy.message["Subject"] == "Re: [talk] Picnic"  # the prefix not doubled


@pytest.mark.parametrize("headers, why", [
    ({"List_Id": "Talk <talk.lists.example.org>"}, "List-Id"),
    ({"X_Loop": TALK}, "X-Loop"),
    ({"Auto_Submitted": "auto-replied"}, "Auto-Submitted"),
    ({"Precedence": "bulk"}, "Precedence"),
])
def test_loops_and_auto_replies_are_not_redistributed(app, inbound_receiver, deliver, smtp_sink,
                                                      headers, why):
    discussion_list(app, MEMBERS)
    raw = post("ann@example.net", "Out of office", "Back Monday.", **headers)
    assert send(inbound_receiver.port, "ann@example.net", TALK, raw) == 250
    deliver()
    assert not copies(smtp_sink, "Out of office")
    [row] = rows(app)
    assert row.status == "handled" and "not redistributed" in row.reason and why in row.reason


@pytest.mark.parametrize("policy", ["hold", "reject", "discard"])
def test_a_non_members_post_follows_the_list_policy(app, inbound_receiver, deliver, smtp_sink,
                                                    policy):
    discussion_list(app, MEMBERS, nonmember_policy=policy)
    send(inbound_receiver.port, "zed@example.net", TALK,
         post("zed@example.net", "Buy now", "Cheap!"))
    deliver()
    assert not [m for m in copies(smtp_sink, "Buy now") if m.rcpt_tos[0] in MEMBERS]
    [row] = rows(app)
    told = smtp_sink.to("zed@example.net")
    if policy == "hold":
        assert row.status == "held" and "not a member" in row.reason
        assert not told
    elif policy == "reject":
        assert row.status == "handled" and row.reason.startswith("rejected")
        [bounce] = told
        assert "Only subscribers of Talk can post" in bounce.text
        assert bounce.message["Auto-Submitted"] == "auto-replied"
    else:
        assert row.status == "handled" and row.reason.startswith("discarded")
        assert not told


def test_a_members_first_posts_are_held_when_the_list_says_so(app, inbound_receiver, deliver,
                                                              smtp_sink):
    discussion_list(app, MEMBERS, moderate_first_posts=1)
    send(inbound_receiver.port, "ann@example.net", TALK, post("ann@example.net", "Hi", "First"))
    [row] = rows(app)
    assert row.status == "held" and "first posts" in row.reason


def test_an_erased_address_never_reaches_the_list(app, inbound_receiver, deliver, smtp_sink):
    from listserve.core.addresses import address_hash
    from listserve.extensions import db
    from listserve.subscriptions.models import Suppression

    discussion_list(app, MEMBERS)
    with app.app_context():
        db.session.add(Suppression(address_sha256=address_hash("gone@example.net"),
                                   reason="erased"))
        db.session.commit()
    send(inbound_receiver.port, "gone@example.net", TALK, post("gone@example.net", "Back", "Hi"))
    deliver()
    assert not copies(smtp_sink, "Back")
    [row] = rows(app)
    assert "erased or suppressed" in row.reason


def test_a_post_over_the_size_limit_is_refused_with_a_reason(app, inbound_receiver, deliver,
                                                             smtp_sink):
    discussion_list(app, MEMBERS, max_message_kb=1)
    send(inbound_receiver.port, "ann@example.net", TALK,
         post("ann@example.net", "Big", "x" * 3000))
    deliver()
    assert not [m for m in copies(smtp_sink, "Big") if m.rcpt_tos[0] != "ann@example.net"]
    [bounce] = smtp_sink.to("ann@example.net")
    assert "larger than this list takes (1 kB)" in bounce.text


def test_an_html_only_post_gets_a_text_part_and_attachments_are_named(
        app, inbound_receiver, deliver, smtp_sink):
    from email.message import EmailMessage
    from email.policy import SMTP

    discussion_list(app, MEMBERS)
    msg = EmailMessage(policy=SMTP)
    msg["From"], msg["To"], msg["Subject"] = "ann@example.net", TALK, "Rich"
    msg["Message-ID"] = "<rich@example.net>"
    msg.set_content("<p>Hello <b>all</b>,</p><p>see the map &amp; plan</p>", subtype="html")
    msg.add_attachment(b"%PDF-1.4 map", maintype="application", subtype="pdf",
                       filename="map.pdf")
    send(inbound_receiver.port, "ann@example.net", TALK, msg.as_bytes())
    deliver()
    [copy] = [m for m in copies(smtp_sink, "Rich") if m.rcpt_tos == ["bob@example.org"]]
    assert "Hello all," in copy.text and "see the map & plan" in copy.text
    assert "<b>" not in copy.text
    assert "map.pdf" in copy.text


def test_dmarc_reject_rewrites_from_and_sets_reply_to(app, inbound_receiver, deliver, smtp_sink):
    app.config["DMARC_RESOLVER"] = resolver = resolver_with(
        {"strict.example": "v=DMARC1; p=reject; rua=mailto:d@strict.example"})
    discussion_list(app, MEMBERS + ["dora@strict.example"])
    send(inbound_receiver.port, "dora@strict.example", TALK,
         post("Dora Díaz <dora@strict.example>", "Strict", "Hello"))
    deliver()
    [copy] = [m for m in copies(smtp_sink, "Strict") if m.rcpt_tos == ["ann@example.net"]]
    assert copy.message["From"] == "Dora Díaz via Talk <talk@lists.example.org>"
    assert copy.message["Reply-To"] == "dora@strict.example"
    assert "_dmarc.strict.example" in resolver.asked


def test_dmarc_none_keeps_the_posters_from(app, inbound_receiver, deliver, smtp_sink):
    app.config["DMARC_RESOLVER"] = resolver_with({"relaxed.example": "v=DMARC1; p=none"})
    discussion_list(app, MEMBERS + ["rae@relaxed.example"])
    send(inbound_receiver.port, "rae@relaxed.example", TALK,
         post("Rae <rae@relaxed.example>", "Relaxed", "Hello"))
    deliver()
    [copy] = [m for m in copies(smtp_sink, "Relaxed") if m.rcpt_tos == ["ann@example.net"]]
    assert copy.message["From"] == "Rae <rae@relaxed.example>"
    assert copy.message["Reply-To"] is None


@pytest.mark.parametrize("policy", ["reject", "none"])
def test_dkim_verifies_on_the_delivered_copy_either_way(app, inbound_receiver, deliver,
                                                        smtp_sink, tmp_path, policy):
    import base64

    import dkim
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    path = tmp_path / "key.pem"
    path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                       serialization.PrivateFormat.TraditionalOpenSSL,
                                       serialization.NoEncryption()))
    record = b"v=DKIM1; k=rsa; p=" + base64.b64encode(key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo))
    app.config.update(DKIM_SELECTOR="s2026", DKIM_PRIVATE_KEY_PATH=str(path),
                      DMARC_RESOLVER=resolver_with({"poster.example": f"v=DMARC1; p={policy}"}))
    discussion_list(app, MEMBERS + ["pat@poster.example"])
    send(inbound_receiver.port, "pat@poster.example", TALK,
         post("Pat <pat@poster.example>", "Signed", "Ünïcode and\n.a dot line\n"))
    deliver()
    [copy] = [m for m in copies(smtp_sink, "Signed") if m.rcpt_tos == ["ann@example.net"]]
    assert dkim.verify(copy.data, dnsfunc=lambda name, timeout=5: record)
    rewritten = copy.message["From"] == "Pat via Talk <talk@lists.example.org>"
    assert rewritten == (policy == "reject")


def test_a_posters_link_marker_never_carries_a_readers_link(app, inbound_receiver, deliver,
                                                            smtp_sink):
    discussion_list(app, MEMBERS)
    send(inbound_receiver.port, "ann@example.net", TALK,
         post("ann@example.net", "Markers", "Click %%UNSUBSCRIBE_URL%% or %%CONFIRM_URL%%\n"))
    deliver()
    [copy] = [m for m in copies(smtp_sink, "Markers") if m.rcpt_tos == ["bob@example.org"]]
    assert "Click UNSUBSCRIBE_URL or CONFIRM_URL" in copy.text
    own_link = copy.message["List-Unsubscribe"].split(">")[0].strip("<")
    assert copy.text.count(own_link) == 1  # only in the footer the list adds
