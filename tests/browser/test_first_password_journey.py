"""The demo admin on a public address: sign in, choose a new password before anything else."""

from __future__ import annotations

import pytest

from grants.demo import DEMO_PASSWORD, seed
from grants.db import db
from tests.browser.conftest import CHROMIUM, CHROMIUM_FLAGS, CheckedPage

pytestmark = pytest.mark.browser
PUBLIC_HOST = "grants.commonpot.test"   # resolved to the local server by Chromium itself


@pytest.fixture
def public_page(live_app):
    from playwright.sync_api import sync_playwright

    port = live_app.base_url.rsplit(":", 1)[1]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True,
            args=[*CHROMIUM_FLAGS, f"--host-resolver-rules=MAP {PUBLIC_HOST} 127.0.0.1"])
        context = browser.new_context()
        context.set_default_timeout(10_000)
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
    assert p.page.url.endswith("/account/new-password")
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
