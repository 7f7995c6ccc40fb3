"""Each role's home in a real browser (issue 13, item 10): the reviewer finds the allocation to
review, the grantee their offer, the member the ballot open to them, the facilitator the payment
due; each follows the task's link to the page where it is done."""

from __future__ import annotations


import pytest
from sqlmodel import select

from grants.awards import operations as award_ops
from grants.awards.models import Grant
from grants.db import db
from grants.review import operations as review_ops
from grants.rounds import operations as round_ops
from grants.rounds.models import Round
from tests.rounds_helpers import counted_round, open_round, proposal, round_values, to_voting

pytestmark = pytest.mark.browser


def test_each_role_finds_what_waits_on_them_at_home(checked_page, live_app):
    w = counted_round(live_app, amounts=(90_000, 80_000))
    with live_app.test_request_context("/", method="POST"):
        spring = db.session.get(Round, w["round"].id)
        autumn = round_ops.create_round(w["collective"], round_values(name="Autumn small grants"),
                                        theme_ids=[t.id for t in w["themes"].values()], pot_amounts={},
                                        actor=w["facilitator"])
        db.session.commit()
        w2 = {**w, "round": autumn}
        open_round(w2)
        to_voting(w2, [proposal(w2, 1, title="Autumn walks", amount=60_000)])
        round_ops.move_round(spring, "submit_for_review", w["facilitator"])
        db.session.commit()
        spring_id = spring.id
    p = checked_page

    # The reviewer: the allocation awaiting review
    p.sign_in(w["reviewer"])
    p.goto("/c/west")
    text = p.text()
    assert "Allocations awaiting your review" in text
    assert "Review the allocation of Spring 2027 small grants" in text and "To review" in text
    p.screenshot("home-reviewer")
    p.click_link("Review the allocation of Spring 2027 small grants")
    assert p.page.url.endswith(f"/c/west/rounds/{spring_id}/review/")
    p.submit("Sign out")

    with live_app.test_request_context("/", method="POST"):
        spring = db.session.get(Round, spring_id)
        review_ops.ratify(spring, db.session.merge(w["reviewer"]), "")
        round_ops.move_round(spring, "issue_awards", w["facilitator"])
        db.session.commit()
        grant_a = db.session.exec(select(Grant).order_by(Grant.id)).first()

    # The grantee: their offer, reached from home and from the menu
    p.sign_in(w["applicants"][0])
    p.goto("/c/west")
    text = p.text()
    assert "Your grants and offers" in text and "Grant for Project A" in text and "Accept or decline" in text
    assert "Grant for Project B" not in text
    p.screenshot("home-grantee")
    p.click_link("Grant for Project A")
    assert p.page.url.endswith(f"/c/west/grants/{grant_a.id}")
    p.click_link("Grants")
    assert "Project A" in p.text()
    p.submit("Sign out")

    # A member: the ballot open to them
    p.sign_in(w["members"][0])
    p.goto("/c/west")
    text = p.text()
    assert "Ballots open to you" in text and "Vote in Autumn small grants" in text and "Not voted" in text
    assert p.page.get_by_role("link", name="Grants", exact=True).count() == 0
    p.screenshot("home-member")
    p.click_link("Vote in Autumn small grants")
    assert p.page.url.endswith(f"/c/west/rounds/{autumn.id}/ballot")
    p.submit("Sign out")

    # The facilitator: the payment due once the grantee accepts
    with live_app.test_request_context("/", method="POST"):
        grant = db.session.get(Grant, grant_a.id)
        award_ops.accept_grant(grant, w["applicants"][0], accepted_by_name="Applicant A", conditions_confirmed=True)
        db.session.commit()
    p.sign_in(w["facilitator"])
    p.goto("/c/west")
    text = p.text()
    assert "What waits on you" in text and "Pay the grant for Project A" in text and "Payment due" in text
    p.screenshot("home-facilitator")
    p.click_link("Pay the grant for Project A")
    assert p.page.url.endswith(f"/c/west/grants/{grant_a.id}")
