"""A discussion list's archive: threads by References / In-Reply-To (subject as a fallback),
newest activity first; a thread's page in reply order with quoted text folded, addresses
hidden and attachments listed; search and the feed find the messages."""

import re

import pytest

from tests.discussion.helpers import TALK, discussion_list, post, resolver_with
from tests.inbound.helpers import send

MEMBERS = ["ann@example.net", "bob@example.org", "cy@example.com"]


@pytest.fixture(autouse=True)
def talk(app):
    app.config["DMARC_RESOLVER"] = resolver_with({})
    discussion_list(app, MEMBERS)


def say(port, sender, subject, body, mid, **headers):
    assert send(port, sender, TALK, post(f"{sender.split('@')[0].title()} <{sender}>", subject,
                                         body, message_id=f"<{mid}@example.net>", **headers)) == 250


def test_threads_newest_activity_first_and_replies_in_order(app, client, inbound_receiver):
    port = inbound_receiver.port
    say(port, "ann@example.net", "Picnic", "Sunday? Write to ann@example.net\n", "a1")
    say(port, "bob@example.org", "Bikes", "Who repairs bikes?\n", "b1")
    say(port, "bob@example.org", "Re: [talk] Picnic", "> Sunday?\n> more\n\nYes, bread from me.\n",
        "a2", In_Reply_To="<a1@example.net>", References="<a1@example.net>")
    say(port, "cy@example.com", "Re: [talk] Picnic", "Cheese from me.\n", "a3",
        In_Reply_To="<a1@example.net>", References="<a1@example.net>")
    say(port, "ann@example.net", "Re: Picnic", "Great, both of you.\n", "a4",
        In_Reply_To="<a2@example.net>", References="<a1@example.net> <a2@example.net>")
    # A client that keeps no threading headers: the subject finds the thread.
    say(port, "cy@example.com", "Re: Bikes", "Me!\n", "b2")

    index = client.get("/archive/talk/").get_data(as_text=True)
    titles = re.findall(r'href="/archive/talk/thread/\d+">([^<]+)<', index)
    assert titles == ["Bikes", "Picnic"]  # Bikes had the newest message
    assert "4 messages" in index and "2 messages" in index

    thread_url = re.search(r'href="(/archive/talk/thread/\d+)">Picnic<', index).group(1)
    page = client.get(thread_url).get_data(as_text=True)
    order = [page.index(text) for text in ("Sunday?", "bread from me", "Great, both of you",
                                           "Cheese from me")]
    assert order == sorted(order)  # a4 answers a2, so it comes before a3
    assert '<details class="quoted"><summary>quoted text</summary>' in page
    assert "ann@example.net" not in page and "ann@ex…" in page


def test_attachments_are_listed_and_search_and_feed_find_posts(app, client, inbound_receiver):
    from email.message import EmailMessage
    from email.policy import SMTP

    msg = EmailMessage(policy=SMTP)
    msg["From"], msg["To"], msg["Subject"] = "ann@example.net", TALK, "Minutes of the assembly"
    msg["Message-ID"] = "<min@example.net>"
    msg.set_content("The minutes are attached. Quorum reached.\n")
    msg.add_attachment(b"%PDF-1.4", maintype="application", subtype="pdf", filename="minutes.pdf")
    send(inbound_receiver.port, "ann@example.net", TALK, msg.as_bytes())
    index = client.get("/archive/talk/").get_data(as_text=True)
    thread_url = re.search(r'href="(/archive/talk/thread/\d+)"', index).group(1)
    page = client.get(thread_url).get_data(as_text=True)
    assert "minutes.pdf (application/pdf, 8 bytes)" in page
    found = client.get("/archive/talk/search?q=quorum").get_data(as_text=True)
    assert "Minutes of the assembly" in found
    feed = client.get("/archive/talk/feed.atom").get_data(as_text=True)
    assert "Minutes of the assembly" in feed


def test_an_unknown_thread_is_a_404(client):
    assert client.get("/archive/talk/thread/12345").status_code == 404
    assert client.get("/archive/talk/thread/99999999999999999999").status_code == 404
