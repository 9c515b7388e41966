"""Confirmation links: only a POST confirms; bad links show a clear page and change nothing."""

import hashlib
import hmac
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import pytest
from freezegun import freeze_time
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from listserve.core.signing import keyed_mac
from listserve.core.tokens import (
    LastingTokenMaker,
    make_lasting_token,
    make_timed_token,
    read_lasting_token,
)
from tests.subscriptions.helpers import press_button, subscribe, subscription_of


@pytest.fixture
def pending(client, app, deliver, smtp_sink):
    subscribe(client, "frank@example.net")
    deliver()
    url = smtp_sink.to("frank@example.net")[0].link_to("/confirm/")
    return urlsplit(url).path


def test_get_never_confirms(client, app, pending):
    for _ in range(3):
        assert client.get(pending).status_code == 200
        assert client.head(pending).status_code == 200
    assert subscription_of(app, "frank@example.net").status == "pending"


def test_post_without_csrf_does_not_confirm(client, app, pending):
    response = client.post(pending, data={})
    assert subscription_of(app, "frank@example.net").status == "pending"
    assert response.status_code == 400


def test_expired_link(client, app, pending):
    later = datetime.now(UTC) + timedelta(days=3, minutes=1)
    with freeze_time(later):
        response = client.get(pending)
        assert response.status_code == 410
        assert b"expired" in response.data
        response = client.post(pending, data={})
    assert subscription_of(app, "frank@example.net").status == "pending"


def test_tampered_link(client, app, pending):
    token = pending.rsplit("/", 1)[1]
    tampered = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
    response = client.get(f"/confirm/{tampered}")
    assert response.status_code == 404
    assert b"not valid" in response.data
    assert subscription_of(app, "frank@example.net").status == "pending"


def test_wrong_purpose_link(client, app, pending):
    subscription = subscription_of(app, "frank@example.net")
    with app.test_request_context():
        # A genuine signature, made for leaving the list, is worthless for confirming.
        unsubscribe_token = make_lasting_token("unsubscribe", [subscription.id])
        other_purpose = make_timed_token("reset-password", [subscription.id,
                                                              subscription.confirm_nonce])
    for token in (unsubscribe_token, other_purpose):
        response = client.get(f"/confirm/{token}")
        assert response.status_code == 404
    assert subscription_of(app, "frank@example.net").status == "pending"


def test_reused_link_says_already_subscribed(client, app, pending, smtp_sink):
    """Issue 20, item 10: a second visit is told it is done, not that the link is bad."""
    assert press_button(client, pending).status_code == 200
    confirmed_at = subscription_of(app, "frank@example.net").confirmed_at
    again = client.get(pending)
    assert again.status_code == 200
    assert b"You are already subscribed" in again.data
    assert b"not valid" not in again.data
    assert subscription_of(app, "frank@example.net").confirmed_at == confirmed_at


def test_link_from_before_leaving_cannot_rejoin(client, app, pending, deliver, smtp_sink):
    """An old confirmation link must not re-subscribe someone who left since."""
    press_button(client, pending)
    deliver()
    welcome = smtp_sink.to("frank@example.net")[-1]
    press_button(client, urlsplit(welcome.link_to("/u/")).path)
    assert subscription_of(app, "frank@example.net").status == "unsubscribed"
    assert client.get(pending).status_code == 404
    assert subscription_of(app, "frank@example.net").status == "unsubscribed"


@settings(max_examples=300, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.one_of(
    st.integers(min_value=0, max_value=10**12),
    st.sampled_from([0, 1, 9, 10, 11111111, 99999999, 10**8 - 1, 10**8, 2**31 - 1]),
))
def test_the_worker_s_unsubscribe_links_are_the_ones_the_site_accepts(app, subscription_id):
    """The worker makes tokens thousands at a time by a shorter road: they must be the very
    tokens make_lasting_token makes, and read back to the same subscription."""
    with app.test_request_context():
        token = LastingTokenMaker("unsubscribe")([subscription_id])
        assert token == make_lasting_token("unsubscribe", [subscription_id])
        assert read_lasting_token("unsubscribe", token) == [subscription_id]
        assert LastingTokenMaker("unsubscribe")([subscription_id, "x"]) == make_lasting_token(
            "unsubscribe", [subscription_id, "x"])


@settings(max_examples=200, deadline=None)
@given(key=st.binary(max_size=200), message=st.binary(max_size=100),
       digest=st.sampled_from([hashlib.sha1, hashlib.sha256]))
def test_the_worker_s_keyed_mac_is_hmac(key, message, digest):
    """Tokens and bounce addresses are signed with a MAC keyed once: it must be HMAC itself,
    or links and bounce addresses in mail already sent would stop working."""
    assert keyed_mac(key, digest)(message) == hmac.new(key, message, digest).digest()
