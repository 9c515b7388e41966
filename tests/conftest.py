import smtplib

import pytest
from flask_migrate import upgrade

from listserve import create_app
from listserve.delivery.worker import run_worker
from listserve.extensions import db
from listserve.translations.catalogs import compile_catalogs
from tests.support import SmtpSink, csrf_token, empty_all_tables, make_test_database


def pytest_sessionstart(session):
    """Compile the catalogs whose .po is newer than their .mo, once: a worktree that was not
    reinstalled since a .po changed (or never compiled) still shows its translations."""
    compile_catalogs()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    url, drop = make_test_database(tmp_path_factory.mktemp("db"))
    app = create_app(_base_config(url, smtp_port=1, tmp=tmp_path_factory.mktemp("inst")))
    with app.app_context():
        upgrade(directory=app.extensions["migrate"].directory)
        db.engine.dispose()
    yield url
    drop()


@pytest.fixture(scope="session")
def smtp_sink():
    sink = SmtpSink().start()
    yield sink
    sink.stop()


@pytest.fixture(autouse=True)
def only_the_test_smtp_server(monkeypatch, request):
    """Any SMTP connection other than to the test's own sink fails the test."""
    allowed = set()
    # Test servers of our own: tests/delivery/test_faults.py, tests/inbound/conftest.py.
    for name in ("smtp_sink", "faulty_smtp", "inbound_receiver"):
        if name in request.fixturenames:
            allowed.add(request.getfixturevalue(name).port)
    original = smtplib.SMTP.connect

    def guarded_connect(self, host="localhost", port=0, source_address=None):
        if port not in allowed:
            pytest.fail(f"unexpected SMTP connection to {host}:{port}")
        return original(self, host, port, source_address)

    monkeypatch.setattr(smtplib.SMTP, "connect", guarded_connect)


def _base_config(database_url, smtp_port, tmp):
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key-not-for-production",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "BASE_URL": "http://localhost",
        "LIST_DOMAIN": "lists.example.org",
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": smtp_port,
        "MAIL_TIMEOUT": 10,
        "MAILBOX_DIR": str(tmp / "mailbox"),
        "RATELIMIT_STORAGE_URI": "memory://",
        "WORKER_POLL_SECONDS": 0.05,
        "SUBSCRIBE_RATE_LIMIT": "1000 per minute",
        # Committee passwords: cheap argon2 so tests stay fast (production keeps the defaults).
        "ARGON2_PARAMETERS": {"time_cost": 1, "memory_cost": 1024, "parallelism": 1},
        "COMMENT_RATE_LIMIT": "1000 per minute",
    }


@pytest.fixture
def app_config(database_url, smtp_sink, tmp_path):
    """Override keys in a test with `@pytest.mark.parametrize` or by editing before `app`."""
    return _base_config(database_url, smtp_sink.port, tmp_path)


@pytest.fixture
def app(app_config, smtp_sink):
    app = create_app(app_config)
    smtp_sink.clear()
    yield app
    with app.app_context():
        try:
            empty_all_tables(db)
        finally:
            db.engine.dispose()  # even when emptying failed: no connection outlives its test


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def deliver(app):
    """Run a delivery worker until nothing is due, as `listserve worker --burst` does."""

    def _deliver() -> int:
        with app.app_context():
            return run_worker(burst=True)

    return _deliver


@pytest.fixture
def post_form(client):
    """POST a form the way a browser does: fetch the page, take its CSRF token, submit."""

    def _post(page_url: str, data: dict, action: str | None = None, **kwargs):
        page = client.get(page_url)
        token = csrf_token(page.get_data(as_text=True))
        return client.post(action or page_url, data={"csrf_token": token, **data}, **kwargs)

    return _post
