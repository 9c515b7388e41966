"""A post's attachments under each policy, through the real LMTP receiver to a real SMTP sink:
"keep" sends them with every copy (type, file name and transfer encoding kept), "strip" leaves
them out with a note, "hold" holds the post; the archive's thread page lists them either way."""

import re
from email.message import EmailMessage
from email.policy import SMTP

import pytest

from listserve.extensions import db
from listserve.inbound import moderation
from tests.discussion.helpers import TALK, discussion_list, resolver_with, rows
from tests.inbound.helpers import send

MEMBERS = ["ann@example.net", "bob@example.org", "cy@example.com"]
PDF = b"%PDF-1.4\n\x00\xff\xfe binary map of the garden\n%%EOF\n"
CSV = "plot,keeper\nnorth,Zoë\nsouth,Bob\n".encode()
NOTES = b"Bring gloves.\r\nAnd seeds.\r\n"


@pytest.fixture(autouse=True)
def no_dmarc(app):
    app.config["DMARC_RESOLVER"] = resolver_with({})


def post_with_files() -> bytes:
    msg = EmailMessage(policy=SMTP)
    msg["From"], msg["To"], msg["Subject"] = "Ann <ann@example.net>", TALK, "Garden plans"
    msg["Message-ID"] = "<plans@example.net>"
    msg.set_content("The plans are attached.\n")
    msg.add_attachment(PDF, maintype="application", subtype="pdf", filename="map.pdf")
    msg.add_attachment(CSV, maintype="text", subtype="csv", filename="plots.csv",
                       cte="quoted-printable", params={"charset": "utf-8"})
    msg.add_attachment(NOTES, maintype="text", subtype="plain", filename="notes.txt", cte="7bit")
    return msg.as_bytes()


def copies_to_members(smtp_sink):
    return [m for m in smtp_sink.messages
            if "Garden plans" in (m.message["Subject"] or "") and m.rcpt_tos[0] in MEMBERS]


def thread_page(client) -> str:
    index = client.get("/archive/talk/").get_data(as_text=True)
    return client.get(re.search(r'href="(/archive/talk/thread/\d+)"', index).group(1)).get_data(
        as_text=True)


def test_keep_sends_the_attachments_with_every_copy(app, client, inbound_receiver, deliver,
                                                     smtp_sink):
    discussion_list(app, MEMBERS, attachment_policy="keep")
    assert send(inbound_receiver.port, "ann@example.net", TALK, post_with_files()) == 250
    deliver()
    got = copies_to_members(smtp_sink)
    assert sorted(m.rcpt_tos[0] for m in got) == sorted(MEMBERS)
    for copy in got:
        msg = copy.message
        assert msg.get_content_type() == "multipart/mixed"
        assert "The plans are attached." in copy.text and "removed" not in copy.text
        parts = {p.get_filename(): p for p in msg.iter_attachments()}
        assert sorted(parts) == ["map.pdf", "notes.txt", "plots.csv"]
        pdf, csv, notes = parts["map.pdf"], parts["plots.csv"], parts["notes.txt"]
        assert (pdf.get_content_type(), pdf["Content-Transfer-Encoding"]) == (
            "application/pdf", "base64")
        assert pdf.get_content() == PDF
        assert (csv.get_content_type(), csv.get_content_charset(),
                csv["Content-Transfer-Encoding"]) == ("text/csv", "utf-8", "quoted-printable")
        assert csv.get_payload(decode=True) == CSV and "Zoë" in csv.get_content()
        assert notes["Content-Transfer-Encoding"] == "7bit"
        assert notes.get_payload(decode=True) == NOTES
        assert all(p.get_content_disposition() == "attachment" for p in parts.values())
        assert msg["List-Unsubscribe"] and msg["X-Loop"] == TALK  # still the list's copy
    page = thread_page(client)
    assert f"map.pdf (application/pdf, {len(PDF)} bytes)" in page
    assert "plots.csv (text/csv" in page and "notes.txt (text/plain" in page


def test_strip_leaves_them_out_with_a_note(app, client, inbound_receiver, deliver, smtp_sink):
    discussion_list(app, MEMBERS, attachment_policy="strip")
    send(inbound_receiver.port, "ann@example.net", TALK, post_with_files())
    deliver()
    got = copies_to_members(smtp_sink)
    assert len(got) == len(MEMBERS)
    for copy in got:
        assert copy.message.get_content_type() == "text/plain"
        assert not list(copy.message.iter_attachments())
        assert ("[Attachments removed by the list, listed in the archive: map.pdf, plots.csv, "
                "notes.txt]") in copy.text
    assert "map.pdf (application/pdf" in thread_page(client)


def test_hold_holds_the_post_and_its_approval_sends_the_files(app, inbound_receiver, deliver,
                                                               smtp_sink):
    discussion_list(app, MEMBERS, attachment_policy="hold")
    send(inbound_receiver.port, "ann@example.net", TALK, post_with_files())
    deliver()
    assert not copies_to_members(smtp_sink)
    [row] = rows(app)
    assert row.status == "held" and "attachments" in row.reason
    with app.app_context():
        moderation.approve_post(moderation.get_held(row.id), by="mod@example.org")
        db.session.commit()
    deliver()
    got = copies_to_members(smtp_sink)
    assert len(got) == len(MEMBERS)
    assert all(sorted(p.get_filename() for p in m.message.iter_attachments())
               == ["map.pdf", "notes.txt", "plots.csv"] for m in got)


def test_a_hostile_file_name_and_type_cannot_break_the_copies(app, inbound_receiver, deliver,
                                                              smtp_sink):
    discussion_list(app, MEMBERS, attachment_policy="keep")
    raw = (b"From: ann@example.net\r\nTo: talk@lists.example.org\r\nSubject: Garden plans\r\n"
           b"Message-ID: <odd@example.net>\r\nMIME-Version: 1.0\r\n"
           b'Content-Type: multipart/mixed; boundary="b"\r\n\r\n'
           b"--b\r\nContent-Type: text/plain\r\n\r\nSee the file.\r\n"
           b"--b\r\nContent-Type: app\"lication/x\"y; name=x\r\n"
           b"Content-Disposition: attachment; filename*=utf-8''evil%0D%0ABcc%3A%20x%40y.z.txt\r\n"
           b"Content-Transfer-Encoding: 7bit\r\n\r\nx=\r\n%%UNSUBSCRIBE_URL%%=\r\ny\r\n--b--\r\n")
    assert send(inbound_receiver.port, "ann@example.net", TALK, raw) == 250
    deliver()
    got = copies_to_members(smtp_sink)
    assert len(got) == len(MEMBERS)
    for copy in got:
        assert copy.message["Bcc"] is None
        [part] = copy.message.iter_attachments()
        assert part.get_filename() == "evilBcc: x@y.z.txt"
        assert part.get_content_type() == "application/octet-stream"
        # Kept 7bit, the marker of a link slot would carry each reader's own link: base64.
        assert part["Content-Transfer-Encoding"] == "base64"
        assert part.get_payload(decode=True) == b"x=\r\n%%UNSUBSCRIBE_URL%%=\r\ny"
