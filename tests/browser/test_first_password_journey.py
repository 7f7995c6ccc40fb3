"""The demo admin on a public address: sign in, choose a new password before anything else."""

from __future__ import annotations

import pytest

from grants.demo import DEMO_PASSWORD, seed
from grants.db import db
from tests.browser.conftest import CHROMIUM, CHROMIUM_FLAGS, CheckedPage, browser_context

pytestmark = pytest.mark.browser
PUBLIC_HOST = "grants.commonpot.test"   # resolved to the local server by Chromium itself


@pytest.fixture
def public_page(live_app, playwright_browser):
    # A Chromium of its own (one Playwright per process: the session's), resolving the public name here.
    port = live_app.base_url.rsplit(":", 1)[1]
    live_app.config["TRUSTED_HOSTS"] = [PUBLIC_HOST, "127.0.0.1", "localhost"]
    # Plain http to a name that is not this machine's: Chromium drops Secure cookies there (it keeps
    # them for 127.0.0.1), and this test is about the password page, not TLS.
    live_app.config["SESSION_COOKIE_SECURE"] = live_app.config["REMEMBER_COOKIE_SECURE"] = False
    live_app.extensions["talisman"].session_cookie_secure = False   # Talisman sets the flag again on each request
    browser = playwright_browser.browser_type.launch(
        executable_path=CHROMIUM, headless=True,
        args=[*CHROMIUM_FLAGS, f"--host-resolver-rules=MAP {PUBLIC_HOST} 127.0.0.1"])
    context = browser_context(browser)
    page = CheckedPage(context.new_page(), f"http://{PUBLIC_HOST}:{port}")
    yield page
    browser.close()


def test_the_demo_admin_replaces_the_published_password_first(live_app, public_page):
    with live_app.test_request_context("/"):
        seed()
        db.session.commit()
    p = public_page
    p.goto("/login")
    p.fill("Email address", "admin@demo.example.org")
    p.fill("Password", DEMO_PASSWORD)
    p.submit("Sign in")
    assert p.page.url.endswith("/account/new-password"), p.text()[:1500]
    assert "Choose a new password" in p.text() and "published with the demo" in p.text()
    p.goto("/admin/")                                   # anything else leads back here
    assert p.page.url.endswith("/account/new-password")
    p.fill("New password", DEMO_PASSWORD)
    p.fill("Confirm your new password", DEMO_PASSWORD)
    p.submit("Save my new password")
    assert "different from the one you signed in with" in p.text()
    p.fill("New password", "only the admin knows this")
    p.fill("Confirm your new password", "only the admin knows this")
    p.submit("Save my new password")
    assert "Your new password is saved" in p.text()
    p.goto("/admin/")
    assert p.page.url.endswith("/admin/")
