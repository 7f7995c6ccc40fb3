"""A proposal in a real browser (issue 13): Enter in the title saves the draft and never submits;
a budget line's message keeps its two boxes in line; the summary's limit is checked before
sending; check your answers → change an answer → back → submit. A report's photo over its limit
is caught before sending. Every page is checked by axe and for CSP violations."""

from __future__ import annotations

import pytest
from sqlmodel import select

from grants.db import db
from grants.proposals.models import SUMMARY_LIMIT, Proposal
from tests.rounds_helpers import open_round, world
from tests.test_awards import _accepted_small_grant

pytestmark = pytest.mark.browser


def _state(app) -> str:
    with app.app_context():
        return db.session.exec(select(Proposal)).one().state


def _top(p, label: str) -> float:
    return p.page.get_by_label(label, exact=True).bounding_box()["y"]


def test_enter_saves_then_check_your_answers_change_and_submit(checked_page, live_app):
    with live_app.app_context():
        w = world()
        open_round(w)
        applicant, round_id = w["applicants"][0], w["round"].id
    p = checked_page
    p.sign_in(applicant)
    p.goto(f"/c/west/rounds/{round_id}")
    p.submit("Start a proposal")
    p.fill("Project title", "Walking club")
    p.page.get_by_label("Summary").fill("Weekly walks for new mums.")
    p.fill("Amount you are asking for (£)", "1200")
    p.page.get_by_role("radio", name="Building trust").check()
    p.fill("Line 1: what it pays for", "Walk leader")
    p.fill("Line 1: amount (£)", "700")
    p.fill("Line 2: what it pays for", "Refreshments")
    p.fill("Line 2: amount (£)", "500")

    # Enter in the title: the draft is saved, not submitted
    with p.page.expect_navigation():
        p.page.get_by_label("Project title", exact=True).press("Enter")
    p.check()
    assert "Your draft is saved" in p.text()
    assert _state(live_app) == "draft"

    # A budget line's mistake: the message is above the line, whose two boxes stay side by side
    p.click_link("Change or submit")
    p.fill("Line 3: what it pays for", "Leaflets")
    p.fill("Line 3: amount (£)", "lots")
    p.submit("Save draft")
    assert "Enter an amount in pounds, like 1500 or 1500.50" in p.text()
    assert _top(p, "Line 3: what it pays for") == _top(p, "Line 3: amount (£)")
    p.page.locator("#budget_lines").screenshot(path="/tmp/h5-budget-error.png")
    assert "Enter the amount for this line" not in p.text()
    p.fill("Line 3: what it pays for", "")
    p.fill("Line 3: amount (£)", "")

    # The summary's limit is checked before anything is sent, and nothing typed is touched
    too_long = "w" * (SUMMARY_LIMIT + 5)
    p.page.get_by_label("Summary").fill(too_long)
    p.page.get_by_role("button", name="Save draft").click()
    message = f"The summary must be {SUMMARY_LIMIT} characters or fewer"
    p.page.locator("#summary-client-error").wait_for()
    assert message in p.page.locator("#summary-client-error").inner_text()
    assert p.page.locator(".govuk-error-summary").first.inner_text().count(message) == 1
    assert p.page.get_by_label("Project title", exact=True).input_value() == "Walking club"
    p.check()  # axe and CSP on the page with the script's messages
    p.page.screenshot(path="/tmp/h5-summary-limit.png", full_page=False)
    p.page.get_by_label("Summary").fill("Weekly walks for new mums.")

    # Check your answers, change the amount, back to check, then submit
    p.submit("Save and check your answers")
    assert "Check your answers before submitting your proposal" in p.text()
    assert _state(live_app) == "draft"
    p.page.screenshot(path="/tmp/h5-check-answers.png", full_page=True)
    p.click_link("Change amount")
    assert p.page.url.endswith("#amount_requested")
    p.fill("Amount you are asking for (£)", "1300")
    p.fill("Line 2: amount (£)", "600")
    p.submit("Save and check your answers")
    assert "£1,300" in p.text() and "Refreshments: £600" in p.text()
    p.submit("Submit proposal")
    assert "Your proposal is submitted" in p.text()
    assert _state(live_app) == "submitted"
    assert "Mark eligible" not in p.text() and "Only a facilitator" not in p.text()


def test_a_photo_over_its_limit_is_caught_before_sending(checked_page, live_app):
    w = _accepted_small_grant(live_app)
    live_app.config["REPORT_PHOTO_BYTES"] = 1024 * 1024
    with live_app.app_context():
        grantee = w["applicants"][2]
    p = checked_page
    p.sign_in(grantee)
    p.goto(f"/c/west/grants/{w['grant'].id}/reports/{w['report'].id}")
    assert "A JPEG or PNG file, up to 1 MB." in p.text()
    p.page.get_by_label("What happened?").fill("Twelve walks in the park")
    p.page.get_by_label("A photo (optional)").set_input_files(
        {"name": "walk.png", "mimeType": "image/png", "buffer": b"\x89PNG" + b"0" * (1024 * 1024 + 100)})
    p.page.locator("#photo-client-error").wait_for()
    assert "The photo must be smaller than 1 MB" in p.page.locator("#photo-client-error").inner_text()
    url = p.page.url
    p.page.get_by_role("button", name="Save draft").click()
    assert p.page.url == url  # nothing sent
    assert p.page.get_by_label("What happened?").input_value() == "Twelve walks in the park"
    p.check()
    p.page.screenshot(path="/tmp/h5-photo-limit.png", full_page=False)
