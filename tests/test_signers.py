"""The kept serializers make tokens and cookies that itsdangerous' own serializer reads, and
read the ones it makes: sessions and form tokens survive an upgrade and a key rotation."""

import pytest
from itsdangerous import BadSignature, URLSafeTimedSerializer

from listserve.core.signing import SHORT_PAYLOAD, KeptSerializer

PAYLOADS = [
    "0123456789abcdef0123456789abcdef01234567",  # a CSRF secret
    {"csrf_token": "0123456789abcdef0123456789abcdef01234567"},
    {"_flashes": [["message", "Thank you: your comment is published. " * 8]]},  # compressed
]
SETTINGS = [
    {},  # itsdangerous' defaults: what Flask-WTF signs CSRF tokens with
    {"signer_kwargs": {"key_derivation": "hmac"}},  # what Flask signs sessions with
]


@pytest.mark.parametrize("settings", SETTINGS)
@pytest.mark.parametrize("payload", PAYLOADS)
def test_tokens_read_both_ways(payload, settings):
    kept = KeptSerializer("secret", salt="a-salt", **settings)
    stock = URLSafeTimedSerializer("secret", salt="a-salt", **settings)
    assert stock.loads(kept.dumps(payload)) == payload
    assert kept.loads(stock.dumps(payload)) == payload
    assert kept.dumps(payload) == kept.dumps(payload)  # repeatable, like the stock one


def test_long_payloads_are_still_compressed():
    long = PAYLOADS[2]
    assert len(str(long)) > SHORT_PAYLOAD
    assert KeptSerializer("secret").dumps(long).startswith(".")


def test_another_key_or_salt_is_refused():
    token = KeptSerializer("secret", salt="a-salt").dumps("x")
    for other in (KeptSerializer("other", salt="a-salt"), KeptSerializer("secret", salt="b")):
        with pytest.raises(BadSignature):
            other.loads(token)
    tampered = token[:-2] + ("A" if token[-2] != "A" else "B") + token[-1]
    with pytest.raises(BadSignature):
        KeptSerializer("secret", salt="a-salt").loads(tampered)


def test_a_retired_key_still_reads_and_the_new_one_signs():
    old = KeptSerializer("old-key").dumps("x")
    rotated = KeptSerializer(["old-key", "new-key"])
    assert rotated.loads(old) == "x"
    assert KeptSerializer("new-key").loads(rotated.dumps("y")) == "y"
    with pytest.raises(BadSignature):
        KeptSerializer("old-key").loads(rotated.dumps("y"))
