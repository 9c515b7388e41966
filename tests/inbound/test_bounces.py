"""Tests for listserve.inbound.bounces: one realistic fixture per MTA format, and fuzzing.

The fixtures are VERP'd list mail coming back: the returned headers carry
Return-Path: <bounces+TOKEN@lists.example.org>, while the failed recipient is the
subscriber, so a parser that grabbed the first address it saw would fail here.
"""

import email
import re
from email.policy import compat32
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from listserve.inbound.bounces import BounceReport, is_bounce, parse_bounce

FIXTURES = Path(__file__).parent / "bounces"

# file -> [(recipient, kind, status, text the diagnostic must contain or None for no diagnostic)]
EXPECTED = {
    "postfix_user_unknown.eml": [
        ("alice@example.net", "permanent", "5.1.1", "550 5.1.1 <alice@example.net>: Recipient"),
    ],
    "postfix_delayed.eml": [
        ("bob@example.net", "temporary", "4.4.1", "Connection timed out"),
    ],
    # Exim's Status says only 5.0.0; the DSN wins over the more specific code in the text part.
    "exim_dsn.eml": [
        ("carol@example.com", "permanent", "5.0.0", "550 5.1.1 <carol@example.com>"),
    ],
    "exim_classic.eml": [
        ("dave@example.net", "permanent", "5.1.1", "550 5.1.1 <dave@example.net>... User unknown"),
    ],
    "exim_delay_warning.eml": [
        ("quinn@example.net", "temporary", "4.7.1", "451 4.7.1"),
    ],
    "gmail_dsn.eml": [
        ("grace@example.com", "permanent", "5.1.1", "tried to reach does not exist"),
    ],
    "gmail_legacy_text.eml": [
        ("heidi@example.net", "permanent", "5.1.1", "550 5.1.1 <heidi@example.net>"),
    ],
    # Status field 5.5.0 is reported as is; the remote's own 5.4.1 stays in the diagnostic.
    "outlook_dsn.eml": [
        ("ivan@example.com", "permanent", "5.5.0", "550 5.4.1 Recipient address rejected"),
    ],
    "exchange_ndr_text.eml": [
        ("judy@example.com", "permanent", "5.1.1", "RESOLVER.ADR.RecipNotFound"),
    ],
    # qmail relays the remote's bare "550" with no enhanced code.
    "qmail.eml": [
        ("mallory@example.com", "permanent", None, "550 <mallory@example.com>... No such user"),
    ],
    # 5.2.2 is mailbox full: classed by its status class, so permanent.
    "postfix_mailbox_full.eml": [
        ("kate@example.net", "permanent", "5.2.2", "552 5.2.2 <kate@example.net>: Mailbox is full"),
    ],
    # Two recipient blocks, one "delivered": only the failure is reported.
    "sendmail_multi_recipient.eml": [
        ("leo@example.com", "permanent", "5.1.1", None),
    ],
    "out_of_office.eml": [],
    "ordinary_message.eml": [],
}
NOT_BOUNCES = {"out_of_office.eml", "ordinary_message.eml"}
FIXTURE_BYTES = [path.read_bytes() for path in sorted(FIXTURES.glob("*.eml"))]


def _message(name: str) -> email.message.Message:
    return email.message_from_bytes((FIXTURES / name).read_bytes(), policy=compat32)


def test_every_fixture_is_in_the_table():
    assert {path.name for path in FIXTURES.glob("*.eml")} == set(EXPECTED)
    assert len(EXPECTED) >= 10


@pytest.mark.parametrize(("name", "expected"), sorted(EXPECTED.items()))
def test_fixture_parses_to_expected_failures(name, expected):
    reports = parse_bounce((FIXTURES / name).read_bytes())

    assert [(r.recipient, r.kind, r.status) for r in reports] == [e[:3] for e in expected]
    for report, (*_, diagnostic) in zip(reports, expected, strict=True):
        if diagnostic is None:
            assert report.diagnostic is None
        else:
            assert diagnostic in report.diagnostic


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_is_bounce(name):
    assert is_bounce(_message(name)) is (name not in NOT_BOUNCES)


def test_returned_verp_address_is_never_taken_for_the_recipient():
    for name in sorted(set(EXPECTED) - NOT_BOUNCES):
        raw = (FIXTURES / name).read_bytes()
        assert b"bounces+" in raw
        for report in parse_bounce(raw):
            assert "bounces+" not in (report.recipient or "")


def test_not_bytes_and_empty_input_give_empty_list():
    assert parse_bounce(b"") == []
    assert parse_bounce("not bytes") == []  # type: ignore[arg-type]
    assert parse_bounce(None) == []  # type: ignore[arg-type]


def test_global_delivery_status_with_utf8_address():
    """RFC 6533 reports are not split into blocks by the stdlib parser, and carry raw UTF-8."""
    raw = (
        b"From: MAILER-DAEMON@mail.example.org\nSubject: Undelivered Mail Returned to Sender\n"
        b"MIME-Version: 1.0\n"
        b"Content-Type: multipart/report; report-type=delivery-status; boundary=B\n\n"
        b"--B\nContent-Type: text/plain\n\nSee below.\n"
        b"--B\nContent-Type: message/global-delivery-status\n\n"
        b"Reporting-MTA: dns; mail.example.org\n\n"
        b"Final-Recipient: utf-8; J\xc3\xb6rg@example.net\nAction: failed\nStatus: 5.1.1\n\n"
        b"Final-Recipient: rfc822; kim@example.net\nAction: delayed\nStatus: 4.2.2\n"
        b"--B--\n"
    )
    assert [(r.recipient, r.kind, r.status) for r in parse_bounce(raw)] == [
        ("j\u00f6rg@example.net", "permanent", "5.1.1"),
        ("kim@example.net", "temporary", "4.2.2"),
    ]


# --- fuzzing -----------------------------------------------------------------

_STATUS = re.compile(r"[245]\.\d{1,3}\.\d{1,3}")
_BOUNDARY_LINE = re.compile(rb"^--[^\r\n]*$", re.M)
# Fragments that steer random input into the MIME and DSN code paths.
_SNIPPETS = [
    b"Content-Type: multipart/report; report-type=delivery-status; boundary=b\n",
    b"Content-Type: message/delivery-status\n", b"Content-Type: text/plain; charset=x-bogus\n",
    b"Content-Transfer-Encoding: base64\n", b"--b\n", b"--b--\n", b"\n", b"\r\n",
    b"Final-Recipient: rfc822; <a@example.net>\n", b"Original-Recipient: x400;\n",
    b"Action: failed\n", b"Action: delayed\n", b"Status: 5.1.1\n", b"Status: 4.\n",
    b"Diagnostic-Code: smtp; 550 5.1.1 no\n", b" folded\xff\xfe\n",
    b"From: MAILER-DAEMON@example.org\n", b"Subject: failure notice\n", b"Return-Path: <>\n",
    b"This is the qmail-send program\n", b"<b@example.net>:\n", b"  c@example.net\n",
    b"Delivery has failed to these recipients or groups:\n", b"452 4.2.2 full\n",
]


def _assert_well_formed(reports):
    assert isinstance(reports, list)
    for report in reports:
        assert isinstance(report, BounceReport)
        assert report.kind in {"permanent", "temporary"}
        if report.recipient is not None:
            assert "@" in report.recipient and report.recipient == report.recipient.lower()
            assert not set("<> \n;") & set(report.recipient)
        assert report.status is None or _STATUS.fullmatch(report.status)
        if report.diagnostic is not None:
            assert 0 < len(report.diagnostic) <= 500 and "\n" not in report.diagnostic


@st.composite
def mutated_fixtures(draw):
    data = bytearray(draw(st.sampled_from(FIXTURE_BYTES)))
    for _ in range(draw(st.integers(1, 4))):
        mutation = draw(st.sampled_from(["truncate", "flip", "insert", "drop_boundary"]))
        if mutation == "truncate":
            del data[draw(st.integers(0, len(data))):]
        elif mutation == "flip" and data:
            data[draw(st.integers(0, len(data) - 1))] ^= draw(st.integers(1, 255))
        elif mutation == "insert":
            data[draw(st.integers(0, len(data))):0] = draw(st.binary(min_size=1, max_size=40))
        elif mutation == "drop_boundary":
            lines = list(_BOUNDARY_LINE.finditer(data))
            if lines:
                line = draw(st.sampled_from(lines))
                del data[line.start():line.end()]
    return bytes(data)


_FUZZ = settings(max_examples=200, deadline=None, database=None)


@_FUZZ
@given(mutated_fixtures())
def test_mutated_fixtures_never_raise(raw):
    _assert_well_formed(parse_bounce(raw))
    assert is_bounce(email.message_from_bytes(raw, policy=compat32)) in (True, False)


_EMAIL_LIKE = st.lists(st.sampled_from(_SNIPPETS) | st.binary(max_size=8)).map(b"".join)


@_FUZZ
@given(st.binary(max_size=2000) | _EMAIL_LIKE)
def test_random_bytes_never_raise(raw):
    _assert_well_formed(parse_bounce(raw))
