"""A value bound for a mail header with CR, LF or NUL is refused before anything is stored."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from listserve.core.headers import FORBIDDEN, UnsafeHeaderValue, check_header_value
from tests.subscriptions.helpers import subscribe, subscriber_count


@pytest.mark.parametrize(
    "name",
    ["Eve\r\nBcc: victim@example.com", "Eve\nBcc: x@example.com", "Eve\rX", "Eve\x00",
     "Eve\u2028Bcc: x@example.com"],
)
def test_name_with_line_break_is_refused(client, app, deliver, smtp_sink, name):
    response = subscribe(client, "eve@example.net", name)
    assert response.status_code == 400
    assert b"line" in response.data
    assert subscriber_count(app) == 0
    deliver()
    assert smtp_sink.messages == []


@pytest.mark.parametrize(
    "email", ["eve@example.net\r\nBcc: victim@example.com", "eve@example.net\n", "e\x00@x.org"]
)
def test_address_with_line_break_is_refused(client, app, email):
    response = subscribe(client, email)
    assert response.status_code == 400
    assert subscriber_count(app) == 0


breaking = st.text(alphabet=st.sampled_from(sorted(FORBIDDEN) + list("ab: <>@")), min_size=1)


@settings(max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=breaking)
def test_header_guard_refuses_every_line_break(value):
    if any(ch in FORBIDDEN for ch in value):
        with pytest.raises(UnsafeHeaderValue):
            check_header_value(value)
    else:
        assert check_header_value(value) == value


def test_control_characters_are_unicodes_control_characters_but_the_tab():
    import sys
    import unicodedata

    from listserve.core.headers import has_control_characters

    for code in range(sys.maxunicode + 1):
        ch = chr(code)
        expected = unicodedata.category(ch) == "Cc" and ch != "\t"
        assert has_control_characters(f"a{ch}b") is expected, hex(code)
