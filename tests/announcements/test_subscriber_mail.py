"""Issue 20, item 15: subscriber mail carries the network's name, a "read on the web" link and
the personal links; its HTML is a table layout with inline styles that parses cleanly, its
text fits 72 columns; the unsubscribe page names the address and offers other choices."""

import re
from urllib.parse import urlsplit

import html5lib

from tests.announcements.helpers import press, write_draft
from tests.announcements.test_sending import committee  # noqa: F401  (fixture)

LONG_BODY = (
    "Dear all,\n\nThe **spring assembly** meets in May in the hall of the housing co-operative "
    "on Mill Street, and everyone who signed the launch statement is warmly welcome to come "
    "along. Read the [draft agenda](https://example.org/agenda) and the "
    "[minutes](/archive/minutes).\n\n- An item of the agenda that goes on for long enough to "
    "need folding onto a second line of text\n\n    code stays exactly as it was written, "
    "however long the line happens to be in the end\n"
)


def test_a_sent_announcement_is_styled_valid_and_keeps_its_links(
    app, committee, deliver, smtp_sink  # noqa: F811
):
    draft = write_draft(committee["ana"], "Spring assembly", LONG_BODY)
    press(committee["ben"], draft, "approve")
    press(committee["ana"], draft, "send")
    deliver()
    [copy] = [m for m in smtp_sink.to("sub1@example.net")]
    html, text = copy.html, copy.text.replace("\r\n", "\n")
    html5lib.HTMLParser(strict=True).parse(html)  # raises on any parse error
    assert re.search(r'<table [^>]*role="presentation"', html) and "<style" not in html
    assert re.search(r'<td class="content" style="[^"]*padding', html)
    archived = copy.message["Archived-At"].strip("<>")
    personal = copy.link_to("/u/")
    links = set(re.findall(r'href="([^"]+)"', html))
    assert {"https://example.org/agenda", "http://localhost/archive/minutes", archived,
            personal, personal + "/data"} <= links
    assert "Solidarity Economy Network" in html and "Read on the web" in html
    assert "Leave the list with one click" in html
    # the text part: prose folded at 72 columns, code and links whole, the same links
    assert f"Read on the web: {archived}" in text
    assert f"Leave the list with one click: {personal}" in text
    assert f"Your data and choices: {personal}/data" in text
    for line in text.split("\n"):
        if not line.startswith("    ") and "http" not in line:
            assert len(line) <= 72, line
    assert "    code stays exactly as it was written, however long the line happens" in text
    assert "\n  onto a second line of text" in text  # a folded list item keeps its indent


def test_the_unsubscribe_page_names_the_address_and_offers_other_choices(
    app, committee, deliver, smtp_sink  # noqa: F811
):
    draft = write_draft(committee["ana"], "News", "Words.\n")
    press(committee["ben"], draft, "approve")
    press(committee["ana"], draft, "send")
    deliver()
    [copy] = smtp_sink.to("sub1@example.net")
    path = urlsplit(copy.link_to("/u/")).path
    page = app.test_client().get(path).get_data(as_text=True)
    assert '<strong class="leaving-address">sub1@example.net</strong>' in page
    assert "Other choices" in page
    assert 'href="/archive"' in page and 'href="/archive/feed.atom"' in page
    assert f'href="{path}/data"' in page
