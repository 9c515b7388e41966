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
