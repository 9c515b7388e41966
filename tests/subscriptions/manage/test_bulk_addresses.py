"""The import's fast address check answers exactly as the one every form uses."""

from hypothesis import given, settings
from hypothesis import strategies as st

from listserve.core.addresses import InvalidAddress, normalise_address
from listserve.subscriptions.manage.bulk_addresses import normalise_address_quickly

ATOM = st.text("abcXYZ019.!#$%&'*+/=?^_`{|}~-\"ä @", min_size=0, max_size=12)
DOMAIN = st.sampled_from(
    ["example.org", "EXAMPLE.org", "ex-ample.co.uk", "localhost", "b\u00fccher.de",
     "-bad.org", "a..b", "[127.0.0.1]", "x" * 250 + ".org", "org", "mail.test", "ex ample.org"]
)


def outcome(normalise, text):
    try:
        return normalise(text)
    except InvalidAddress as exc:
        return ("refused", str(exc))


@settings(max_examples=600)
@given(local=ATOM, domain=DOMAIN, padding=st.sampled_from(["", " ", "\t"]))
def test_same_answer_as_normalise_address(local, domain, padding):
    text = f"{padding}{local}@{domain}{padding}"
    assert outcome(normalise_address_quickly, text) == outcome(normalise_address, text)


@given(st.text(max_size=30))
def test_same_answer_for_any_text(text):
    assert outcome(normalise_address_quickly, text) == outcome(normalise_address, text)


def test_case_insensitive_mailbox_names_follow_email_validator():
    assert normalise_address_quickly("Postmaster@Example.org") == normalise_address(
        "Postmaster@Example.org")


@given(st.text(max_size=20))
def test_names_are_refused_exactly_when_headers_would_refuse_them(name):
    from listserve.core.headers import has_control_characters, is_header_safe
    from listserve.subscriptions.manage.import_rows import NOT_IN_A_NAME

    refused = not is_header_safe(name) or has_control_characters(name)
    assert bool(NOT_IN_A_NAME.search(name)) == refused
