"""A reply to a sent announcement becomes a comment on its archived post: sent over LMTP to
the receiver, held until its sender presses the button in the verification mail, then shown.
The announcement is sent the way the committee sends one: drafted, approved, sent, delivered.
"""

from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa

from listserve.archive.models import Comment, Commenter, Post
from listserve.core.lists import get_default_list
from listserve.extensions import db
from tests.announcements.helpers import press, write_draft
from tests.archive.helpers import page_url, write_comment
from tests.archive.helpers import press as press_button
from tests.committee.helpers import log_in, make_member
from tests.delivery.test_announcement import add_subscribers
from tests.inbound.helpers import LIST_ADDRESS, inbound_rows, mail, send
from tests.support import csrf_token

LEA = "lea@example.net"
GMAIL_REPLY = """\
Count me in, I will bring soup.

Lea

On Sat, Mar 2, 2024 at 10:02 AM Listserve Announcements <
announcements@lists.example.org> wrote:

> We meet on Saturday at the hall.
>
> Leave the list with one click: http://localhost/u/secret
"""


@pytest.fixture
def sent(app, deliver, smtp_sink):
    """An announcement sent to Lea through the committee's pages; (post, Lea's copy)."""
    make_member(app, "ana@example.org", "Ana")
    make_member(app, "ben@example.org", "Ben")
    add_subscribers(app, {LEA: "confirmed"})
    ana, ben = app.test_client(), app.test_client()
    log_in(ana, "ana@example.org")
    log_in(ben, "ben@example.org")
    draft = write_draft(ana, "Assembly on Saturday", "We meet on Saturday at the hall.\n")
    press(ben, draft, "approve")
    assert press(ana, draft, "send").status_code == 303
    deliver()
    [copy] = smtp_sink.to(LEA)
    with app.app_context():
        post = db.session.scalar(sa.select(Post).filter_by(subject="Assembly on Saturday"))
        db.session.expunge(post)
    return post, copy


def reply_to(copy, body=GMAIL_REPLY, sender=f"Lea Martin <{LEA}>", **headers) -> bytes:
    message_id = copy.message["Message-ID"]
    return mail(sender, LIST_ADDRESS, "Re: Assembly on Saturday", body,
                In_Reply_To=message_id, References=message_id, **headers)


def comments_on(app, post) -> list[Comment]:
    with app.app_context():
        found = db.session.scalars(
            sa.select(Comment).filter_by(post_id=post.id).order_by(Comment.id)).all()
        for comment in found:
            db.session.expunge(comment)
        return found


def verification_mails(smtp_sink, address=LEA):
    subject = "Please confirm your comment"
    return [m for m in smtp_sink.to(address) if m.message["Subject"] == subject]


def reply_and_confirm(port, client, deliver, smtp_sink, copy):
    """Lea replies, then presses the button in the verification mail that reply brings."""
    assert send(port, LEA, LIST_ADDRESS, reply_to(copy)) == 250
    deliver()
    [verification] = verification_mails(smtp_sink)
    press_button(client, urlsplit(verification.link_to("/archive/comments/verify/")).path)


def test_a_reply_becomes_a_held_comment_published_when_its_sender_confirms(
    inbound_receiver, app, client, deliver, smtp_sink, sent
):
    post, copy = sent
    assert send(inbound_receiver.port, LEA, LIST_ADDRESS, reply_to(copy)) == 250

    [row] = [r for r in inbound_rows(app) if r.kind == "reply"]
    assert row.status == "handled" and f"/archive/{post.year}/{post.slug}" in row.reason
    [comment] = comments_on(app, post)
    assert comment.status == "unverified" and comment.via == "email"
    assert comment.author_name == "Lea Martin"
    assert comment.body_markdown == "Count me in, I will bring soup.\n\nLea"
    page = client.get(page_url(post)).get_data(as_text=True)
    assert "I will bring soup" not in page

    deliver()
    [verification] = verification_mails(smtp_sink)
    assert "Count me in, I will bring soup." in verification.text
    assert "secret" not in verification.text  # the quoted copy, with its unsubscribe link
    link = urlsplit(verification.link_to("/archive/comments/verify/")).path
    button_page = client.get(link).get_data(as_text=True)
    assert "I will bring soup" in button_page and "you sent this reply by email" in button_page
    assert press_button(client, link).status_code == 200

    page = client.get(page_url(post)).get_data(as_text=True)
    assert "Count me in, I will bring soup." in page and "Lea Martin" in page
    assert "We meet on Saturday at the hall.</p>" in page  # the post itself, once
    assert page.count("We meet on Saturday") == 1
    assert comments_on(app, post)[0].status == "published"


def test_a_reply_with_only_quoted_text_makes_no_comment(
    inbound_receiver, app, deliver, smtp_sink, sent
):
    post, copy = sent
    quoted_only = "On Sat, 2 Mar 2024, Announcements wrote:\n> We meet on Saturday.\n\n-- \nLea\n"
    send(inbound_receiver.port, LEA, LIST_ADDRESS, reply_to(copy, quoted_only))
    [row] = [r for r in inbound_rows(app) if r.kind == "reply"]
    assert row.status == "unrouted" and "quoted text" in row.reason
    assert row.raw is not None  # kept for a committee member
    assert comments_on(app, post) == []
    deliver()
    assert verification_mails(smtp_sink) == []


def test_a_reply_whose_in_reply_to_matches_nothing_stays_unrouted(
    inbound_receiver, app, sent
):
    post, _ = sent
    stray = mail(f"Lea <{LEA}>", LIST_ADDRESS, "Re: something", "Hello?",
                 In_Reply_To="<never-sent@example.net>")
    send(inbound_receiver.port, LEA, LIST_ADDRESS, stray)
    [row] = [r for r in inbound_rows(app) if r.kind == "reply"]
    assert (row.status, row.mailing_id) == ("unrouted", None)
    assert comments_on(app, post) == []


def test_an_auto_submitted_reply_makes_nothing(inbound_receiver, app, deliver, smtp_sink, sent):
    post, copy = sent
    away = reply_to(copy, "I am away until Monday.", Auto_Submitted="auto-replied")
    send(inbound_receiver.port, LEA, LIST_ADDRESS, away)
    [row] = [r for r in inbound_rows(app) if r.kind == "reply"]
    assert row.status == "handled" and "Auto-Submitted" in row.reason
    assert comments_on(app, post) == []
    deliver()
    assert verification_mails(smtp_sink) == []


def test_a_forged_reply_is_not_released_by_the_owners_own_web_comment(
    inbound_receiver, app, client, deliver, smtp_sink, sent
):
    """Someone writes as Lea by email; Lea, commenting on the web, confirms her own comment.
    Only the comment her link was sent for goes live, never the forged one."""
    post, copy = sent
    write_comment(client, page_url(post), name="Lea", email=LEA, body="My own words.")
    forged = reply_to(copy, "Buy cheap watches.", sender=f"Lea <{LEA}>")
    send(inbound_receiver.port, "mallory@example.com", LIST_ADDRESS, forged)
    deliver()
    web_mail, email_mail = verification_mails(smtp_sink)
    assert "Buy cheap watches." in email_mail.text and "Buy cheap" not in web_mail.text
    press_button(client, urlsplit(web_mail.link_to("/archive/comments/verify/")).path)
    statuses = {c.body_markdown: c.status for c in comments_on(app, post)}
    assert statuses == {"My own words.": "published", "Buy cheap watches.": "unverified"}
    # And a verified reader's browser does not help an emailed comment either.
    send(inbound_receiver.port, "mallory@example.com", LIST_ADDRESS,
         reply_to(copy, "More watches.", sender=LEA))
    assert {c.body_markdown: c.status for c in comments_on(app, post)}["More watches."] == (
        "unverified")


def test_after_confirmation_a_list_that_holds_all_comments_still_holds_it(
    inbound_receiver, app, client, deliver, smtp_sink, sent
):
    post, copy = sent
    with app.app_context():
        get_default_list().comment_policy = "all_held"
        db.session.commit()
    reply_and_confirm(inbound_receiver.port, client, deliver, smtp_sink, copy)
    assert [c.status for c in comments_on(app, post)] == ["held"]
    assert "I will bring soup" not in client.get(page_url(post)).get_data(as_text=True)
    log_in(client, "ana@example.org")
    queue = client.get("/committee/comments").get_data(as_text=True)
    assert "I will bring soup" in queue and "a reply by email" in queue


def test_a_spammers_reply_stays_held_after_confirmation(
    inbound_receiver, app, client, deliver, smtp_sink, sent
):
    post, copy = sent
    with app.app_context():
        db.session.add(Commenter(email=LEA, email_key=LEA, spammer=True))
        db.session.commit()
    reply_and_confirm(inbound_receiver.port, client, deliver, smtp_sink, copy)
    assert [c.status for c in comments_on(app, post)] == ["held"]


def test_the_same_reply_delivered_twice_makes_one_comment(inbound_receiver, app, sent):
    post, copy = sent
    reply = reply_to(copy)
    send(inbound_receiver.port, LEA, LIST_ADDRESS, reply)
    send(inbound_receiver.port, LEA, LIST_ADDRESS, reply)
    assert len(comments_on(app, post)) == 1
    assert "already received" in inbound_rows(app)[-1].reason


def test_an_html_only_reply_and_a_from_without_a_name(inbound_receiver, app, sent):
    post, copy = sent
    message_id = copy.message["Message-ID"]
    html = (b"From: lea@example.net\r\nTo: " + LIST_ADDRESS.encode() + b"\r\n"
            b"Subject: Re: Assembly\r\nMessage-ID: <html-reply@example.net>\r\n"
            b"In-Reply-To: " + message_id.encode() + b"\r\nMIME-Version: 1.0\r\n"
            b"Content-Type: text/html; charset=utf-8\r\n\r\n"
            b"<div>I&#39;ll be there &amp; bring <b>bread</b>.</div>"
            b"<blockquote type=\"cite\">We meet on Saturday.</blockquote>\r\n")
    send(inbound_receiver.port, LEA, LIST_ADDRESS, html)
    [comment] = comments_on(app, post)
    assert comment.body_markdown == "I'll be there & bring bread."
    assert comment.author_name == "lea"


def test_a_long_reply_is_cut_to_the_comment_limit(inbound_receiver, app, sent):
    post, copy = sent
    send(inbound_receiver.port, LEA, LIST_ADDRESS, reply_to(copy, "soup " * 2000))
    [comment] = comments_on(app, post)
    limit = app.config["COMMENT_MAX_LENGTH"]
    assert len(comment.body_markdown) <= limit and comment.body_markdown.endswith("…")


def test_a_reply_to_a_translated_copy_becomes_a_comment_on_the_post(
    inbound_receiver, app, client, deliver, smtp_sink
):
    """Issue 22: a Spanish reader's copy comes from the Spanish mailing; the reply still finds
    the announcement's archived post."""
    make_member(app, "ana@example.org", "Ana")
    make_member(app, "ben@example.org", "Ben")
    add_subscribers(app, {LEA: "confirmed"})
    with app.app_context():
        db.session.execute(sa.text("UPDATE subscription SET language = 'es'"))
        db.session.commit()
    ana, ben = app.test_client(), app.test_client()
    log_in(ana, "ana@example.org")
    log_in(ben, "ben@example.org")
    draft = write_draft(ana, "Assembly on Saturday", "We meet on Saturday at the hall.\n")
    page = ana.get(f"/committee/announcements/{draft}/translations/es").get_data(as_text=True)
    ana.post(f"/committee/announcements/{draft}/translations/es", data={
        "csrf_token": csrf_token(page), "subject": "Asamblea el sábado",
        "body": "Nos reunimos el sábado en el salón.\n"})
    press(ben, draft, "approve")
    assert press(ana, draft, "send").status_code == 303
    deliver()
    [copy] = smtp_sink.to(LEA)
    assert copy.message["Content-Language"] == "es"
    with app.app_context():
        post = db.session.scalar(sa.select(Post).filter_by(subject="Assembly on Saturday"))
        db.session.expunge(post)
    reply_and_confirm(inbound_receiver.port, client, deliver, smtp_sink, copy)
    [comment] = comments_on(app, post)
    assert comment.body_markdown == "Count me in, I will bring soup.\n\nLea"
