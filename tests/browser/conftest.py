"""Browser tests: Playwright driving Debian's Chromium against the app served on localhost.

Every page the browser lands on is checked with axe-core (WCAG 2.2 A/AA and best practice) and for
Content-Security-Policy violations (the app's real policy is on: an init script records every
``securitypolicyviolation`` event the page fires); ``checked_page`` fails the test if any visited
page was not checked or had a violation of either kind. CSRF is on, as in production. A page
identical to one axe already passed in this process is not run through axe again (its CSP is).
"""

from __future__ import annotations

import hashlib
import os
import re
import threading

import pytest
from axe_playwright_python.sync_playwright import Axe
from werkzeug.serving import make_server

from grants import create_app

CHROMIUM = os.environ.get("COMMONPOT_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
# Runs in every page before its own scripts, so no violation of the page's CSP goes unrecorded.
RECORD_CSP_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push({directive: event.effectiveDirective, blocked: event.blockedURI,
                               sample: event.sample, source: event.sourceFile, line: event.lineNumber});
}, true);
"""
# resultTypes: the same rules run and every violation comes back with all its nodes; passes and
# the rest are sent back with one node each, not all of them (only the violations are checked,
# and the rest made each check's answer many times larger, to serialise and parse).
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": [
    "wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]},
    "resultTypes": ["violations"]}
# What axe reads, as the page is when checked: the document (its attributes, text, ARIA and inline
# styles), what its form fields hold now (typed text and ticks are not in the markup), the viewport
# it is laid out in, and where the focus is (GOV.UK's error summary takes it). The CSRF token, a
# hidden field whose value changes on every page, is left out; CSP nonces already are (Chromium
# hides them from the DOM).
PAGE_AS_AXE_SEES_IT = """() => [document.documentElement.outerHTML, window.innerWidth, window.innerHeight,
  !document.activeElement || document.activeElement === document.body ? "body"
    : document.activeElement.outerHTML.slice(0, 500),
  JSON.stringify(Array.from(document.querySelectorAll("input:not([name=csrf_token]), textarea, select"),
                            (field) => [field.value, field.checked === true]))]"""
CSRF_VALUE = re.compile(r'(<input[^>]*name="csrf_token"[^>]*)value="[^"]*"')
# Fingerprints of the pages axe has passed in this test process. Axe's verdict is a function of
# what it reads, and every page is styled by the same stylesheets: a page identical to one already
# passed passes again (the journeys come back to the same page often: in the two longest, a third
# and a half of their checks were repeats), so only its CSP is checked again.
PASSED_AXE: set[str] = set()


@pytest.fixture(scope="session")
def playwright_browser():
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"Chromium is not installed at {CHROMIUM}: run `apt-get install chromium` (make test does)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def live_app(app_config, outbox):
    app = create_app({**app_config, "WTF_CSRF_ENABLED": True, "TESTING": False})
    server = make_server("127.0.0.1", 0, app, threaded=True)
    port = server.server_port
    app.config["COMMONPOT_BASE_URL"] = f"http://127.0.0.1:{port}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    app.base_url = f"http://127.0.0.1:{port}"
    yield app
    server.shutdown()
    thread.join(timeout=5)
    server.server_close()
    app.extensions["commonpot_db"].dispose()


class CheckedPage:
    """A Playwright page that runs axe on every page it lands on."""

    def __init__(self, page, base_url: str) -> None:
        self.page = page
        self.base_url = base_url
        self.axe = Axe()
        self.checked: list[str] = []

    def check(self) -> None:
        self.page.wait_for_load_state("load")
        self.check_csp()
        html, width, height, focused, fields = self.page.evaluate(PAGE_AS_AXE_SEES_IT)
        seen = "\0".join((f"{width}x{height}", CSRF_VALUE.sub(r"\1", focused), fields,
                          CSRF_VALUE.sub(r"\1", html)))
        fingerprint = hashlib.sha256(seen.encode()).hexdigest()
        if fingerprint not in PASSED_AXE:
            results = self.axe.run(self.page, options=AXE_OPTIONS)
            assert results.violations_count == 0, f"{self.page.url}\n{results.generate_report()}"
            PASSED_AXE.add(fingerprint)
        self.checked.append(self.page.url)

    def check_csp(self) -> None:
        violations = self.page.evaluate("window.__cspViolations || []")
        assert not violations, f"{self.page.url} broke its Content-Security-Policy: {violations}"

    def goto(self, path: str) -> None:
        self.page.goto(self.base_url + path)
        self.check()

    def submit(self, button_text: str) -> None:
        with self.page.expect_navigation():
            self.page.get_by_role("button", name=button_text).click()
        self.check()

    def click_link(self, text: str) -> None:
        with self.page.expect_navigation():
            # GOV.UK "start" buttons are links with role=button
            self.page.get_by_role("link", name=text).or_(self.page.get_by_role("button", name=text)).first.click()
        self.check()

    def fill(self, label: str, value: str) -> None:
        self.page.get_by_label(label, exact=True).fill(value)

    def text(self) -> str:
        return self.page.inner_text("main")

    def sign_in(self, who) -> None:
        """Sign in on the sign-in page as ``who`` (a person, or an email address), with the test password."""
        from tests import factories

        self.goto("/login")
        self.fill("Email address", who if isinstance(who, str) else who.email)
        self.fill("Password", factories.PASSWORD)
        self.submit("Sign in")

    def screenshot(self, name: str) -> None:
        """The whole page as ``<COMMONPOT_SCREENSHOTS>/<name>.png``, when that folder is set (for looking at)."""
        folder = os.environ.get("COMMONPOT_SCREENSHOTS")
        if folder:
            self.page.screenshot(path=os.path.join(folder, f"{name}.png"), full_page=True)


def browser_context(playwright_browser):
    """A fresh browser profile (another person's computer) whose pages record CSP violations."""
    context = playwright_browser.new_context()
    context.set_default_timeout(10_000)
    context.add_init_script(RECORD_CSP_VIOLATIONS)
    return context


@pytest.fixture
def checked_page(playwright_browser, live_app):
    context = browser_context(playwright_browser)
    page = context.new_page()
    visited: list[str] = []
    page.on("framenavigated", lambda frame: visited.append(frame.url) if frame == page.main_frame else None)
    checked = CheckedPage(page, live_app.base_url)
    yield checked
    if not page.is_closed() and page.url.startswith(live_app.base_url):
        checked.check_csp()  # what the last page did after its check (a late script, a polled update)
    context.close()
    unchecked = [url for url in visited if url not in checked.checked]
    assert not unchecked, f"pages visited without an accessibility check: {unchecked}"
