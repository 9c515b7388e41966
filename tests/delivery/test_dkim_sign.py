"""Our DKIM signer against dkimpy, an independent implementation: every signature verifies, and
the body hash and canonical header fields are byte for byte dkimpy's."""

import base64

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from listserve.delivery.compose import CopyTemplate
from listserve.delivery.dkim_sign import DkimKey, DkimSigner
from listserve.delivery.signing import SIGNED_HEADERS
from listserve.delivery.transport import dot_stuffed
from tests.delivery.dkim_support import (
    ED25519_KEY,
    RSA_KEY,
    dkimpy_body_hash,
    dkimpy_canonical_headers,
    dns_for,
    record,
    signature_tags,
    verified,
)

DOMAIN = "lists.example.org"
SIGNER = DkimSigner([DkimKey("rsa1", DOMAIN, RSA_KEY), DkimKey("ed1", DOMAIN, ED25519_KEY)],
                    SIGNED_HEADERS)
DNS = dns_for({f"rsa1._domainkey.{DOMAIN}.": record(RSA_KEY),
               f"ed1._domainkey.{DOMAIN}.": record(ED25519_KEY)})

# From only once: dkimpy (rightly) fails a message with more From fields than h= names.
NAMES = ["To", "Subject", "Date", "Message-ID", "Reply-To", "List-Id",
         "List-Unsubscribe", "List-Unsubscribe-Post", "MIME-Version", "Content-Type",
         "X-Mailer", "Precedence", "List-Help"]
WORD = st.text(st.characters(min_codepoint=0x21, max_codepoint=0x7e), min_size=1, max_size=30)
LONG_WORD = st.integers(100, 1200).map(lambda n: ("ab=cd-" * 200)[:n])  # long lines
GAP = st.sampled_from([" ", "  ", "\t", " \t ", "\r\n ", "\r\n\t", "  \r\n  "])
LINK = st.text(st.characters(min_codepoint=0x21, max_codepoint=0x7e), max_size=120)


@st.composite
def fields(draw, min_size=0) -> bytes:
    out = []
    for _ in range(draw(st.integers(min_size, 4))):
        name = draw(st.sampled_from(NAMES))
        name = "".join(c.upper() if draw(st.booleans()) else c.lower() for c in name)
        words = draw(st.lists(st.one_of(WORD, WORD, LONG_WORD), min_size=1, max_size=4))
        value = draw(st.sampled_from(["", " ", "  ", "\t"])) + words[0]
        for word in words[1:]:
            value += draw(GAP) + word
        value += draw(st.sampled_from(["", " ", "\t "]))  # trailing whitespace
        out.append(f"{name}:{value}\r\n")
    return "".join(out).encode("ascii")


@st.composite
def bodies(draw) -> bytes:
    lines = []
    for _ in range(draw(st.integers(0, 6))):
        words = draw(st.lists(st.one_of(WORD, WORD, LONG_WORD), max_size=4))
        line = draw(st.sampled_from(["", " ", "\t", ".", ".."]))  # SMTP stuffs leading dots
        for word in words:
            line += word + draw(st.sampled_from([" ", "  ", "\t", " \t"]))
        lines.append(line)
    body = "\r\n".join(lines)
    body += draw(st.sampled_from(["", "\r\n", "\r\n\r\n", " \r\n\r\n\t\r\n"]))
    return body.encode("ascii")


@st.composite
def copies(draw):
    """(a CopyTemplate, one copy of it): shared headers, personal headers, body pieces around
    link slots holding one link."""
    top = b"From: Network <announcements@lists.example.org>\r\n" + draw(fields())
    personal = draw(fields())
    rest = draw(fields()) + b"\r\n"
    pieces = draw(st.lists(bodies(), min_size=1, max_size=3))
    link = draw(LINK).encode("ascii")
    template = CopyTemplate(mailing_id=1, domain=DOMAIN, top=top, rest=rest,
                            body_pieces=pieces, leave_mailto=None, unsubscribe_prefix="")
    slot = b"=\r\n" + link + b"=\r\n"
    return template, top + personal + rest + slot.join(pieces)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(copies())
def test_generated_messages_verify_and_hash_as_dkimpy_does(made):
    template, message = made
    signed = SIGNER.sign(message, template)
    assert verified(signed, DNS) == [True, True]
    for index in (0, 1):
        assert base64.b64decode(signature_tags(signed, index)["bh"]) == dkimpy_body_hash(message)
    ours = SIGNER.canonical_headers(message, template)
    assert ours == dkimpy_canonical_headers(message, SIGNED_HEADERS)
    # What goes on the wire is that message with SMTP's leading dots doubled.
    wire = SIGNER.sign(message, template, stuffed=True)
    assert wire[wire.index(b"From: Network <"):] == dot_stuffed(message)
    # The path that knows nothing of templates gives the same.
    assert SIGNER.body_hash(message) == SIGNER.body_hash(message, template)
    assert SIGNER.canonical_headers(message) == ours


@settings(max_examples=40, deadline=None)
@given(fields(min_size=1), bodies())
def test_any_message_signed_without_a_template_verifies(head, body):
    message = b"From: someone@example.org\r\n" + head + b"\r\n" + body
    signed = SIGNER.sign(message)
    assert verified(signed, DNS) == [True, True]
    assert SIGNER.body_hash(message) == dkimpy_body_hash(message)


def test_a_copy_of_its_template_takes_the_shared_hash_and_agrees():
    top = b"From: List <l@lists.example.org>\r\nSubject: a very long subject\r\n folded\r\n"
    pieces = [b"Hello  all. \r\nLeave:", b" after\r\n<p>html</p>", b"\r\n\r\n"]
    template = CopyTemplate(mailing_id=1, domain=DOMAIN, top=top,
                            rest=b"MIME-Version: 1.0\r\n\r\n", body_pieces=pieces,
                            leave_mailto=None, unsubscribe_prefix="")
    message = (top + b"To: ann@example.net\r\n" + template.rest
               + b"=\r\nhttps://x.example/u/tok=\r\n".join(pieces))
    at = message.index(b"\r\n\r\n") + 4
    prepared = SIGNER._prepared_for(template)
    assert prepared.body_hash(prepared.slot(message, at)) == dkimpy_body_hash(message)
    # A message that is not the template's is signed the generic way, still correctly.
    other = message.replace(b"Hello", b"Howdy")
    assert prepared.slot(other, at) is False
    assert verified(SIGNER.sign(other, template), DNS) == [True, True]


def test_an_empty_body_verifies():
    message = b"From: a@lists.example.org\r\nSubject: nothing\r\n\r\n"
    assert verified(SIGNER.sign(message), DNS) == [True, True]
