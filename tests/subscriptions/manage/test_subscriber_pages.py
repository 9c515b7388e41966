"""Admins find subscribers, read their record and act on it; nobody else can."""

import sqlalchemy as sa

from listserve.delivery.models import OutboxEntry
from listserve.extensions import db
from listserve.subscriptions.manage.selection import Selection
from listserve.subscriptions.manage.subscribers import search_subscriptions
from listserve.subscriptions.models import Subscription, Suppression
from tests.committee.helpers import log_in, make_member, post
from tests.subscriptions.helpers import subscribe, subscription_of
from tests.subscriptions.manage.helpers import seed


def emails(app, **filters) -> list[str]:
    with app.app_context():
        page = search_subscriptions(Selection(**filters))
        return sorted(subscription.subscriber.email for subscription in page.items)


def test_search_by_address_or_name_and_filters(app):
    from datetime import date

    seed(app, "ada@example.org", name="Ada Lovelace", requested="2024-01-10")
    seed(app, "grace@navy.example", name="Grace Hopper", status="pending", requested="2024-02-01")
    seed(app, "bob@example.org", status="unsubscribed", requested="2024-03-01", bounce_score=3.0)
    assert emails(app, query="LOVELACE") == ["ada@example.org"]
    assert emails(app, query="example.org") == ["ada@example.org", "bob@example.org"]
    assert emails(app, query="%") == []  # a wildcard is a character, not a pattern
    assert emails(app, statuses=["pending"]) == ["grace@navy.example"]
    assert emails(app, min_bounce_score=2.5) == ["bob@example.org"]
    assert emails(app, subscribed_from=date(2024, 2, 1), subscribed_until=date(2024, 2, 29)) == [
        "grace@navy.example"]


def admin_client(app, client):
    make_member(app, "root@example.org", role="admin")
    log_in(client, "root@example.org")
    return client


def test_the_table_pages_and_filters_through_the_query_string(app, client):
    for i in range(55):
        seed(app, f"person{i:02d}@example.org", name=f"Person {i}")
    admin_client(app, client)
    first = client.get("/committee/subscribers").get_data(as_text=True)
    assert "55 subscriptions found" in first and "Page 1 of 2" in first
    second = client.get("/committee/subscribers?page=2").get_data(as_text=True)
    assert "person00@example.org" in second
    found = client.get("/committee/subscribers?q=person07").get_data(as_text=True)
    assert "1 subscription found" in found
    bad = client.get("/committee/subscribers?subscribed_from=last+tuesday")
    assert bad.status_code == 400 and "last tuesday" in bad.get_data(as_text=True)


def test_members_who_are_not_admins_cannot_see_subscribers(app, client):
    make_member(app, "member@example.org")
    log_in(client, "member@example.org")
    assert client.get("/committee/subscribers").status_code == 403
    assert client.get("/committee/subscribers/export.csv").status_code == 403
    client.get("/committee/logout")


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get("/committee/subscribers")
    assert response.status_code == 302 and "/committee/login" in response.location


def test_detail_page_shows_consent_and_delivery_history(app, client, deliver):
    subscribe(client, "ada@example.org", "Ada")
    deliver()
    sid = subscription_of(app, "ada@example.org").id
    admin_client(app, client)
    page = client.get(f"/committee/subscribers/{sid}").get_data(as_text=True)
    assert "web form /subscribe" in page
    assert "Please confirm: join" in page and "250" in page  # the copy and the SMTP reply
    assert "Confirm</button>" not in page  # the admin never confirms for someone


def test_actions_resend_pause_resume_unsubscribe(app, client):
    pending = seed(app, "ada@example.org", status="pending")
    confirmed = seed(app, "bob@example.org", confirmed="2024-01-02")
    admin_client(app, client)
    page = f"/committee/subscribers/{pending}"
    post(client, f"{page}/resend")
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(OutboxEntry.id))) == 1
    page = f"/committee/subscribers/{confirmed}"
    post(client, f"{page}/disable")
    assert subscription_of(app, "bob@example.org").status == "disabled"
    post(client, f"{page}/enable")
    assert subscription_of(app, "bob@example.org").status == "confirmed"
    post(client, f"{page}/unsubscribe")
    assert subscription_of(app, "bob@example.org").status == "unsubscribed"
    refused = post(client, f"{page}/enable", follow_redirects=True)
    assert "Only a paused subscription" in refused.get_data(as_text=True)
    assert subscription_of(app, "bob@example.org").status == "unsubscribed"
    assert post(client, f"{page}/confirm").status_code == 404


def test_erase_is_the_same_as_the_persons_own(app, client):
    sid = seed(app, "ada@example.org")
    admin_client(app, client)
    page = f"/committee/subscribers/{sid}"
    assert post(client, f"{page}/erase").status_code == 303
    with app.app_context():
        assert db.session.get(Subscription, sid) is None
        assert db.session.scalar(sa.select(sa.func.count(Suppression.id))) == 1


def bounces_section(page: str) -> str:
    return page.split("<h2>Bounces</h2>", 1)[1].split("<h2>Delivery history</h2>", 1)[0]


def test_detail_page_shows_bounce_history_newest_first(app, client, deliver):
    from listserve.subscriptions.bounces import record_bounce

    subscribe(client, "ada@example.org", "Ada")
    deliver()
    quiet = seed(app, "bob@example.org", confirmed="2024-01-02")
    with app.app_context():
        subscription = db.session.get(Subscription, subscription_of(app, "ada@example.org").id)
        copy = db.session.scalar(sa.select(OutboxEntry).filter_by(recipient="ada@example.org"))
        record_bounce(subscription, permanent=True, source="smtp", outbox_entry_id=copy.id,
                      status="550", diagnostic="550 5.1.1 <ada@example.org>: User unknown")
        record_bounce(subscription, permanent=False, source="dsn", status="4.4.1",
                      diagnostic="Connection timed out")
        db.session.commit()
        sid = subscription.id
    admin_client(app, client)
    section = bounces_section(client.get(f"/committee/subscribers/{sid}").get_data(as_text=True))
    rows = section.split("<tr>")[2:]  # after the heading row
    assert len(rows) == 2
    assert "temporary" in rows[0] and "4.4.1" in rows[0] and "(DSN)" in rows[0]
    assert "Connection timed out" in rows[0]
    assert "permanent" in rows[1] and "550" in rows[1] and "(SMTP)" in rows[1]
    assert "&lt;ada@example.org&gt;: User unknown" in rows[1]  # escaped, not markup
    assert "Please confirm: join" in rows[1]  # the mail that bounced
    quiet_page = client.get(f"/committee/subscribers/{quiet}").get_data(as_text=True)
    assert "No bounces recorded." in bounces_section(quiet_page)
