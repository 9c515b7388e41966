"""The dashboard's figures match a seeded history."""

from datetime import date, timedelta

from listserve.core.lists import get_default_list
from listserve.delivery.models import Mailing, MailingKind, OutboxEntry
from listserve.extensions import db
from listserve.subscriptions.manage.dashboard import announcement_figures, weekly_figures
from tests.committee.helpers import log_in, make_member
from tests.subscriptions.manage.helpers import at, seed

TODAY = date(2024, 3, 20)  # a Wednesday; its week starts on Monday 18 March


def seed_history(app):
    seed(app, "a@example.org", confirmed="2024-03-04")  # week of 4 March
    seed(app, "b@example.org", confirmed="2024-03-05")
    seed(app, "c@example.org", confirmed="2024-03-12", status="unsubscribed",
         unsubscribed="2024-03-19")
    seed(app, "d@example.org", confirmed="2024-01-01")  # before the window
    seed(app, "e@example.org", status="pending", requested="2024-03-13")


def test_weekly_figures(app):
    seed_history(app)
    with app.app_context():
        weeks = weekly_figures(weeks=3, today=TODAY)
    assert [w.week for w in weeks] == [date(2024, 3, 4), date(2024, 3, 11), date(2024, 3, 18)]
    assert [w.confirmed for w in weeks] == [3, 4, 3]
    assert [w.subscribes for w in weeks] == [2, 1, 0]
    assert [w.unsubscribes for w in weeks] == [0, 0, 1]


def test_announcement_figures_count_sent_failed_and_unsubscribes_after(app):
    stayed = seed(app, "a@example.org", confirmed="2024-03-01")
    left_soon = seed(app, "b@example.org", confirmed="2024-03-01", status="unsubscribed",
                     unsubscribed="2024-03-12")
    left_later = seed(app, "c@example.org", confirmed="2024-03-01", status="unsubscribed",
                      unsubscribed="2024-03-30")
    with app.app_context():
        mailing = Mailing(list_id=get_default_list().id, kind=MailingKind.ANNOUNCEMENT,
                          purpose="announcement:1", subject="Spring assembly",
                          text_body="…", created_at=at("2024-03-10"))
        db.session.add(mailing)
        db.session.flush()
        for sid, status, email in ((stayed, "sent", "a"), (left_soon, "sent", "b"),
                                   (left_later, "failed", "c")):
            db.session.add(OutboxEntry(mailing_id=mailing.id, subscription_id=sid,
                                       recipient=f"{email}@example.org", status=status,
                                       next_attempt_at=at("2024-03-10")))
        db.session.commit()
        [figures] = announcement_figures()
        bounces = {w.week: w.bounces for w in weekly_figures(weeks=2, today=date(2024, 3, 14))}
    assert (figures.subject, figures.sent, figures.failed, figures.waiting) == (
        "Spring assembly", 2, 1, 0)
    assert figures.unsubscribes_after == 1
    assert bounces[date(2024, 3, 4)] == 1  # the failed copy, in the week of its attempt


def test_dashboard_page_shows_charts_and_the_same_figures_as_a_table(app, client):
    this_monday = date.today() - timedelta(days=date.today().weekday())
    seed(app, "a@example.org", confirmed=this_monday.isoformat())
    make_member(app, "member@example.org")
    log_in(client, "member@example.org")
    page = client.get("/committee/dashboard").get_data(as_text=True)
    assert page.count('<svg class="chart"') == 3
    assert "<script" not in page and "style=" not in page
    assert f'<th scope="row">{this_monday.isoformat()}</th><td>1</td><td>1</td>' in page


def test_weekly_bounces_add_later_delivery_reports_to_failed_copies(app):
    from listserve.subscriptions.models import BounceEvent

    sid = seed(app, "a@example.org", confirmed="2024-03-01")
    with app.app_context():
        mailing = Mailing(list_id=get_default_list().id, kind=MailingKind.ANNOUNCEMENT,
                          purpose="announcement:1", subject="News", text_body="…",
                          created_at=at("2024-03-05"))
        db.session.add(mailing)
        db.session.flush()
        refused = OutboxEntry(mailing_id=mailing.id, subscription_id=sid, status="failed",
                              recipient="a@example.org", next_attempt_at=at("2024-03-05"))
        db.session.add(refused)
        db.session.flush()
        for source, kind, when in (
            ("smtp", "permanent", "2024-03-05"),  # the refusal itself: already the failed copy
            ("dsn", "permanent", "2024-03-12"),  # a report that came back later
            ("dsn", "temporary", "2024-03-13"),  # a delay is not a bounce
        ):
            db.session.add(BounceEvent(subscription_id=sid, outbox_entry_id=refused.id,
                                       kind=kind, source=source, created_at=at(when)))
        db.session.commit()
        weeks = weekly_figures(weeks=2, today=date(2024, 3, 14))
    assert {w.week: w.bounces for w in weeks} == {date(2024, 3, 4): 1, date(2024, 3, 11): 1}


def test_each_chart_has_a_title_axes_and_units(app, client):
    """Issue 20, item 8: a chart says what it shows, along which axes, in which unit."""
    import re

    seed(app, "a@example.org", confirmed=date.today().isoformat())
    make_member(app, "member@example.org")
    log_in(client, "member@example.org")
    page = client.get("/committee/dashboard").get_data(as_text=True)
    captions = re.findall(r"<figcaption>([^<]+)</figcaption>", page)
    assert captions == ["Confirmed subscribers at the end of each week",
                        "Subscribes and unsubscribes per week", "Bounces per week"]
    units = re.findall(r'rotate\(-90\)" text-anchor="middle">([^<]+)</text>', page)
    assert units == ["subscribers", "people a week", "bounces a week"]
    assert page.count("Week starting (Monday, UTC)") == 3
    assert page.count('<line class="axis"') == 6  # an x and a y axis each
    assert "<caption>Week by week</caption>" in page  # the same figures as a table


def test_the_numbers_filter_by_list(app, client):
    """Issue 19: the dashboard's figures and charts for one list, or every list."""
    import sqlalchemy as sa

    from listserve.subscriptions.models import Subscription
    from tests.subscriptions.lists_helpers import add_to_list, default_list_id, make_list

    garden = make_list(app, "garden", "Garden group")
    main = default_list_id(app)
    for email in ("a@example.org", "b@example.org"):
        add_to_list(app, main, email)
    add_to_list(app, garden, "c@example.org")
    with app.app_context():
        for subscription in db.session.scalars(sa.select(Subscription)):
            subscription.confirmed_at = at("2024-03-19")
        db.session.commit()
        assert weekly_figures(weeks=1, today=TODAY, list_id=garden)[0].subscribes == 1
        assert weekly_figures(weeks=1, today=TODAY, list_id=main)[0].subscribes == 2
        assert weekly_figures(weeks=1, today=TODAY)[0].subscribes == 3
    make_member(app, "root@example.org", role="admin")
    log_in(client, "root@example.org")
    page = client.get(f"/committee/dashboard?list={garden}").get_data(as_text=True)
    assert f'<option value="{garden}" selected>Garden group</option>' in page
    assert client.get("/committee/dashboard?list=999999").status_code == 404
    assert client.get("/committee/dashboard?list=99999999999999999999").status_code == 404
