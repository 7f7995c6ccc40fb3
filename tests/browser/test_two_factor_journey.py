"""Two-factor sign-in in a real browser: a site admin is sent to set it up, scans (reads) the key,
keeps the recovery codes, signs out and in again with a code; a facilitator meets the
collective's setting. Every page is checked with axe."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pyotp
import pytest
import time_machine

from grants.db import db
from tests import factories

pytestmark = pytest.mark.browser
@pytest.fixture
def app_config(app_config):
    return {**app_config, "TWO_FACTOR_REQUIRED_FOR_ADMINS": True}


def sign_in_with_password(p, person, *, on_the_page: bool = False) -> None:
    if not on_the_page:
        p.goto("/login")
    p.fill("Email address", person.email)
    p.fill("Password", factories.PASSWORD)
    p.submit("Sign in")


def test_an_admin_sets_up_two_factor_and_signs_in_with_a_code(checked_page, live_app):
    with live_app.app_context():
        admin = factories.person("Ada Admin", "ada@example.org", is_admin=True)
        db.session.commit()
    p = checked_page
    # the clock runs, but from a moment we choose, so the next code is one step away
    with time_machine.travel(datetime(2026, 12, 2, 10, 0, 1, tzinfo=timezone.utc), tick=True) as clock:
        p.goto("/admin/people")
        sign_in_with_password(p, admin, on_the_page=True)
        assert p.page.url.endswith("/account/two-factor")          # before anything else
        assert "site admins must use two-factor sign-in" in p.text()
        p.screenshot("two-factor-required")
        p.submit("Set up two-factor sign-in")

        qr = p.page.locator("svg[role=img]")
        assert qr.count() == 1 and qr.bounding_box()["width"] >= 150
        assert p.page.locator("img").count() == 0
        p.screenshot("two-factor-set-up")
        key = p.page.locator("#set-up-key").inner_text()
        assert len(key.split(" ")) == 8 and all(len(group) == 4 for group in key.split(" "))
        totp = pyotp.TOTP(key.replace(" ", ""))

        p.fill("Code from your app", "12345")
        p.submit("Turn on two-factor sign-in")
        assert "Enter the 6-digit code your authenticator app shows now" in p.text()
        assert p.page.locator(".govuk-error-message").count() == 1
        assert p.page.locator("svg[role=img]").count() == 1       # the same QR code, still there
        p.fill("Code from your app", totp.now())
        p.submit("Turn on two-factor sign-in")

        assert "This is the only time you will see these codes" in p.text()
        codes = p.page.locator("main li code").all_inner_texts()
        assert len(codes) == 10
        p.screenshot("two-factor-recovery-codes")
        p.click_link("I have kept my recovery codes safe")
        assert p.page.url.endswith("/admin/people")               # where the admin was going
        p.submit("Sign out")

        sign_in_with_password(p, admin)
        assert "Enter the code from your authenticator app" in p.text()
        p.screenshot("two-factor-sign-in-code")
        p.fill("Code", "000000" if totp.now() != "000000" else "111111")
        p.submit("Continue")
        assert "That code is not right" in p.text()
        clock.shift(timedelta(seconds=30))
        p.fill("Code", totp.now())
        p.submit("Continue")
        assert "Signed in as Ada Admin" in p.text()

        p.click_link("Your account")
        assert "On: signing in asks for a code" in p.text()
        p.click_link("Manage two-factor sign-in and recovery codes")
        assert "Recovery codes left" in p.text() and "10 of 10" in p.text()
        assert "you cannot turn it off" in p.text().lower()
        p.screenshot("two-factor-manage")

        # a colleague lost both phone and recovery codes: the admin resets theirs
        with live_app.app_context():
            from grants.auth.twofactor import TwoFactor

            colleague = factories.person("Lost Phone", "lost@example.org")
            db.session.add(TwoFactor(person_id=colleague.id, secret=pyotp.random_base32(),
                                     confirmed_at=datetime.now(timezone.utc)))
            db.session.commit()
        p.goto("/admin/people")
        assert p.page.get_by_role("button", name="Reset two-factor sign-in of ada@example.org").count() == 0
        p.screenshot("two-factor-accounts")
        p.submit("Reset two-factor sign-in of lost@example.org")
        assert "Two-factor sign-in of lost@example.org is reset" in p.text()


def test_a_facilitator_turns_it_on_for_themselves_then_for_the_collective(checked_page, live_app):
    with live_app.app_context():
        west = factories.collective("west", "West Birmingham Collective")
        facilitator = factories.member(west, factories.person("Fola Adeyemi", "fola@example.org"),
                                       roles=("facilitator",))
        db.session.commit()
    p = checked_page
    sign_in_with_password(p, facilitator)
    p.goto("/c/west/settings")
    p.page.get_by_label("Facilitators and reviewers must use two-factor sign-in").check()
    p.submit("Save")
    assert "Turn on two-factor sign-in for your own account first" in p.text()
    p.screenshot("two-factor-collective-settings")

    p.click_link("Your account")
    p.click_link("Set up two-factor sign-in")
    p.submit("Set up two-factor sign-in")
    totp = pyotp.TOTP(p.page.locator("#set-up-key").inner_text().replace(" ", ""))
    p.fill("Code from your app", totp.now())
    p.submit("Turn on two-factor sign-in")
    p.click_link("I have kept my recovery codes safe")

    p.goto("/c/west/settings")
    p.page.get_by_label("Facilitators and reviewers must use two-factor sign-in").check()
    p.submit("Save")
    assert "Collective settings saved" in p.text()
