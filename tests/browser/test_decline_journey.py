"""Declining a grant in a real browser (issue 13, item 8): the grantee is asked first, on a page
that says where the money goes and who is told, and gives a reason; the facilitator sees it and
undoes the decline; a wrongly recorded payment is reversed with a reason. Axe on every page."""

from __future__ import annotations

import pytest
from sqlmodel import select

from grants.awards.models import Grant
from grants.db import db
from tests.rounds_helpers import award_round, counted_round

pytestmark = pytest.mark.browser


def test_decline_asks_first_and_a_facilitator_undoes_it(checked_page, live_app, tmp_path):
    w = counted_round(live_app, amounts=(80_000,))
    with live_app.test_request_context("/", method="POST"):
        award_round(w)
        grant_id = db.session.exec(select(Grant.id)).one()
    p = checked_page

    p.sign_in(w["applicants"][0])
    p.goto(f"/c/west/grants/{grant_id}")
    p.click_link("decline it")
    text = p.text()
    assert "Decline the grant of £800" in text
    assert "the £800 will not be paid to Organisation A: it goes back to" in text
    assert "facilitators will be told by email" in text
    p.page.screenshot(path="/tmp/h4-decline-confirm.png", full_page=True)
    p.fill("Why are you declining? (optional)", "Our hall closed for repairs, so we cannot run the sessions.")
    p.submit("Decline the grant")
    assert "The grant is declined" in p.text()
    p.submit("Sign out")

    p.sign_in(w["facilitator"])
    p.goto(f"/c/west/grants/{grant_id}")
    assert "Our hall closed for repairs" in p.text()
    p.page.screenshot(path="/tmp/h4-decline-facilitator.png", full_page=True)
    p.submit("Undo the decline")
    assert "the offer is open again" in p.text()
    with live_app.app_context():
        assert db.session.get(Grant, grant_id).state == "offered"


def test_a_wrong_payment_is_reversed_with_a_reason(checked_page, live_app):
    from grants.awards import operations as award_ops
    from grants.timeutil import london_today

    w = counted_round(live_app, amounts=(80_000,))
    with live_app.test_request_context("/", method="POST"):
        award_round(w)
        grant = db.session.exec(select(Grant)).one()
        award_ops.accept_grant(grant, w["applicants"][0], accepted_by_name="A", conditions_confirmed=True)
        award_ops.record_payment(db.session.get(Grant, grant.id), w["facilitator"], paid_on=london_today(),
                                 amount=8_000, reference="BACS TYPO")
        db.session.commit()
        grant_id = grant.id
    p = checked_page
    p.sign_in(w["facilitator"])
    p.goto(f"/c/west/grants/{grant_id}")
    p.click_link("Reverse the payment of £80")
    assert "Reverse the payment of £80?" in p.text() and "from £80 to £0" in p.text()
    p.submit("Reverse the payment")
    assert "Say why the payment is being reversed" in p.text()
    p.fill("Why is this payment being reversed?", "Typed £80 instead of £800")
    p.submit("Reverse the payment")
    text = p.text()
    assert "The total paid is now £0" in text and "Reversal: Typed £80 instead of £800" in text
    p.page.screenshot(path="/tmp/h4-payment-reversed.png", full_page=True)
