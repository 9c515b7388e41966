"""Several lists in tests: made through the real service, as the settings page does."""

import sqlalchemy as sa

from listserve.committee.audit import COMMAND_LINE
from listserve.committee.list_settings import create_list
from listserve.extensions import db
from listserve.subscriptions.models import Subscriber, Subscription


def make_list(app, slug, name, **settings) -> int:
    with app.app_context():
        mailing_list = create_list(COMMAND_LINE, slug, {"name": name, **settings})
        db.session.commit()
        return mailing_list.id


def default_list_id(app) -> int:
    from listserve.core.lists import get_default_list

    with app.app_context():
        return get_default_list().id


def states(app, email) -> dict[int, str]:
    """{list id: status} of one person's subscriptions."""
    with app.app_context():
        return dict(db.session.execute(
            sa.select(Subscription.list_id, Subscription.status).join(Subscriber)
            .where(Subscriber.email_key == email.lower())).all())


def add_to_list(app, list_id, email, status="confirmed", mode="each") -> int:
    """A person on a list (made if new), straight through the models; the subscription id."""
    from listserve.core.lists import MailingList

    with app.app_context():
        subscriber = db.session.scalar(sa.select(Subscriber).filter_by(email_key=email.lower()))
        if subscriber is None:
            subscriber = Subscriber(email=email, email_key=email.lower(), name=email.split("@")[0])
        subscription = Subscription(subscriber=subscriber,
                                    mailing_list=db.session.get(MailingList, list_id),
                                    status=status, delivery_mode=mode)
        db.session.add(subscription)
        db.session.commit()
        return subscription.id
