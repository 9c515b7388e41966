import sqlalchemy as sa

from listserve.extensions import db
from listserve.subscriptions.models import Subscriber, Subscription


def subscribe(client, email, name="", **extra):
    """Fill in and send the subscribe form, then let a worker take the request, as the worker
    beside the web server does a moment later."""
    from tests.support import csrf_token

    page = client.get("/subscribe")
    data = {"csrf_token": csrf_token(page.get_data(as_text=True)), "email": email, "name": name}
    data.update(extra)
    response = client.post("/subscribe", data=data)
    carry_out_signups(client.application)
    return response


def carry_out_signups(app) -> int:
    from listserve.subscriptions.jobs import carry_out_signup_requests

    with app.app_context():
        return carry_out_signup_requests()


def subscription_of(app, email) -> Subscription | None:
    with app.app_context():
        subscription = db.session.scalar(
            sa.select(Subscription)
            .join(Subscriber)
            .where(Subscriber.email_key == email.lower())
        )
        if subscription is not None:
            db.session.expunge(subscription)
        return subscription


def subscriber_count(app) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count(Subscriber.id)))


def press_button(client, url, data=None):
    """Open a page that shows a button, then press it (POST with the page's CSRF token)."""
    from tests.support import csrf_token

    page = client.get(url)
    assert page.status_code == 200, page.status_code
    return client.post(url, data={"csrf_token": csrf_token(page.get_data(as_text=True)),
                                  **(data or {})})
