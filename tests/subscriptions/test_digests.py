"""Digests with a frozen clock: a week of posts gives each digest reader exactly one mail with
every post; two workers racing queue one digest; switching mode mid-week loses and doubles
nothing; the digest's headers are an announcement copy's (List-Id, List-Unsubscribe + Post,
DKIM)."""

import threading
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import dkim
import sqlalchemy as sa
from freezegun import freeze_time

from listserve.archive.services import post_url, publish_post
from listserve.core.lists import get_default_list
from listserve.delivery.outbox import UNSUBSCRIBE_URL, enqueue_announcement
from listserve.extensions import db
from listserve.subscriptions.digests import queue_digests
from listserve.subscriptions.models import DigestRun, Subscription
from tests.delivery.test_copies import dkim_key  # noqa: F401  (a fixture)
from tests.subscriptions.lists_helpers import add_to_list, default_list_id

MONDAY = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


def send_post(app, subject):
    """What sending an announcement leaves behind: a post and its copies to each-mail readers."""
    with app.app_context():
        mailing_list = get_default_list()
        post = publish_post(subject=subject, body_markdown=f"News of {subject}.\n",
                            body_html=f"<p>News of {subject}.</p>", list_id=mailing_list.id)
        mailing = enqueue_announcement(
            mailing_list=mailing_list, purpose=f"announcement:{subject}", subject=subject,
            text_body=f"News of {subject}.\n\nLeave: {UNSUBSCRIBE_URL}\n", html_body=None,
            archived_at=post_url(post))
        post.mailing_id = mailing.id
        db.session.commit()


def set_mode(app, subscription_id, mode):
    with app.app_context():
        db.session.get(Subscription, subscription_id).delivery_mode = mode
        db.session.commit()


def subjects(sink, address):
    return [m.message["Subject"] for m in sink.to(address)]


def digests_to(sink, address):
    return [m for m in sink.to(address) if "digest" in m.message["Subject"]]


def test_a_week_of_posts_gives_each_digest_reader_one_mail_with_every_post(
        app, deliver, smtp_sink):
    main = default_list_id(app)
    with freeze_time(MONDAY - timedelta(days=10)):
        add_to_list(app, main, "each@example.net")
        add_to_list(app, main, "dig1@example.net", mode="digest")
        add_to_list(app, main, "dig2@example.net", mode="digest")
    with freeze_time(MONDAY) as clock:
        for day in DAYS:
            send_post(app, f"{day} news")
            deliver()
            clock.tick(timedelta(days=1))
        assert subjects(smtp_sink, "each@example.net") == [f"{day} news" for day in DAYS]
        assert smtp_sink.to("dig1@example.net") == []  # the week is not over
        clock.move_to(MONDAY + timedelta(days=7, minutes=5))
        deliver()
        deliver()  # a second round, and a second worker, queue nothing more
        with app.app_context():
            assert queue_digests() == 0
        deliver()
    for reader in ("dig1@example.net", "dig2@example.net"):
        [digest] = smtp_sink.to(reader)
        assert digest.message["Subject"] == (
            "Network announcements digest, 30 Nov to 06 Dec 2026 (7 messages)")
        text, html = digest.text.replace("\r\n", "\n"), digest.html
        assert "Today's Topics:" in text
        for number, day in enumerate(DAYS, 1):
            assert f"  {number}. {day} news" in text
            assert f"Subject: {day} news" in text and f"News of {day} news." in text
            assert f">{day} news</a>" in html
        assert text.count("\n------------------------------\n") == 7  # RFC 1153 separators
        assert "End of Network announcements Digest" in text
        personal = digest.link_to("/u/")
        assert personal in html
    assert digests_to(smtp_sink, "each@example.net") == []
    assert (digests_to(smtp_sink, "dig1@example.net")[0].link_to("/u/")
            != digests_to(smtp_sink, "dig2@example.net")[0].link_to("/u/"))


def test_digest_headers_pass_the_checks_of_announcement_copies(app, deliver, smtp_sink,
                                                               dkim_key):  # noqa: F811
    path, record = dkim_key
    app.config.update(DKIM_SELECTOR="s2026", DKIM_PRIVATE_KEY_PATH=str(path))
    with freeze_time(MONDAY - timedelta(days=1)):
        add_to_list(app, default_list_id(app), "dig@example.net", mode="digest")
    with freeze_time(MONDAY):
        send_post(app, "Only post")
    with freeze_time(MONDAY + timedelta(days=7, hours=1)):
        deliver()
    [digest] = smtp_sink.to("dig@example.net")
    message = digest.message
    assert message["List-Id"] == "Network announcements <announcements.lists.example.org>"
    personal = digest.link_to("/u/")
    assert f"<{personal}>" in message["List-Unsubscribe"]
    assert "mailto:announcements-leave@lists.example.org" in message["List-Unsubscribe"]
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message["List-Post"] == "NO" and message["Precedence"] == "list"
    assert message["Message-ID"].endswith("@lists.example.org>")
    assert message["From"].addresses[0].addr_spec == "announcements@lists.example.org"
    with freeze_time(MONDAY + timedelta(days=7, hours=1)):  # signed then, checked then
        assert dkim.verify(digest.data, dnsfunc=lambda name, timeout=5: record)
    signed = message["DKIM-Signature"].replace("\r\n", "")
    assert "list-unsubscribe" in signed and "list-unsubscribe-post" in signed
    # One click from the digest leaves the list.
    client = app.test_client()
    assert client.post(urlsplit(personal).path,
                       data={"List-Unsubscribe": "One-Click"}).status_code == 200
    with app.app_context():
        assert db.session.scalar(sa.select(Subscription.status)) == "unsubscribed"


def test_two_workers_racing_queue_one_digest(app, smtp_sink, deliver):
    with freeze_time(MONDAY - timedelta(days=1)):
        add_to_list(app, default_list_id(app), "dig1@example.net", mode="digest")
        add_to_list(app, default_list_id(app), "dig2@example.net", mode="digest")
    with freeze_time(MONDAY):
        send_post(app, "Raced post")
    start = threading.Barrier(2)
    made, errors = [], []

    def worker():
        try:
            with app.app_context():
                start.wait()
                made.append(queue_digests())
                db.session.remove()
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    # The threads queue on the clock the worker delivers on: the copies they queue are due
    # at it, whatever the real date is.
    with freeze_time(MONDAY + timedelta(days=7, hours=1)):
        threads = [threading.Thread(target=worker) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        assert errors == []
        assert sorted(made) == [0, 1]
        deliver()
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(DigestRun.id))) == 1
    assert len(smtp_sink.to("dig1@example.net")) == 1
    assert len(smtp_sink.to("dig2@example.net")) == 1


def test_switching_mode_mid_week_loses_and_doubles_nothing(app, deliver, smtp_sink):
    main = default_list_id(app)
    with freeze_time(MONDAY - timedelta(days=3)):
        to_each = add_to_list(app, main, "to-each@example.net", mode="digest")
        to_digest = add_to_list(app, main, "to-digest@example.net")
        add_to_list(app, main, "steady@example.net", mode="digest")
    with freeze_time(MONDAY) as clock:
        for day in DAYS[:2]:
            send_post(app, f"{day} news")
            deliver()
            clock.tick(timedelta(days=1))
        set_mode(app, to_each, "each")
        set_mode(app, to_digest, "digest")
        add_to_list(app, main, "newcomer@example.net", mode="digest")  # joins on Wednesday
        clock.tick(timedelta(hours=1))
        for day in DAYS[3:5]:
            send_post(app, f"{day} news")
            deliver()
            clock.tick(timedelta(days=1))
        clock.move_to(MONDAY + timedelta(days=7, minutes=1))
        deliver()
    week = ["Monday news", "Tuesday news", "Thursday news", "Friday news"]

    def received(address):
        singles = [s for s in subjects(smtp_sink, address) if "digest" not in s]
        [digest] = digests_to(smtp_sink, address) or [None]
        in_digest = [s for s in week if digest and f"Subject: {s}" in digest.text]
        return singles, in_digest

    assert received("to-each@example.net") == (week[2:], week[:2])
    assert received("to-digest@example.net") == (week[:2], week[2:])
    assert received("steady@example.net") == ([], week)
    assert received("newcomer@example.net") == ([], week[2:])
