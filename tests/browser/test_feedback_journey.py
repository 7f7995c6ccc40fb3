"""Open feedback in a real browser (issue 16): the facilitator writes a note on a proposal the vote
did not fund; once the partnership ratifies, the applicant reads why and the note on the proposal's
page, and anyone reads on the results page how the proposals fared. Axe on every page."""

from __future__ import annotations

import pytest
from sqlmodel import select

from grants.db import db
from grants.proposals.models import Proposal
from grants.review import operations as review_ops
from grants.rounds import operations as round_ops
from grants.rounds.models import Round
from tests.rounds_helpers import counted_round

pytestmark = pytest.mark.browser

NOTE = "Your plan was clear. Next time, say how you will reach families new to the area."


def test_feedback_reaches_the_applicant_once_the_results_are_published(checked_page, live_app, outbox):
    w = counted_round(live_app, amounts=(300_000, 400_000, 450_000))
    with live_app.app_context():
        unfunded = db.session.exec(select(Proposal).where(Proposal.state == "not_selected")).one()
        proposal_id, title = unfunded.id, unfunded.title
        applicant = next(a for a in w["applicants"] if a.id == unfunded.created_by_id)
    page_path = f"/c/west/rounds/{w['round'].id}/proposals/{proposal_id}"
    p = checked_page

    p.sign_in(w["facilitator"])
    p.goto(f"/c/west/rounds/{w['round'].id}/results")
    p.click_link(f"Write the feedback on {title}")
    assert "Why it was not funded" in p.text() and "only £3,000 was left" in p.text()
    p.fill("Feedback for the applicant (optional)", NOTE)
    p.submit("Save feedback")
    assert "The applicant will see it, and be emailed it, when the results are published." in p.text()
    assert p.page.get_by_label("Feedback for the applicant (optional)", exact=True).input_value() == NOTE
    p.screenshot("feedback-facilitator")
    p.submit("Sign out")

    with live_app.test_request_context("/", method="POST"):
        round_ = db.session.get(Round, w["round"].id)
        round_ops.move_round(round_, "submit_for_review", w["facilitator"])
        review_ops.ratify(round_, db.session.merge(w["reviewer"]))
        db.session.commit()
    assert any(m["To"] == applicant.email and NOTE in m.get_content() for m in outbox)

    p.sign_in(applicant)
    p.goto(page_path)
    text = p.text()
    assert "Why it was not funded" in text and "only £3,000 was left" in text
    assert "A note from the facilitator" in text and NOTE in text
    p.screenshot("feedback-applicant")
    p.submit("Sign out")

    p.goto(f"/c/west/rounds/{w['round'].id}/results")
    text = p.text()
    assert "How the proposals fared" in text and "Why proposals were not funded" in text
    assert "Not enough money was left in its pot when its turn came" in text
    assert NOTE not in text
    p.screenshot("feedback-results-public")
