"""Two tabs on the same proposal (issue 13, item 2): the tab opened earlier cannot silently undo the
other's save. Its save is refused saying who changed the proposal and when, with the saved values
beside the form and what was typed kept; after review, saving again goes through."""

from __future__ import annotations

import pytest

from grants.db import db
from grants.proposals.models import Proposal
from tests import factories
from tests.browser.conftest import CheckedPage
from tests.rounds_helpers import open_round, proposal, world

pytestmark = pytest.mark.browser


def test_a_stale_tab_is_refused_with_the_newer_values_and_keeps_what_was_typed(checked_page, live_app):
    with live_app.test_request_context("/", method="POST"):
        w = world()
        open_round(w)
        draft = proposal(w, 0, title="Walking club", amount=180_000, submit=False)
        applicant, edit = w["applicants"][0], f"/c/west/rounds/{w['round'].id}/proposals/{draft.id}/edit"
        proposal_id = draft.id
    tab_b = checked_page
    tab_b.goto("/login")
    tab_b.fill("Email address", applicant.email)
    tab_b.fill("Password", factories.PASSWORD)
    tab_b.submit("Sign in")
    tab_b.goto(edit)  # tab B, opened earlier

    tab_a = CheckedPage(tab_b.page.context.new_page(), live_app.base_url)
    tab_a.goto(edit)
    tab_a.fill("Amount you are asking for (£)", "2000")
    tab_a.fill("Line 1: amount (£)", "2000")
    tab_a.submit("Save draft")
    assert "Your draft is saved" in tab_a.text()

    tab_b.page.bring_to_front()
    tab_b.fill("Project title", "Walking club for new mums")
    tab_b.submit("Save draft")
    text = tab_b.text()
    assert "This was changed by you on" in text and "review and save again" in text
    assert "What is saved now" in text and "£2,000" in text
    assert tab_b.page.get_by_label("Project title", exact=True).input_value() == "Walking club for new mums"
    assert tab_b.page.get_by_label("Amount you are asking for (£)", exact=True).input_value() in ("1,800", "1,800.00",
                                                                                                 "1800")
    tab_b.page.screenshot(path="/tmp/h2-stale-tab.png", full_page=True)
    with live_app.app_context():
        stored = db.session.get(Proposal, proposal_id)
        assert (stored.title, stored.amount_requested) == ("Walking club", 200_000)  # A's save stands

    # after review: keep the newer amount and this tab's title, and save again
    tab_b.fill("Amount you are asking for (£)", "2000")
    tab_b.fill("Line 1: amount (£)", "2000")
    tab_b.submit("Save draft")
    assert "Your draft is saved" in tab_b.text()
    with live_app.app_context():
        stored = db.session.get(Proposal, proposal_id)
        assert (stored.title, stored.amount_requested) == ("Walking club for new mums", 200_000)


def test_edit_pages_of_what_cannot_change_are_read_only_with_the_reason(checked_page, live_app):
    """Issue 13, item 15: a submitted proposal's and an open round's edit pages show no form."""
    with live_app.test_request_context("/", method="POST"):
        w = world()
        open_round(w)
        submitted = proposal(w, 0, title="Walking club", amount=180_000, submit=True)
        applicant, facilitator = w["applicants"][0], w["facilitator"]
        round_id, proposal_id = w["round"].id, submitted.id
    p = checked_page
    for who in (applicant, facilitator):
        p.goto("/login")
        p.fill("Email address", who.email)
        p.fill("Password", factories.PASSWORD)
        p.submit("Sign in")
        if who is applicant:
            p.goto(f"/c/west/rounds/{round_id}/proposals/{proposal_id}/edit")
            assert "— reopen it to change it" in p.text()
            assert p.page.locator("input[name=title]").count() == 0
            p.page.screenshot(path="/tmp/h2-read-only-proposal.png", full_page=True)
            p.submit("Reopen to change it")
            assert p.page.locator("input[name=title]").count() == 1  # a draft again: the form
            p.submit("Sign out")
        else:
            p.goto(f"/c/west/rounds/{round_id}/edit")
            assert "This round is at “Open for proposals”" in p.text()
            assert p.page.locator("input[name=name]").count() == 0
            p.page.screenshot(path="/tmp/h2-read-only-round.png", full_page=True)
