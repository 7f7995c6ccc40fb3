"""A joint proposal in a real browser (issue 16): the lead invites two partner organisations, each
takes part from its own account, and on the ballot each partner's member finds it marked as their
organisation's proposal. Axe on every page."""

from __future__ import annotations

import pytest
from sqlmodel import select

from grants.db import db
from grants.proposals import operations as proposal_ops
from grants.proposals.models import Proposal, ProposalPartner
from tests.rounds_helpers import open_round, proposal, to_voting, world

pytestmark = pytest.mark.browser


def test_two_partners_take_part_and_never_vote_on_it(checked_page, live_app, outbox):
    with live_app.test_request_context("/", method="POST"):
        w = world(organisations=4, extra_members=1)
        open_round(w)
        lead = proposal(w, 0, title="Walks together", amount=300_000, submit=False)
        other = proposal(w, 3, title="Cooking club", amount=200_000)
        db.session.commit()
        lead_id, other_id = lead.id, other.id
    page_path = f"/c/west/rounds/{w['round'].id}/proposals/{lead_id}"
    p = checked_page

    p.sign_in(w["applicants"][0])
    p.goto(page_path)
    for name, share in (("Organisation B", "1000"), ("Organisation C", "500")):
        p.page.get_by_label("Organisation", exact=True).select_option(label=name)
        p.fill("Its share of the budget (£)", share)
        p.submit("Invite the partner")
        assert f"{name} is invited" in p.text()
    p.screenshot("joint-invited")
    p.submit("Sign out")

    for index in (1, 2):
        p.sign_in(w["applicants"][index])
        p.goto(page_path)
        assert "invites your organisation to take part" in p.text()
        p.submit("Take part")
        assert "Your organisation takes part in this proposal." in p.text()
        p.submit("Sign out")

    with live_app.test_request_context("/", method="POST"):
        assert {x.state for x in db.session.exec(select(ProposalPartner)).all()} == {"accepted"}
        proposal_ops.submit_proposal(db.session.get(Proposal, lead_id), w["applicants"][0])
        db.session.commit()
        to_voting(w, [db.session.get(Proposal, lead_id), db.session.get(Proposal, other_id)])

    p.sign_in(w["applicants"][2])
    p.goto(f"/c/west/rounds/{w['round'].id}/ballot")
    card = p.page.locator(".govuk-summary-card", has_text="Walks together")
    assert "Your organisation's proposal — you can't vote on it." in card.inner_text()
    assert p.page.locator(f'input[value="{lead_id}"]').count() == 0
    assert p.page.locator(f'input[value="{other_id}"]').count() == 1
    p.screenshot("joint-ballot-partner")
