"""The XSS corpus, sent through the comment form, never comes back as active content."""

import re
from html.parser import HTMLParser

import pytest

from tests.archive.helpers import become_verified_reader, make_post, page_url
from tests.support import csrf_token
from tests.test_rendering import COMMENT_POLICY, assert_safe_html, load_payloads, url_scheme_of

PAYLOADS = load_payloads()
SAFE_SCHEMES = {"http", "https", "mailto"}
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "data", "poster", "srcset", "xlink:href"}
COMMENT_BODY = re.compile(r'<div class="comment-body">(.*?)</div>', re.DOTALL)


@pytest.fixture
def app_config(app_config):
    return {**app_config, "COMMENT_RATE_LIMIT": "10000 per minute",
            "COMMENT_ADDRESS_HOURLY_LIMIT": 10000}


class ActiveContent(HTMLParser):
    """Collects what would run in a browser: scripts, event handlers, unsafe URL schemes."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in {"script", "iframe", "object", "embed", "svg", "math", "base"}:
            self.found.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"{name} on <{tag}>")
            scheme = url_scheme_of(value or "") if name in URL_ATTRIBUTES else None
            if scheme is not None and scheme not in SAFE_SCHEMES:
                self.found.append(f"{name}={value!r} on <{tag}>")

    handle_startendtag = handle_starttag


def assert_no_active_content(html: str) -> None:
    checker = ActiveContent()
    checker.feed(html)
    checker.close()
    assert checker.found == [], checker.found


def test_the_corpus_is_large_enough():
    assert len(PAYLOADS) >= 50


def test_payloads_as_comments_and_names_never_become_active_content(
    app, client, smtp_sink, deliver
):
    with app.app_context():
        url = page_url(make_post())
    become_verified_reader(client, smtp_sink, deliver, url, email="tester@example.org")
    token = csrf_token(client.get(url).get_data(as_text=True))

    def send(name, body):
        data = {"csrf_token": token, "name": name, "email": "tester@example.org", "body": body}
        status = client.post(f"{url}/comments", data=data).status_code
        assert status in (303, 400), (status, name, body)  # refused as bad input, never a 500
        return status == 303

    published = 1 + sum(send("Tester", payload) for payload in PAYLOADS)
    published += sum(send(payload[:100], "Named by the payload.") for payload in PAYLOADS)
    assert published > 2 * 0.9 * len(PAYLOADS)

    page = client.get(url)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert_no_active_content(html)
    bodies = COMMENT_BODY.findall(html)
    assert len(bodies) == published
    for body in bodies:
        assert_safe_html(body, **COMMENT_POLICY)
    for query in ("alert", "script javascript", "onerror svg"):
        assert_no_active_content(client.get(f"/archive/announcements/search?q={query}").get_data(as_text=True))
