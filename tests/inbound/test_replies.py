"""Replies that cannot become comments (here: to a mailing with no archived post, or to
nothing we sent) are kept, unrouted, with the mailing they answer; committee members list
what waits with `inbound held`. Replies that become comments: test_reply_comments.py."""

from urllib.parse import urlsplit

import sqlalchemy as sa

from listserve.core.lists import get_default_list
from listserve.delivery.outbox import enqueue_announcement
from listserve.extensions import db
from tests.inbound.helpers import LIST_ADDRESS, inbound_rows, mail, send
from tests.subscriptions.helpers import press_button, subscribe


def send_announcement(app, client, deliver, smtp_sink, address="lea@example.net"):
    subscribe(client, address)
    deliver()
    press_button(client, urlsplit(smtp_sink.to(address)[0].link_to("/confirm/")).path)
    with app.app_context():
        mailing = enqueue_announcement(
            mailing_list=get_default_list(), purpose="announcement:1",
            subject="Assembly on Saturday", text_body="Come along.", html_body=None,
        )
        mailing_id = mailing.id
        db.session.commit()
    deliver()
    [copy] = [m for m in smtp_sink.to(address) if m.message["Subject"] == "Assembly on Saturday"]
    return mailing_id, copy


def test_a_reply_to_a_mailing_with_no_post_is_kept_unrouted_with_the_mailing(
    inbound_receiver, app, client, deliver, smtp_sink, runner
):
    mailing_id, copy = send_announcement(app, client, deliver, smtp_sink)
    reply = mail("Lea <lea@example.net>", LIST_ADDRESS, "Re: Assembly on Saturday",
                 "I will bring soup.", In_Reply_To=copy.message["Message-ID"],
                 References=f"<older@example.net> {copy.message['Message-ID']}")
    assert send(inbound_receiver.port, "lea@example.net", LIST_ADDRESS, reply) == 250
    [row] = [r for r in inbound_rows(app) if r.kind == "reply"]
    assert row.status == "unrouted"
    assert row.mailing_id == mailing_id
    assert row.raw == reply
    assert row.sender == "lea@example.net"
    deliver()
    assert not [m for m in smtp_sink.to("lea@example.net") if "Re:" in m.message["Subject"]]

    listing = runner.invoke(args=["inbound", "held"])
    assert listing.exit_code == 0, listing.output
    assert f"#{row.id}" in listing.output and "unrouted reply" in listing.output
    assert "Re: Assembly on Saturday" in listing.output
    shown = runner.invoke(args=["inbound", "show", str(row.id)])
    assert "I will bring soup." in shown.output


def test_an_out_of_office_to_the_list_is_not_kept_as_a_reply(inbound_receiver, app, runner):
    auto = mail("max@example.net", LIST_ADDRESS, "Away", "Back Monday",
                Auto_Submitted="auto-replied")
    send(inbound_receiver.port, "max@example.net", LIST_ADDRESS, auto)
    [row] = inbound_rows(app)
    assert row.status == "handled" and row.raw is None
    assert "Nothing is waiting." in runner.invoke(args=["inbound", "held"]).output


def test_a_reply_to_something_we_never_sent_is_kept_without_a_mailing(inbound_receiver, app):
    reply = mail("ned@example.net", "announcements+post-3@lists.example.org", "Hello",
                 "Hi", In_Reply_To="<unknown@example.net>")
    send(inbound_receiver.port, "ned@example.net", "announcements+post-3@lists.example.org", reply)
    [row] = inbound_rows(app)
    assert row.status == "unrouted" and row.mailing_id is None


def test_erasing_a_subscriber_erases_the_mail_they_sent_us(inbound_receiver, app, client,
                                                           deliver, smtp_sink):
    from listserve.subscriptions.models import Subscriber
    from listserve.subscriptions.privacy import erase_subscriber

    _, copy = send_announcement(app, client, deliver, smtp_sink)
    reply = mail("Lea <LEA@example.net>", LIST_ADDRESS, "Re: Assembly", "See you there.")
    send(inbound_receiver.port, "lea@example.net", LIST_ADDRESS, reply)
    send(inbound_receiver.port, "someone@example.net", LIST_ADDRESS,
         mail("someone@example.net", LIST_ADDRESS, "Re: Assembly", "Me too."))
    with app.app_context():
        lea = db.session.scalar(sa.select(Subscriber).filter_by(email_key="lea@example.net"))
        erase_subscriber(lea)
        db.session.commit()
    assert [row.sender for row in inbound_rows(app)] == ["someone@example.net"]


def test_a_reply_that_comes_before_the_copy_s_result_is_stored_still_finds_it(
    inbound_receiver, app, client, deliver, smtp_sink
):
    """A worker stores a copy's Message-ID with its result, a group at a time (and one that
    dies first stores nothing until the copy goes again); a reply in that moment is still
    matched, by the copy's signed id in the Message-ID."""
    from listserve.delivery.models import OutboxEntry

    mailing_id, copy = send_announcement(app, client, deliver, smtp_sink)
    with app.app_context():
        db.session.execute(sa.update(OutboxEntry).where(OutboxEntry.mailing_id == mailing_id)
                           .values(message_id=None))
        db.session.commit()
    reply = mail("Lea <lea@example.net>", LIST_ADDRESS, "Re: Assembly on Saturday",
                 "I will bring soup.", In_Reply_To=copy.message["Message-ID"])
    send(inbound_receiver.port, "lea@example.net", LIST_ADDRESS, reply)
    forged = copy.message["Message-ID"].replace(".m", "x.m", 1)
    send(inbound_receiver.port, "lea@example.net", LIST_ADDRESS,
         mail("lea@example.net", LIST_ADDRESS, "Re: Assembly", "Forged.", In_Reply_To=forged))
    rows = [r for r in inbound_rows(app) if r.kind == "reply"]
    assert [r.mailing_id for r in rows] == [mailing_id, None]
