"""Wherever a person's words reach a header of a copy (subject, author's Reply-To, archive
link, subscriber's name and address), a line break or NUL either is refused before anything
is stored or cannot add a header to what is sent."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from listserve.delivery.compose import Copy, UnsendableCopy, render_copy_template
from listserve.delivery.models import Mailing, MailingKind
from listserve.delivery.outbox import enqueue_announcement
from listserve.extensions import db
from listserve.headers import UnsafeHeaderValue
from listserve.subscriptions.services import get_default_list
from tests.delivery.helpers import add_confirmed, announce
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
FIELDS = ("subject", "reply_to", "archived_at", "name", "address")


def compose(app, values: dict) -> bytes:
    with app.test_request_context():
        mailing_list = get_default_list()
        mailing = Mailing(id=1, list_id=mailing_list.id, kind=MailingKind.ANNOUNCEMENT,
                          purpose="p", subject=values["subject"], text_body="Hi\n",
                          html_body=None, reply_to=values["reply_to"],
                          archived_at=values["archived_at"], personal_unsubscribe=True)
        template = render_copy_template(mailing, mailing_list)
        copy = Copy(id=7, mailing_id=1, subscription_id=3, recipient=values["address"],
                    recipient_name=values["name"], message_id=None, attempts=0)
        data = template.personalise(copy, "tok", b"k" * 32)
        db.session.rollback()
        return data


@settings(max_examples=250, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(field=st.sampled_from(FIELDS), value=biased_text)
def test_no_input_adds_a_header(app, field, value):
    values = {"subject": "News", "reply_to": "a@example.org",
              "archived_at": "http://localhost/a", "name": "Ann", "address": "ann@example.net"}
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
    if field == "name":
        assert message["To"].addresses[0].addr_spec == "ann@example.net"
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


@settings(max_examples=300, deadline=None)
@given(name=st.one_of(st.just(""), st.lists(words, min_size=1, max_size=6).map(" ".join),
                      biased_text),
       local=st.lists(atoms, min_size=1, max_size=3).map(".".join),
       domain=st.lists(st.text(alphabet="a0-", min_size=1, max_size=12), min_size=1,
                       max_size=4).map(".".join))
def test_the_to_header_is_the_one_the_email_package_writes(name, local, domain):
    """Plain names and addresses skip the email package's folder: what they get is what it
    would have written."""
    from email.policy import SMTP
    from email.utils import formataddr

    from listserve.delivery.compose import _to_header
    from listserve.headers import is_header_safe

    address = f"{local}@{domain}"
    expected = SMTP.fold("To", formataddr((name if is_header_safe(name) else "", address)))
    assert _to_header(name, address) == expected.encode("ascii")
