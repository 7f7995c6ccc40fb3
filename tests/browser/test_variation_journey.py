"""Changing a grant in a real browser (issue 16): the grantee asks to move £300 between budget
lines, the facilitator approves it, and the report form shows the new lines; a change of purpose
goes to the partnership's reviewers instead. Axe on every page."""

from __future__ import annotations

import pytest
from sqlmodel import select

from grants.awards import operations as award_ops
from grants.awards.models import Grant, GrantBudgetLine, grant_lines
from grants.db import db
from grants.reporting.models import Report
from grants.variations.models import Variation
from tests.rounds_helpers import award_round, counted_round

pytestmark = pytest.mark.browser


def test_the_grantee_moves_money_between_lines_and_the_report_form_follows(checked_page, live_app, outbox):
    w = counted_round(live_app, amounts=(300_000,))
    with live_app.test_request_context("/", method="POST"):
        award_round(w)
        grant = db.session.exec(select(Grant)).one()
        award_ops.accept_grant(grant, w["applicants"][0], accepted_by_name="Applicant A", conditions_confirmed=True)
        for line in grant_lines(grant):
            db.session.delete(line)
        db.session.add_all([GrantBudgetLine(grant_id=grant.id, position=0, description="Venue hire", amount=200_000),
                            GrantBudgetLine(grant_id=grant.id, position=1, description="Volunteers' travel",
                                            amount=100_000)])
        db.session.commit()
        grant_id = grant.id
        report_id = db.session.exec(select(Report.id).where(Report.grant_id == grant_id)).first()
    p = checked_page

    p.sign_in(w["applicants"][0])
    p.goto(f"/c/west/grants/{grant_id}")
    p.click_link("Ask to change this grant")
    p.fill("Venue hire", "2300")
    p.fill("Volunteers' travel", "800")
    p.fill("Why does the grant need to change?", "The hall put its prices up; two volunteers now share lifts.")
    p.submit("Ask for the change")
    text = p.text()
    assert "The budget lines add up to £3,100, but the grant less the money handed back is £3,000" in text
    assert p.page.get_by_label("Why does the grant need to change?").input_value().startswith("The hall put")
    p.screenshot("variation-form-refused")
    p.fill("Volunteers' travel", "700")
    p.submit("Ask for the change")
    assert "Your request is sent to the facilitator" in p.text()
    assert "Money moved between lines: £300" in p.text()
    p.screenshot("variation-requested")
    p.submit("Sign out")

    p.sign_in(w["facilitator"])
    p.goto(f"/c/west/grants/{grant_id}")
    p.click_link("Asked for on")
    p.page.get_by_label("Approve the change").check()
    p.submit("Save the decision")
    assert "The change is approved and made to the grant" in p.text()
    p.screenshot("variation-approved")
    p.goto(f"/c/west/grants/{grant_id}")
    text = p.text()
    assert "Venue hire £2,300" in " ".join(text.split()) and "Approved" in text
    p.screenshot("variation-grant-page")
    p.submit("Sign out")

    p.sign_in(w["applicants"][0])
    p.goto(f"/c/west/grants/{grant_id}/reports/{report_id}")
    text = p.text()
    assert "Venue hire (budgeted £2,300.00)" in text and "Volunteers' travel (budgeted £700.00)" in text
    p.screenshot("variation-report-form")

    # a change of what the grant is for goes to the partnership, whatever its size
    p.goto(f"/c/west/grants/{grant_id}/variations/new")
    p.fill("What the grant is for", "Walks for new mums, and a cookery club.")
    p.fill("Why does the grant need to change?", "Mums asked for cooking on a budget.")
    p.submit("Ask for the change")
    assert "It needs the partnership's approval" in p.text()
    with live_app.app_context():
        latest = db.session.exec(select(Variation).order_by(Variation.id.desc())).first()
        assert (latest.state, latest.needs_partnership) == ("with_partnership", True)
    assert any(m["To"] == w["reviewer"].email and "asks to change its grant" in m["Subject"] for m in outbox)
