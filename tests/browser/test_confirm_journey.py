"""Closing voting early, in a real browser: the round page's button leads to a confirmation page
that says who has not voted and when voting was due to close; going back changes nothing; the
confirmation closes voting and counts (issue 13, item 8)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from grants.db import db
from grants.proposals import operations as proposal_ops
from grants.rounds.models import Round
from grants.timeutil import format_datetime, utcnow
from grants.workflow.operations import fire
from tests.rounds_helpers import proposal, vote, world

pytestmark = pytest.mark.browser


def test_closing_voting_early_is_confirmed_first(checked_page, live_app):
    now = utcnow()
    dates = dict(proposals_open_at=now - timedelta(days=20), proposals_close_at=now - timedelta(days=10),
                 voting_opens_at=now - timedelta(days=5), voting_closes_at=now + timedelta(days=60),
                 review_due_at=now + timedelta(days=70))
    with live_app.test_request_context("/", method="POST"):
        w = world(organisations=2, extra_members=9, **dates)
        fire(w["round"], "open_proposals", w["facilitator"])
        ps = [proposal(w, 0, title="Walking club", amount=300_000), proposal(w, 1, title="Baby massage", amount=400_000)]
        fire(w["round"], "close_proposals", w["facilitator"])
        for p_ in ps:
            proposal_ops.decide_eligibility(p_, eligible=True, reason="", actor=w["facilitator"])
        fire(w["round"], "open_voting", w["facilitator"])
        db.session.commit()
        for member in w["members"]:  # 9 of the 11 members vote; the two applicants do not
            vote(w, member, {ps[0].id: 1}, at=utcnow())
        round_id = w["round"].id
        closes = format_datetime(w["round"].voting_closes_at)
    p = checked_page
    p.sign_in(w["facilitator"])
    p.goto(f"/c/west/rounds/{round_id}")
    p.click_link("Close voting")
    text = p.text()
    assert "Close voting early?" in text
    assert "2 of 11 members have not voted." in text
    assert f"Voting is due to close on {closes}." in text
    p.screenshot("confirm-close")
    # Going back changes nothing
    p.click_link("No, go back to the round")
    with live_app.app_context():
        assert db.session.get(Round, round_id).state == "voting"
    p.click_link("Close voting")
    p.submit("Close voting")
    assert "is now: Counting" in p.text()
    with live_app.app_context():
        assert db.session.get(Round, round_id).state == "counting"
