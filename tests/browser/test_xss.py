"""Script smuggled into what people and imports put on the site never runs in Chromium —
neither with the Content-Security-Policy on, nor with it switched off (escaping alone)."""

from pathlib import Path

import pytest

from tests.browser.harness import read_payloads

PAYLOADS = read_payloads(Path(__file__).with_name("xss_payloads.txt"))
SCRIPT_URLS = ["javascript:__xssHit%28%29", "JaVaScRiPt:alert%281%29", "vbscript:msgbox(1)"]


def test_the_corpus_is_big_enough():
    assert len(PAYLOADS) >= 50


def directory_with_payloads() -> str:
    """A directory page shaped like the ecosystem seed, a payload in every place it has."""
    lines = ["# <script>__xssHit()</script> Directory", "", PAYLOADS[0], "",
             f"## {PAYLOADS[3]}", ""]
    for number, payload in enumerate(PAYLOADS):
        name = payload if "]" not in payload else f"Entry {number}"
        lines.append(f"- [{name}](https://example.org/xss/{number}) (XSS) {payload}")
    for number, url in enumerate(SCRIPT_URLS):
        lines.append(f"- [Script link {number}]({url}) a link that must not run script")
    return "\n".join(lines) + "\n"


@pytest.fixture
def directory_of_payloads(app, tmp_path):
    page = tmp_path / "ecosystem.md"
    page.write_text(directory_with_payloads(), encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["ecosystem", "import", str(page)])
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("bypass_csp", [False, True], ids=["with-csp", "escaping-alone"])
def test_ecosystem_directory_runs_no_imported_script(
    xss_probe, site, directory_of_payloads, bypass_csp
):
    probe = xss_probe(bypass_csp=bypass_csp)
    csp_reports = []
    probe.page.on(
        "console",
        lambda message: csp_reports.append(message.text)
        if "Content Security Policy" in message.text else None,
    )
    probe.page.goto(site.url + "/ecosystem")
    assert not probe.script_ran()
    assert not csp_reports  # nothing even tried: escaping kept every payload as text
    text = probe.page.locator("main").inner_text()
    assert "<script>__xssHit()</script>" in text  # the payloads are on the page, as text
    entries = probe.page.locator("ul.directory li")
    assert entries.count() >= len(PAYLOADS) + len(SCRIPT_URLS)


def test_subscribe_form_shows_what_was_typed_without_running_it(xss_probe, site):
    """A refused form is shown again with what was typed in it: each payload goes in as the
    email address and the name, and comes back as the fields' text."""
    probe = xss_probe(bypass_csp=True)
    page = probe.page
    page.goto(site.url + "/subscribe")
    for payload in PAYLOADS:
        # Skip the browser's own check of the email field: the server must cope alone.
        page.evaluate("document.querySelector('main form').noValidate = true")
        page.fill("#page-email", payload)
        page.fill("#page-name", payload)
        with page.expect_navigation():
            page.locator("main").get_by_role("button", name="Subscribe").click()
        assert not probe.script_ran(), payload
        assert page.input_value("#page-name") == payload
