"""The migrations build exactly the schema the models describe."""

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import upgrade

from listserve import create_app
from listserve.archive.search import is_search_index
from listserve.extensions import db
from tests.support import make_test_database


def test_upgrade_from_empty_matches_the_models(tmp_path):
    url, drop = make_test_database(tmp_path)
    try:
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "x", "TESTING": True})
        with app.app_context():
            upgrade(directory=app.extensions["migrate"].directory)
            with db.engine.connect() as conn:
                context = MigrationContext.configure(
                    conn,
                    opts={
                        "compare_type": True,
                        "render_as_batch": True,
                        # The search tables and indexes are hand-written DDL, not models.
                        "include_name": lambda name, *_: not is_search_index(name),
                    },
                )
                diff = compare_metadata(context, db.metadata)
                tables = set(sa.inspect(conn).get_table_names())
            db.engine.dispose()
        assert diff == [], f"models and migrations drift: {diff}"
        assert {"subscriber", "subscription", "consent_record", "outbox", "mailing"} <= tables
    finally:
        drop()


def test_lists_settings_migration_keeps_existing_data(tmp_path):
    """From the head before several lists, with a list, a subscriber, a pending web request and
    a post in it: every row survives and the old flags become the new settings."""
    url, drop = make_test_database(tmp_path)
    try:
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "x", "TESTING": True,
                          "LIST_DOMAIN": "lists.example.org"})
        directory = app.extensions["migrate"].directory
        with app.app_context():
            upgrade(directory=directory, revision="0011_default_list")
            with db.engine.begin() as conn:
                conn.execute(sa.text(
                    "INSERT INTO mailing_list (slug, name, domain, description, announce_only,"
                    " required_approvals, hold_all_comments, created_at) VALUES ('talk', 'Talk',"
                    " 'lists.example.org', 'chat', :no, 3, :yes, '2026-01-01 00:00:00')"),
                    {"no": False, "yes": True})
                conn.execute(sa.text(
                    "INSERT INTO subscriber (email, email_key, name, created_at) VALUES"
                    " ('a@example.org', 'a@example.org', 'A', '2026-01-01 00:00:00')"))
                conn.execute(sa.text(
                    "INSERT INTO subscription (subscriber_id, list_id, status, created_at,"
                    " requested_at, bounce_score) SELECT s.id, l.id, 'confirmed',"
                    " '2026-01-01 00:00:00', '2026-01-01 00:00:00', 0 FROM subscriber s,"
                    " mailing_list l WHERE l.slug = 'talk'"))
                conn.execute(sa.text(
                    "INSERT INTO signup_request (email, name, source, requested_at) VALUES"
                    " ('b@example.org', '', 'web form /', '2026-01-01 00:00:00')"))
                conn.execute(sa.text(
                    "INSERT INTO post (year, slug, subject, body_markdown, body_html,"
                    " published_at) VALUES (2026, 'hello', 'Hello', 'hi', '<p>hi</p>',"
                    " '2026-01-01 00:00:00')"))
            upgrade(directory=directory)
            with db.engine.connect() as conn:
                lists = {row.slug: row for row in conn.execute(sa.text(
                    "SELECT slug, kind, comment_policy, required_approvals, consent_text,"
                    " description, public, id FROM mailing_list"))}
                subscription = conn.execute(sa.text(
                    "SELECT status, delivery_mode, list_id FROM subscription")).one()
                signup = conn.execute(sa.text("SELECT email, list_ids FROM signup_request")).one()
                post_list = conn.execute(sa.text("SELECT list_id FROM post")).scalar_one()
            db.engine.dispose()
        talk, default = lists["talk"], lists[app.config["LIST_SLUG"]]
        assert (talk.kind, talk.comment_policy, talk.required_approvals, talk.description) == (
            "discussion", "all_held", 3, "chat")
        assert (default.kind, default.comment_policy) == ("announce", "open")
        assert talk.consent_text == default.consent_text == app.config["CONSENT_TEXT"]
        assert talk.public and default.public
        assert tuple(subscription) == ("confirmed", "each", talk.id)
        assert tuple(signup) == ("b@example.org", None)  # None: the default list, as before
        assert post_list == default.id
    finally:
        drop()
