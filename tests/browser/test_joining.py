"""The joining journey in a real browser: register → ask to join → facilitator approves → member."""

from __future__ import annotations

import re

import pytest

from grants.db import db
from tests import factories
from tests.mailserver import body

pytestmark = pytest.mark.browser


def test_register_join_approve_and_sign_in_as_member(checked_page, live_app, mail_server):
    with live_app.app_context():
        collective = factories.collective("west", "West Birmingham Collective")
        facilitator = factories.member(collective, factories.person("Fola Adeyemi", "fola@example.org"),
                                       roles=("facilitator",))
        db.session.commit()
    p = checked_page

    # A new person registers, making one mistake first
    p.goto("/")
    p.click_link("create an account")
    p.fill("Your full name", "Amina Yusuf")
    p.fill("Email address", "amina@example.org")
    p.fill("Create a password", "a good long password")
    p.fill("Confirm your password", "not the same password")
    p.submit("Create account")
    assert "The passwords do not match" in p.text()
    assert p.page.get_by_label("Your full name").input_value() == "Amina Yusuf"   # kept what was typed
    p.fill("Create a password", "a good long password")
    p.fill("Confirm your password", "a good long password")
    p.submit("Create account")
    assert "Check your email" in p.text()

    # ... confirms her address from the emailed link, and signs in
    confirmation = next(m for m in mail_server.wait_for(1) if m["To"] == "amina@example.org")
    link = re.search(r"http://\S+/email/confirm/\S+", body(confirmation)).group(0)
    p.goto(link.removeprefix(p.base_url))
    p.submit("Confirm my email address")
    assert "Your email address is confirmed" in p.text()
    p.fill("Email address", "amina@example.org")
    p.fill("Password", "a good long password")
    p.submit("Sign in")
    mail_server.messages.clear()

    # ... and asks for her organisation to join
    p.goto("/c/west")
    p.click_link("Ask to join")
    p.fill("Organisation name", "Ladywood Mums Network")
    p.page.get_by_label("Unregistered community group").check()
    p.fill("Postcode", "not a postcode")
    p.page.get_by_label("African", exact=True).check()
    p.page.get_by_label("Somali").check()
    p.submit("Ask to join")
    assert "Enter a real UK postcode" in p.text()
    assert p.page.get_by_label("African", exact=True).is_checked()
    p.fill("Postcode", "b16 8ha")
    p.submit("Ask to join")
    assert "Your request has been sent" in p.text()
    assert "You have asked to join this collective" in p.text()
    assert any(m["To"] == "fola@example.org" and "asked to join" in m["Subject"] for m in mail_server.wait_for(1))
    p.submit("Sign out")

    # The facilitator approves
    p.goto("/login")
    p.fill("Email address", facilitator.email)
    p.fill("Password", factories.PASSWORD)
    p.submit("Sign in")
    p.click_link("West Birmingham Collective")
    p.click_link("Join requests")
    p.click_link("Ladywood Mums Network")
    assert "B16 8HA" in p.text()
    assert "Waiting for a decision" in p.text()
    p.click_link("How a request to join a collective moves on (diagram)")
    assert p.page.locator("svg[role=img]").count() == 1
    p.page.go_back()
    p.check()
    p.page.get_by_label("Approve: the organisation joins the collective").check()
    p.submit("Save decision")
    assert "request approved" in p.text()
    p.click_link("Audit log")
    assert "Join request: Ladywood Mums Network\tApprove" in p.text()  # the move, by its label
    p.submit("Sign out")
    assert any(m["To"] == "amina@example.org" and "approved" in m["Subject"] for m in mail_server.wait_for(2))

    # Amina signs in as a member and sees the collective's organisations
    p.goto("/login")
    p.fill("Email address", "amina@example.org")
    p.fill("Password", "a good long password")
    p.submit("Sign in")
    assert "you are applicant, member" in p.text()
    p.click_link("West Birmingham Collective")
    p.click_link("Organisations")
    assert "Ladywood Mums Network" in p.text()
    p.click_link("Ladywood Mums Network")
    assert "Change details" in p.text()


def test_error_pages_are_accessible(checked_page):
    checked_page.page.goto(checked_page.base_url + "/no-such-page")
    checked_page.check()
    assert "Page not found" in checked_page.text()
