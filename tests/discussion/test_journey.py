"""The issue's journey through the real LMTP receiver and a real SMTP sink: a member posts and
every subscriber gets a personal copy; a non-member's post is held, approved on the web and
delivered; a reply threads under its parent on the archive page; an auto-reply and a looped
copy are not redistributed."""

import re

from listserve.extensions import db
from tests.committee.helpers import log_in, make_member
from tests.discussion.helpers import TALK, discussion_list, post, resolver_with, rows
from tests.inbound.helpers import send

MEMBERS = ["ann@example.net", "bob@example.org", "cy@example.com"]


def copies_of(smtp_sink, subject):
    return sorted(m.rcpt_tos[0] for m in smtp_sink.messages
                  if m.message["Subject"] == subject and m.rcpt_tos[0] in MEMBERS)


def test_the_discussion_journey(app, client, inbound_receiver, deliver, smtp_sink, post_form):
    app.config["DMARC_RESOLVER"] = resolver_with({})
    make_member(app, "mod@example.org", "Mo")
    discussion_list(app, MEMBERS)
    port = inbound_receiver.port

    # A member posts: one personal copy each, with the list's headers.
    send(port, "ann@example.net", TALK,
         post("Ann <ann@example.net>", "Assembly agenda", "Items?\n",
              message_id="<j1@example.net>"))
    deliver()
    assert copies_of(smtp_sink, "[talk] Assembly agenda") == MEMBERS
    first = next(m for m in smtp_sink.messages if m.rcpt_tos == ["bob@example.org"])
    assert first.message["List-Id"].endswith("<talk.lists.example.org>")
    assert first.message["List-Post"] == "<mailto:talk@lists.example.org>"
    assert first.message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    # A non-member's post is held, approved on the web, then delivered.
    send(port, "dan@example.net", TALK,
         post("Dan <dan@example.net>", "Guest question", "May I come?\n"))
    deliver()
    assert copies_of(smtp_sink, "[talk] Guest question") == []
    held = rows(app)[-1]
    assert held.status == "held"
    log_in(client, "mod@example.org")
    page = f"/committee/held/{held.id}"
    post_form(page, {}, action=f"{page}/approve")
    deliver()
    assert copies_of(smtp_sink, "[talk] Guest question") == MEMBERS

    # Bob answers the copy he received: the reply threads under Ann's post.
    reply = post("Bob <bob@example.org>", "Re: [talk] Assembly agenda", "> Items?\nBudget.\n",
                 In_Reply_To=first.message["Message-ID"],
                 References=f"<j1@example.net> {first.message['Message-ID']}")
    send(port, "bob@example.org", TALK, reply)
    deliver()
    assert copies_of(smtp_sink, "Re: [talk] Assembly agenda") == MEMBERS
    index = client.get("/archive/talk/").get_data(as_text=True)
    thread = re.search(r'href="(/archive/talk/thread/\d+)">Assembly agenda<', index).group(1)
    assert "2 messages" in index
    shown = client.get(thread).get_data(as_text=True)
    assert shown.index("Items?") < shown.index("Budget.")

    # An auto-reply and a looped copy of the list's own mail are not redistributed.
    smtp_sink.clear()
    send(port, "cy@example.com", TALK,
         post("cy@example.com", "Out of office", "Away.", Auto_Submitted="auto-replied"))
    send(port, "cy@example.com", TALK, first.data)
    deliver()
    assert [m for m in smtp_sink.messages if m.rcpt_tos[0] in MEMBERS] == []
    assert [r.reason.split(":")[0] for r in rows(app)[-2:]] == ["not redistributed"] * 2
    with app.app_context():
        db.session.remove()
