"""Fixtures for the browser journeys: one Chromium per session, one live server per session,
a fresh browser context and freshly emptied tables (with demo content) per test."""

import itertools
import os
import shutil

import pytest

from listserve.core.db import IMMEDIATE
from listserve.extensions import db
from tests.browser.harness import (
    ARTEFACTS,
    AXE_SCRIPT,
    CHROMIUM,
    CHROMIUM_ARGS,
    RECORD_CSP_VIOLATIONS,
    Journey,
    XssProbe,
    artefact_folder,
    unavailable,
)
from tests.browser.live_server import LiveServer, server_environment
from tests.support import free_port


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in item.nodeid:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def chromium():
    try:
        from playwright.sync_api import Error, sync_playwright
    except ImportError:
        unavailable("the playwright package is not installed (pip install playwright)")
    if not os.access(CHROMIUM, os.X_OK):
        unavailable(f"{CHROMIUM} is missing (apt-get install chromium)")
    if not AXE_SCRIPT.exists():
        unavailable("axe-core is missing: run `npm ci --prefix tests/browser`")
    with sync_playwright() as playwright:
        try:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        except Error as exc:
            unavailable(f"Chromium did not start: {exc}")
        yield browser
        browser.close()


# Package scope: the server's delivery worker shares the test database and SMTP sink, so it
# must be gone before tests elsewhere count the mail their own deliver() sends.
@pytest.fixture(scope="package")
def live_server(database_url, smtp_sink, tmp_path_factory):
    folder = tmp_path_factory.mktemp("live-server")
    port = free_port()
    env = server_environment(database_url, smtp_sink.port, port, folder / "mailbox")
    server = LiveServer(port, env, folder / "server.log")
    try:
        server.wait_until_answering()
        yield server
    finally:
        server.stop()
        # Kept beside the screenshots: the server's side of any failure (pytest's own temporary
        # folders are pruned, by concurrent runs too).
        ARTEFACTS.mkdir(exist_ok=True)
        shutil.copyfile(folder / "server.log", ARTEFACTS / "server.log")


@pytest.fixture
def app(app):
    """The test's own app, whose transactions take SQLite's write lock when they begin (as
    commands do): the live server's worker writes beside the journeys' setting up."""
    with app.app_context():
        db.engine.update_execution_options(**IMMEDIATE)  # PostgreSQL ignores the option
    return app


@pytest.fixture
def site(app, live_server, chromium):
    """The live server over emptied tables (the `app` fixture empties them after the test)
    with the demo content loaded: a welcome, aims, next steps and a small directory."""
    result = app.test_cli_runner().invoke(args=["demo", "--pages-only"])
    assert result.exit_code == 0, result.output
    return live_server


@pytest.fixture
def browse(chromium, site, request):
    """Open a journey in a new browser context: `browse(javascript=False, who="reviewer",
    locale="es-ES")`."""
    contexts = []
    folder = artefact_folder(request.node.name)
    screenshots = itertools.count(1)

    def _browse(javascript: bool = True, who: str = "", locale: str | None = None) -> Journey:
        # locale: the browser's language (its Accept-Language), e.g. "es-ES".
        context = chromium.new_context(java_script_enabled=javascript,
                                       **({"locale": locale} if locale else {}))
        context.add_init_script(RECORD_CSP_VIOLATIONS)
        contexts.append(context)
        return Journey(context, folder, site.url, javascript=javascript, server_log=site.log,
                       who=who, screenshots=screenshots)

    yield _browse
    for context in contexts:
        context.close()


@pytest.fixture
def xss_probe(chromium, site):
    """A Chromium page that reports whether injected script ran: `xss_probe(bypass_csp=True)`
    tests escaping alone, with the Content-Security-Policy switched off."""
    contexts = []

    def _probe(bypass_csp: bool = False) -> XssProbe:
        context = chromium.new_context(bypass_csp=bypass_csp)
        contexts.append(context)
        return XssProbe(context)

    yield _probe
    for context in contexts:
        context.close()
