"""Bounce scoring as Mailman does it, with a frozen clock; mail is delivered after the freeze
(freezegun can stall the SMTP sink's event loop)."""

from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from freezegun import freeze_time

from listserve.extensions import db
from listserve.subscriptions.bounces import record_bounce
from listserve.subscriptions.models import Subscription
from tests.delivery.helpers import add_confirmed
from tests.subscriptions.helpers import press_button, subscription_of


def bounce(app, email, when, permanent=True):
    with freeze_time(when), app.app_context():
        subscription = db.session.get(Subscription, subscription_of(app, email).id)
        record_bounce(subscription, permanent=permanent, source="dsn", status="5.1.1")
        db.session.commit()
    return subscription_of(app, email)


def test_a_point_a_day_at_most_and_temporary_bounces_ignored(app):
    add_confirmed(app, ["ann@example.net"])
    assert bounce(app, "ann@example.net", "2026-03-01 09:00").bounce_score == 1
    assert bounce(app, "ann@example.net", "2026-03-01 18:00").bounce_score == 1
    assert bounce(app, "ann@example.net", "2026-03-02 08:00", permanent=False).bounce_score == 1
    assert bounce(app, "ann@example.net", "2026-03-02 09:00").bounce_score == 2


def test_score_goes_stale_after_a_week_without_bounces(app):
    add_confirmed(app, ["ann@example.net"])
    for day in (1, 2, 3):
        bounce(app, "ann@example.net", f"2026-03-0{day} 09:00")
    assert subscription_of(app, "ann@example.net").bounce_score == 3
    assert bounce(app, "ann@example.net", "2026-03-11 09:00").bounce_score == 1


def test_five_points_disable_delivery_and_the_link_turns_it_back_on(app, client, deliver,
                                                                    smtp_sink):
    add_confirmed(app, ["ann@example.net"])
    start = datetime.now(UTC) - timedelta(days=6)  # recent: the link is valid for 60 days
    for day in range(4):
        assert bounce(app, "ann@example.net", start + timedelta(days=day)).status == "confirmed"
    assert bounce(app, "ann@example.net", start + timedelta(days=4)).status == "disabled"
    bounce(app, "ann@example.net", start + timedelta(days=5))  # no second notice
    deliver()
    [notice] = smtp_sink.to("ann@example.net")
    assert notice.message["Auto-Submitted"] == "auto-generated"
    link = notice.link_to("/reenable/")
    path = urlsplit(link).path
    assert client.get(path).status_code == 200
    assert subscription_of(app, "ann@example.net").status == "disabled"  # GET changes nothing
    page = press_button(client, path)
    assert page.status_code == 200
    again = subscription_of(app, "ann@example.net")
    assert (again.status, again.bounce_score) == ("confirmed", 0)
    assert client.get(path).status_code == 404  # used


def test_a_tampered_reenable_link_is_refused(client):
    assert client.get("/reenable/not-a-token").status_code == 404
