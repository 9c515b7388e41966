"""core.db.insert_many, the bulk INSERT behind a sign-up surge's round and an announcement's
queue: every row stored as given, on SQLite and PostgreSQL (there: arrays in binary format,
columns equal in every row sent once, defaults of left-out columns filled in)."""

from datetime import UTC, datetime, timedelta, timezone

import sqlalchemy as sa

from listserve.core.db import insert_many
from listserve.core.lists import get_default_list
from listserve.extensions import db
from listserve.subscriptions.models import Subscriber, Subscription


def stored_people():
    return db.session.execute(
        sa.select(Subscriber.email, Subscriber.email_key, Subscriber.name, Subscriber.created_at)
        .order_by(Subscriber.email)
    ).all()


def test_rows_with_varying_and_equal_columns_are_stored_as_given(app):
    with app.app_context():
        when = datetime(2026, 12, 7, 10, 30, tzinfo=UTC)
        rows = [{"email": f"Person{n}@Example.org", "email_key": f"person{n}@example.org",
                 "name": "Ana ‘Ñ’ \"quoted\" {braces}, commas\\" if n == 1 else "",
                 "created_at": when + timedelta(seconds=n % 2)} for n in range(300)]
        ids = dict(insert_many(Subscriber.__table__, rows,
                               returning=(Subscriber.__table__.c.email_key,
                                          Subscriber.__table__.c.id)))
        db.session.commit()
        assert len(ids) == 300 and len(set(ids.values())) == 300
        stored = {row.email: row for row in stored_people()}
        assert stored["Person1@Example.org"].name == "Ana ‘Ñ’ \"quoted\" {braces}, commas\\"
        assert stored["Person2@Example.org"].name == ""
        assert stored["Person2@Example.org"].created_at == when
        assert stored["Person3@Example.org"].created_at == when + timedelta(seconds=1)


def test_equal_rows_none_values_other_time_zones_and_left_out_defaults(app):
    with app.app_context():
        mailing_list = get_default_list()
        madrid = timezone(timedelta(hours=1))
        asked = datetime(2026, 12, 7, 11, 0, tzinfo=madrid)
        people = insert_many(
            Subscriber.__table__,
            [{"email": f"p{n}@example.org", "email_key": f"p{n}@example.org", "name": "Same"}
             for n in range(3)],  # created_at left out: its default (now) is filled in
            returning=(Subscriber.__table__.c.id,),
        )
        insert_many(Subscription.__table__, [
            {"subscriber_id": person.id, "list_id": mailing_list.id, "status": "pending",
             "requested_at": asked, "confirm_nonce": None, "language": None}
            for person in people
        ])  # delivery_mode, bounce_score and created_at left out: their defaults
        db.session.commit()
        rows = db.session.execute(
            sa.select(Subscription.status, Subscription.requested_at, Subscription.confirm_nonce,
                      Subscription.delivery_mode, Subscription.bounce_score,
                      Subscription.created_at)
        ).all()
        assert len(rows) == 3
        for status, requested_at, nonce, mode, score, created_at in rows:
            assert (status, nonce, mode, score) == ("pending", None, "each", 0.0)
            assert requested_at == asked and requested_at.tzinfo is not None
            assert abs(created_at - datetime.now(UTC)) < timedelta(minutes=5)
        assert all(abs(row.created_at - datetime.now(UTC)) < timedelta(minutes=5)
                   for row in stored_people())


def test_a_conflicting_row_is_skipped_and_not_returned(app):
    with app.app_context():
        table = Subscriber.__table__
        insert_many(table, [{"email": "a@example.org", "email_key": "a@example.org",
                             "name": "First"}])
        added = insert_many(
            table,
            [{"email": e, "email_key": e.lower(), "name": "Second"}
             for e in ("A@example.org", "b@example.org")],
            returning=(table.c.email_key,), conflict_key="email_key",
        )
        db.session.commit()
        assert [row.email_key for row in added] == ["b@example.org"]
        assert [(row.email, row.name) for row in stored_people()] == [
            ("a@example.org", "First"), ("b@example.org", "Second")]
