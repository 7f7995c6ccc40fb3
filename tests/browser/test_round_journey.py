"""A round in a real browser: set-up → a proposal with a mistake fixed → eligibility → votes →
voting closes (the scheduler's job, on a frozen clock) → results with an explanation for each."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from sqlmodel import select

from grants.db import db
from grants.rounds.models import Round
from grants.timeutil import to_london, utcnow
from grants.workflow.scheduler import run_jobs
from tests import factories

pytestmark = pytest.mark.browser


def _local(moment) -> str:
    return to_london(moment).strftime("%Y-%m-%dT%H:%M")


def test_round_from_set_up_to_explained_results(checked_page, live_app):
    with live_app.app_context():
        collective = factories.collective("west", "West Collective", themes=("Building trust", "Best start in life"))
        facilitator = factories.member(collective, factories.person("Fola", "fola@example.org"), roles=("facilitator",))
        org_a = factories.organisation(collective, "Ladywood Mums Network")
        org_b = factories.organisation(collective, "Soho Road Seva Group")
        amina = factories.member(collective, factories.person("Amina", "amina@example.org"),
                                 roles=("member", "applicant"), organisation=org_a)
        harjit = factories.member(collective, factories.person("Harjit", "harjit@example.org"),
                                  roles=("member", "applicant"), organisation=org_b)
        db.session.commit()
    p = checked_page
    now = utcnow()

    # The facilitator sets up the round (a date mistake first) and opens it for proposals
    p.sign_in(facilitator)
    p.goto("/c/west/rounds/new")
    p.fill("Round name", "Spring small grants")
    p.fill("Total budget (£)", "3000")
    p.fill("Smallest grant (£)", "500")
    p.fill("Largest grant (£)", "2000")
    p.page.get_by_role("checkbox", name="Building trust").check()
    p.page.get_by_role("checkbox", name="Best start in life").check()
    p.page.get_by_label("Allocation rule").select_option("mes_cost_add1_greedy")
    p.fill("Proposals open", _local(now - timedelta(days=1)))
    p.fill("Proposals close", _local(now + timedelta(days=1)))
    p.fill("Voting opens", _local(now + timedelta(days=2)))
    p.fill("Voting closes", _local(now + timedelta(days=1)))
    p.fill("Partnership review due", _local(now + timedelta(days=10)))
    p.submit("Save round")
    assert "Voting closes must be after voting opens" in p.text()
    p.fill("Voting closes", _local(now + timedelta(days=5)))
    p.submit("Save round")
    assert "is set up as a draft" in p.text()
    round_url = p.page.url.replace(p.base_url, "")
    p.submit("Open proposals")
    p.submit("Sign out")

    # Amina drafts a proposal, gets the budget wrong, fixes it and submits
    p.sign_in(amina)
    p.goto(round_url)
    p.submit("Start a proposal")
    p.fill("Project title", "Buggy walks")
    p.page.get_by_label("Summary").fill("Weekly walks for new mums with a health visitor.")
    p.fill("Amount you are asking for (£)", "1500")
    p.page.get_by_role("radio", name="Best start in life").check()
    p.fill("Line 1: what it pays for", "Walk leader")
    p.fill("Line 1: amount (£)", "1000")
    p.submit("Save and check your answers")
    assert "The budget lines add up to £1,000, but you asked for £1,500" in p.text()
    p.fill("Line 2: what it pays for", "Refreshments")
    p.fill("Line 2: amount (£)", "500")
    p.submit("Save and check your answers")
    p.submit("Submit proposal")
    assert "Your proposal is submitted" in p.text()
    p.submit("Sign out")

    # Harjit submits one too, straight away
    p.sign_in(harjit)
    p.goto(round_url)
    p.submit("Start a proposal")
    p.fill("Project title", "Langar health talks")
    p.page.get_by_label("Summary").fill("Monthly health talks after langar.")
    p.fill("Amount you are asking for (£)", "2000")
    p.page.get_by_role("radio", name="Building trust").check()
    p.fill("Line 1: what it pays for", "Speakers and venue")
    p.fill("Line 1: amount (£)", "2000")
    p.submit("Save and check your answers")
    p.submit("Submit proposal")
    p.submit("Sign out")

    # The facilitator closes proposals, checks eligibility and opens the vote
    p.sign_in(facilitator)
    p.goto(round_url)
    p.submit("Close proposals")
    assert "Close proposals early?" in p.text()
    p.submit("Close proposals")
    for title in ("Buggy walks", "Langar health talks"):
        p.click_link(title)
        p.page.get_by_label("Eligible: it goes to the vote").check()
        p.submit("Save decision")
    p.submit("Open voting")
    assert "Open voting early?" in p.text() and "2 eligible proposals will go to the vote" in p.text()
    p.submit("Open voting")
    assert "Voting" in p.text()
    p.submit("Sign out")

    # Amina votes: her own proposal is shown but cannot be marked
    p.sign_in(amina)
    p.goto(round_url)
    p.click_link("Vote in this round")
    assert "Your organisation's proposal — you can't vote on it." in p.text()
    assert p.page.get_by_label("I support “Buggy walks”").count() == 0
    p.page.get_by_label("I support “Langar health talks”").check()
    p.submit("Save my ballot")
    assert "Your ballot is saved" in p.text()
    p.submit("Sign out")
    p.sign_in(harjit)
    p.goto(round_url.rstrip("/") + "/ballot")
    p.page.get_by_label("I support “Buggy walks”").check()
    p.submit("Save my ballot")
    p.submit("Sign out")

    # Voting closes: the scheduler's job runs on a clock past the closing time and counts
    with live_app.app_context():
        round_ = db.session.exec(select(Round)).one()
        with time_machine.travel(round_.voting_closes_at + timedelta(minutes=1), tick=False):
            assert run_jobs()["transitions"] == 1

    p.sign_in(amina)
    p.goto(round_url)
    p.click_link("See the results and why each proposal was or was not funded")
    text = p.text()
    assert "1 of 2 proposals funded" in text or "2 of 2 proposals funded" in text
    assert "Why" in text and "Buggy walks" in text and "Langar health talks" in text
