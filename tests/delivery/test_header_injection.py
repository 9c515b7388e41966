"""Wherever a person's words reach a header of a copy (subject, author's Reply-To, archive
link, subscriber's name and address), a line break or NUL either is refused before anything
is stored or cannot add a header to what is sent."""

import re
from email import message_from_bytes, policy
from email.header import decode_header, make_header
from email.message import EmailMessage

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from listserve.core.headers import UnsafeHeaderValue, is_header_safe
from listserve.core.lists import get_default_list
from listserve.delivery.address_fields import mailbox_list_field
from listserve.delivery.compose import Copy, UnsendableCopy, _to_header, render_copy_template
from listserve.delivery.models import Mailing, MailingKind
from listserve.delivery.outbox import enqueue_announcement
from listserve.extensions import db
from tests.delivery.helpers import add_confirmed, announce, statuses
from tests.support import CapturedMail

NASTY = ["\r", "\n", "\r\n", "\0", "\u2028", "\u2029", "\x85", ":", " ", "Bcc: ", "=?", "é"]
biased_text = st.lists(
    st.one_of(st.sampled_from(NASTY), st.text(max_size=3)), max_size=12
).map("".join)

EXPECTED = {
    "from", "to", "subject", "date", "message-id", "reply-to", "list-id", "list-unsubscribe",
    "list-unsubscribe-post", "list-archive", "archived-at", "list-post", "list-help",
    "precedence", "mime-version", "content-type", "content-transfer-encoding",
}
FIELDS = ("subject", "reply_to", "archived_at", "name", "address", "list_name")


def compose(app, values: dict) -> bytes:
    with app.test_request_context():
        mailing_list = get_default_list()
        mailing_list.name = values["list_name"]
        mailing = Mailing(id=1, list_id=mailing_list.id, kind=MailingKind.ANNOUNCEMENT,
                          purpose="p", subject=values["subject"], text_body="Hi\n",
                          html_body=None, reply_to=values["reply_to"],
                          archived_at=values["archived_at"], personal_unsubscribe=True)
        try:
            template = render_copy_template(mailing, mailing_list)
        finally:
            db.session.rollback()
        copy = Copy(id=7, mailing_id=1, subscription_id=3, recipient=values["address"],
                    recipient_name=values["name"], message_id=None, attempts=0)
        return template.personalise(copy, "tok", b"k" * 32)


def mailboxes(header) -> list[tuple[str, str]]:
    return [(address.display_name, address.addr_spec) for address in header.addresses]


def raw_field(data: bytes, field: str) -> str:
    """A header's value as sent, unfolded."""
    head = data.split(b"\r\n\r\n")[0].decode("ascii")
    match = re.search(rf"^{field}:([^\r\n]*(?:\r\n[ \t][^\r\n]*)*)", head,
                      re.MULTILINE | re.IGNORECASE)
    return re.sub(r"\r\n(?=[ \t])", "", match.group(1)).strip()


def read_mailbox(data: bytes, field: str) -> tuple[str, str]:
    """(name, address) of a one-mailbox field, read as RFC 2047 says: the space between two
    encoded words is dropped. (Python's address parser keeps one there: it reads the
    email package's own long names with extra spaces, so it cannot be the judge of those.)"""
    value = raw_field(data, field)
    match = re.fullmatch(r"(.*) <([^<>]*)>", value)
    if match is None:
        return "", value
    phrase, address = match.groups()
    if phrase.startswith('"'):
        return re.sub(r"\\(.)", r"\1", phrase[1:-1]), address
    if "=?" in phrase:
        return str(make_header(decode_header(phrase))), address
    return phrase, address


def read_to(data: bytes, name: str, address: str) -> None:
    """The To field holds exactly one mailbox, that address with that name, for Python's
    parser and for an RFC 2047 reader."""
    expected = name if is_header_safe(name) else ""
    [(parsed_name, parsed_address)] = mailboxes(
        message_from_bytes(data, policy=policy.default)["To"])
    assert parsed_address == address
    assert "".join(parsed_name.split()) == "".join(expected.split())  # see read_mailbox
    assert read_mailbox(data, "To") == (expected, address)


@settings(max_examples=300, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(field=st.sampled_from(FIELDS), value=biased_text)
def test_no_input_adds_a_header(app, field, value):
    values = {"subject": "News", "reply_to": "a@example.org",
              "archived_at": "http://localhost/a", "name": "Ann", "address": "ann@example.net",
              "list_name": "Network news"}
    values[field] = value if field != "address" else f"x{value}@example.net"
    try:
        data = compose(app, values)
    except (UnsafeHeaderValue, UnsendableCopy):
        return  # refused: nothing is sent
    message = CapturedMail("x", ["y"], data).message
    optional = {"reply_to": "reply-to", "archived_at": "archived-at"}
    expected = EXPECTED - {optional.get(field)} if not values[field] else EXPECTED
    assert {name.lower() for name in message} == expected
    assert len(message) == len(expected)
    assert all(b"\0" not in line and not line.startswith(b"Bcc") for line in data.split(b"\r\n"))
    # Every field that names people still reads back as exactly the people it named.
    read_to(data, values["name"], values["address"])
    assert read_mailbox(data, "From") == (values["list_name"], "announcements@lists.example.org")
    assert read_mailbox(data, "List-Id") == (values["list_name"], "announcements.lists.example.org")
    if values["reply_to"]:
        trial = EmailMessage()
        trial["Reply-To"] = values["reply_to"]
        assert mailboxes(message["Reply-To"]) == mailboxes(trial["Reply-To"])
    if field == "subject":
        assert message["Subject"].split() == value.split()  # folding may change spacing


@pytest.mark.parametrize("field", ["subject", "reply_to", "archived_at"])
@pytest.mark.parametrize("value", ["x\r\nBcc: victim@example.com", "x\nBcc: v@x.org", "x\0",
                                   "x\u2028Bcc: v@x.org"])
def test_committee_input_with_a_break_is_refused_before_queueing(app, field, value):
    add_confirmed(app, ["ann@example.net"])
    kwargs = {"subject": "News", "reply_to": None, "archived_at": None, field: value}
    with app.app_context(), pytest.raises(UnsafeHeaderValue):
        enqueue_announcement(mailing_list=get_default_list(), purpose="a:1",
                             text_body="Hi", html_body=None, **kwargs)


def test_a_stored_name_with_a_break_cannot_reach_the_header(app, deliver, smtp_sink):
    """Names are checked at sign-up; one that got into the database anyway is left out."""
    add_confirmed(app, ["eve@example.net"], {"eve@example.net": "Eve\r\nBcc: v@example.com"})
    announce(app)
    deliver()
    [copy] = smtp_sink.to("eve@example.net")
    assert copy.message["To"] == "eve@example.net"
    assert "Bcc" not in copy.message
    assert b"v@example.com" not in copy.data


words = st.text(alphabet="abcXYZ019", min_size=1, max_size=12)
atoms = st.text(alphabet="aZ09!#$%&'*+/=?^_`{|}~-", min_size=1, max_size=10)
plain_names = st.one_of(st.just(""), st.lists(words, min_size=1, max_size=6).map(" ".join))
addresses = st.builds(
    "{}@{}".format,
    st.lists(atoms, min_size=1, max_size=3).map(".".join),
    st.lists(st.text(alphabet="a0-", min_size=1, max_size=12), min_size=1, max_size=4
             ).map(".".join),
)


@settings(max_examples=300, deadline=None)
@given(name=st.one_of(plain_names, biased_text, st.text(max_size=120)), address=addresses)
def test_a_to_header_reads_back_as_exactly_its_name_and_address(name, address):
    """Whatever the name (colons, quotes, "=?", any script, any length), the header is one
    mailbox with that name and address, in 7-bit lines no longer than 78 characters (only an
    address longer than a line may pass it)."""
    data = _to_header(name, address)
    read_to(data + b"\r\n", name, address)
    assert data.isascii() and data.endswith(b"\r\n") and data.count(b"\r\n") == data.count(b"\n")
    for line in data.split(b"\r\n")[:-1]:
        assert len(line) <= 78 or address.encode() in line


@settings(max_examples=300, deadline=None)
@given(name=plain_names, address=addresses)
def test_plain_names_take_the_short_road_to_the_same_header(name, address):
    """Most recipients skip the general writer; what they get is what it would write."""
    assert _to_header(name, address) == mailbox_list_field("To", [(name, address)])


@pytest.mark.parametrize("name", ["Bcc: " * 8 + "é:", "::Bcc: Bcc: … é", "Ann: é",
                                  '"Ann" <x@y.org>, é', "=?utf-8?b?QmNjOg==?=", "Zoë " * 30])
def test_awkward_names_are_written_whole(app, deliver, smtp_sink, name):
    """Python's email folder wrote 'Bcc: Bcc: … é:' with only its last word encoded, which
    readers parse as an empty group named Bcc."""
    add_confirmed(app, ["ann@example.net"], {"ann@example.net": name})
    announce(app)
    deliver()
    [copy] = smtp_sink.to("ann@example.net")
    read_to(copy.data, name, "ann@example.net")


@pytest.mark.parametrize("address", ['"ann smith"@example.net', "ann@[192.0.2.1]"])
def test_an_address_that_is_not_a_plain_one_fails_alone(app, deliver, smtp_sink, address):
    """Such addresses cannot join (email-validator refuses them); one that got into the
    database is recorded as failed, and the others still get their copy."""
    add_confirmed(app, ["bob@example.net", address])
    mailing_id = announce(app)
    deliver()
    assert [m.rcpt_tos for m in smtp_sink.messages] == [["bob@example.net"]]
    assert statuses(app, mailing_id) == {"bob@example.net": "sent", address: "failed"}
