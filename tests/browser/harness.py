"""The browser harness: Chromium's flags, a journey that checks every page it visits, and a
probe that tells whether injected script ran."""

import itertools
import os
import re
from pathlib import Path

import pytest

REPOSITORY = Path(__file__).resolve().parents[2]
ARTEFACTS = REPOSITORY / "test-artifacts"
AXE_SCRIPT = Path(__file__).resolve().parent / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
BLOCKING_IMPACTS = ("serious", "critical")

# Runs before any script of the page, in every frame: CSP reports are kept on window so a
# journey can read them before it leaves the page.
RECORD_CSP_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (event) => {
  window.__cspViolations.push(
    `${event.violatedDirective} blocked ${event.blockedURI || 'inline'}: ${event.sample}`);
});
"""


def unavailable(reason: str):
    """Skip, or fail when CI says the browser must be there (LISTSERVE_REQUIRE_BROWSER=1)."""
    if os.environ.get("LISTSERVE_REQUIRE_BROWSER") == "1":
        pytest.fail(f"LISTSERVE_REQUIRE_BROWSER=1 but {reason}", pytrace=False)
    pytest.skip(reason)


class Journey:
    """One person's visit in one browser context. `check(name)` is called on every page the
    person reaches: it saves a screenshot and fails on console errors, CSP violations and
    serious accessibility problems."""

    def __init__(self, context, artefacts: Path, base_url: str, javascript: bool = True,
                 server_log=lambda: "", who: str = "", screenshots=None):
        self.page = context.new_page()
        self.server_log = server_log
        # Several people in one test: their screenshots are numbered in one sequence.
        self.who = f"{who}-" if who else ""
        self.screenshots = screenshots or itertools.count(1)
        self.base_url = base_url
        self.artefacts = artefacts
        self.javascript = javascript
        self.console_errors: list[str] = []
        self.csp_reports: list[str] = []
        self.documents: dict[str, int] = {}
        self.last_status: int | None = None
        self.pages_checked = 0
        self.page.on("console", self._on_console)
        self.page.on("pageerror", lambda error: self.console_errors.append(f"uncaught: {error}"))
        self.page.on("response", self._on_response)

    def _on_response(self, response) -> None:
        if response.request.resource_type == "document" and response.frame == self.page.main_frame:
            self.documents[response.url] = response.status
            self.last_status = response.status

    def _on_console(self, message) -> None:
        text = message.text
        if "Content Security Policy" in text:
            self.csp_reports.append(text)
        elif message.type == "error":
            # A page that answers 4xx on purpose (a bad link) is logged as a failed load;
            # its status is what check() asserts instead.
            url = (message.location or {}).get("url", "")
            if text.startswith("Failed to load resource") and url in self.documents:
                return
            self.console_errors.append(f"{text} ({url})")

    def url(self, path_or_url: str) -> str:
        return path_or_url if "://" in path_or_url else self.base_url + path_or_url

    def open(self, path_or_url: str, name: str, status: int = 200):
        self.page.goto(self.url(path_or_url))
        return self.check(name, status)

    def check(self, name: str, status: int = 200):
        page = self.page
        page.wait_for_load_state("load")
        self.pages_checked += 1
        self.artefacts.mkdir(parents=True, exist_ok=True)
        self._screenshot(self.artefacts / f"{next(self.screenshots):02d}-{self.who}{name}.png")
        if self.last_status != status:
            log = self.server_log() if (self.last_status or 0) >= 500 else ""
            raise AssertionError(f"{name}: HTTP {self.last_status}, wanted {status}\n{log}")
        if self.javascript:
            self.csp_reports += page.evaluate("window.__cspViolations || []")
            problems = accessibility_problems(page)
            assert not problems, f"{name}: accessibility:\n" + "\n".join(problems)
        assert not self.csp_reports, f"{name}: CSP violations: {self.csp_reports}"
        assert not self.console_errors, f"{name}: console errors: {self.console_errors}"
        return page

    def _screenshot(self, path: Path) -> None:
        from playwright.sync_api import Error

        # Headless Chromium on a busy machine now and then answers "Unable to capture
        # screenshot" for a page that is fine: try again before calling it a failure.
        for attempt in range(3):
            try:
                self.page.screenshot(path=path, full_page=True)
                return
            except Error as exc:
                if "Unable to capture screenshot" not in str(exc) or attempt == 2:
                    raise
                self.page.wait_for_timeout(200)

    def heading(self) -> str:
        return self.page.locator("h1").inner_text()


def accessibility_problems(page) -> list[str]:
    """Serious or critical axe-core violations on the page, one line each."""
    # page.evaluate runs over the DevTools protocol, which the page's CSP does not govern,
    # so axe is injected without relaxing the policy for the page under test.
    if not page.evaluate("typeof window.axe === 'object'"):
        page.evaluate(AXE_SCRIPT.read_text(encoding="utf-8"))
    violations = page.evaluate(
        """async () => {
             const result = await axe.run(document, {resultTypes: ['violations']});
             return result.violations.map((v) => ({
               id: v.id, impact: v.impact, help: v.help,
               targets: v.nodes.map((n) => n.target.join(' ')).slice(0, 5)}));
           }"""
    )
    return [
        f"{v['impact']}: {v['id']} ({v['help']}) at {', '.join(v['targets'])}"
        for v in violations
        if v["impact"] in BLOCKING_IMPACTS
    ]


class KeyboardUser:
    """Moves with Tab and acts with Enter and typing only."""

    def __init__(self, page, max_tabs: int = 40):
        self.page = page
        self.max_tabs = max_tabs

    def tab_to(self, predicate: str, what: str) -> None:
        for _ in range(self.max_tabs):
            self.page.keyboard.press("Tab")
            if self.page.evaluate(f"(({predicate}))(document.activeElement)"):
                return
        raise AssertionError(f"{what} cannot be reached with the Tab key")

    def fill(self, field_id: str, text: str) -> None:
        self.tab_to(f"(el) => el && el.id === {field_id!r}", f"#{field_id}")
        self.page.keyboard.type(text)

    def press_button(self, label: str) -> None:
        self._enter_on("BUTTON", label, f"the {label} button")

    def follow(self, label: str) -> None:
        """Tab to the first link reading `label` and press Enter."""
        self._enter_on("A", label, f"the {label} link")

    def _enter_on(self, tag: str, label: str, what: str) -> None:
        self.tab_to(
            f"(el) => el && el.tagName === {tag!r} && el.textContent.trim() === {label!r}", what
        )
        with self.page.expect_navigation():
            self.page.keyboard.press("Enter")


class PointerUser:
    def __init__(self, page):
        self.page = page

    def fill(self, field_id: str, text: str) -> None:
        self.page.fill(f"#{field_id}", text)

    def press_button(self, label: str) -> None:
        with self.page.expect_navigation():
            self.page.get_by_role("button", name=label, exact=True).click()

    def follow(self, label: str) -> None:
        with self.page.expect_navigation():
            self.page.get_by_role("link", name=label, exact=True).first.click()


# --- did injected script run? -------------------------------------------------------------

XSS_TRAP = """
window.__xss = false;
window.__xssHit = () => { window.__xss = true; };
for (const name of ['alert', 'confirm', 'prompt', 'print']) {
  window[name] = () => { window.__xss = true; };
}
"""


class XssProbe:
    """Chromium with every way a payload announces itself trapped: window.__xssHit(),
    alert/confirm/prompt/print, and any dialog that still opens."""

    def __init__(self, context):
        context.add_init_script(XSS_TRAP)
        self.page = context.new_page()
        self.dialogs: list[str] = []
        self.page.on("dialog", self._on_dialog)

    def _on_dialog(self, dialog) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def script_ran(self) -> bool:
        """Whether anything injected ran, after following every non-web link on the page."""
        page = self.page
        page.wait_for_load_state("load")
        hrefs = page.eval_on_selector_all("a[href]", "(links) => links.map((a) => a.href)")
        for index, href in enumerate(hrefs):
            if not href.lower().startswith(("http://", "https://", "mailto:")):
                page.locator("a[href]").nth(index).click(no_wait_after=True)
        page.wait_for_timeout(50)  # lets an onerror/onload handler of a broken image fire
        ran = bool(self.dialogs)
        for frame in page.frames:
            ran = ran or bool(frame.evaluate("window.__xss === true"))
        return ran


def read_payloads(path: Path) -> list[str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [line for line in lines if line.strip() and not line.startswith("#!")]


def artefact_folder(test_name: str) -> Path:
    folder = ARTEFACTS / re.sub(r"[^\w.-]+", "_", test_name).strip("_")
    if folder.exists():
        for old in folder.glob("*.png"):
            old.unlink()
    return folder
