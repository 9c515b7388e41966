"""A plain address on a domain already checked skips email_validator's domain check
(core.addresses._plain_address): the answer must be validate_email's, address for address."""

import pytest
from email_validator import validate_email
from hypothesis import example, given, settings
from hypothesis import strategies as st

from listserve.core import addresses
from listserve.core.addresses import InvalidAddress, normalise_address

ATEXT = "abcXYZ019_!#$%&'*+-/=?^`{|}~"
locals_ = st.one_of(
    st.text(ATEXT + ".", min_size=1, max_size=20),
    st.sampled_from(["Postmaster", "ABUSE", "info", "Info.x", "www", "dana", "a" * 64,
                     "a" * 65, "a" * 200, ".a", "a.", "a..b", "é", "\"q\"", ""]),
    st.text(max_size=8),
)
domains = st.one_of(
    st.text("abcXYZ09.-", min_size=1, max_size=20),
    st.sampled_from(["example.org", "Example.NET", "xn--bcher-kva.de", "XN--BCHER-KVA.de",
                     "localhost", "example", "a.invalid", "a.arpa", "1.2.3.4", "-a.org",
                     "a-.org", "a..org", "a.org.", ".a.org", "xn--a.org", "xn--zz-.org",
                     "x" * 63 + ".org", "x" * 64 + ".org", ("a" * 60 + ".") * 4 + "org",
                     "bücher.de", "[127.0.0.1]", "a.b.c.d.example.com"]),
    st.text(max_size=8),
)


def our_answer(text: str):
    try:
        return normalise_address(text)
    except InvalidAddress as exc:
        return InvalidAddress, str(exc)


def validator_answer(text: str):
    """normalise_address's answer with every address checked by validate_email."""
    kept = addresses._plain_address
    addresses._plain_address = lambda text: None
    try:
        return our_answer(text)
    finally:
        addresses._plain_address = kept


@settings(max_examples=1500, deadline=None)
@given(local=locals_, domain=domains)
@example(local="a" * 120, domain="b" * 60 + ".example.org")  # 254 characters at most
@example(local="a" * 200, domain="xn--bcher-kva.de")
def test_an_address_gets_the_answer_validate_email_gives(local, domain):
    text = f"{local}@{domain}"
    for _ in range(2):  # the domain's check made, then kept
        assert our_answer(text) == validator_answer(text)


# IDNA ASCII forms whose Unicode form is shorter (bücher) and longer (30 ü, 63 octets) in UTF-8.
@pytest.mark.parametrize("domain", ["xn--bcher-kva.de", "xn--tdaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.de",
                                    "example.org"])
def test_the_length_limit_counts_the_address_as_given_and_as_normalised(domain):
    for length in range(230, 260):
        address = f"{'a' * (length - len(domain) - 1)}@{domain}"
        assert our_answer(address) == validator_answer(address), length


def test_a_second_address_on_a_domain_skips_its_check(monkeypatch):
    addresses._domain_forms.cache_clear()
    normalise_address("first@Mail.Example.com")
    calls = []
    monkeypatch.setattr(addresses, "validate_email",
                        lambda *a, **k: calls.append(a) or validate_email(*a, **k))
    assert normalise_address("Second.Person@Mail.Example.com") == (
        "Second.Person@mail.example.com", "second.person@mail.example.com")
    assert calls == []
    # A role name (lower-cased by the validator) and a quoted local part take its road.
    assert normalise_address("Postmaster@Mail.Example.com")[0] == "postmaster@mail.example.com"
    with pytest.raises(InvalidAddress, match="Quoting"):
        normalise_address('"a b"@Mail.Example.com')
    assert len(calls) == 2
