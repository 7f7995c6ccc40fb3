"""Closing the loop in a real browser, every page checked with axe: the facilitator chooses the round
that funds the cycle's priorities and commissions them; a funded grant's report is submitted by the
grantee and accepted by the facilitator; the public "You said, we did" page then shows the grant and
what happened, with people counted through disclosure control.

The round (awarded, one grant accepted and paid) and the cycle (at "Priorities") are built through
the operations first; the browser does the parts this journey is about.
"""

from __future__ import annotations

import pytest
from sqlmodel import select

from grants.db import db
from grants.reporting.models import Report
from tests.commissioning.funded import awarded_round, cycle_with_priorities, take_up

pytestmark = pytest.mark.browser

NEED = "Registering with a GP without papers"


def cells(table) -> dict[str, str]:
    """A two-or-more-column table as {first cell: second cell}."""
    rows = [line.split("\t") for line in table.inner_text().splitlines()]
    return {row[0].strip(): row[1].strip() for row in rows if len(row) >= 2}


def test_a_grant_report_closes_the_loop_on_the_public_page(checked_page, live_app):
    w = awarded_round(live_app)
    with live_app.test_request_context("/", method="POST"):
        grant = take_up(w, "Mosque diabetes circle")
        cycle, _priorities = cycle_with_priorities(w, {NEED: ["Building trust"]})
        cycle_id, grant_id = cycle.id, grant.id
        report_id = db.session.exec(select(Report.id).where(Report.grant_id == grant_id)).one()
    p = checked_page

    # The facilitator chooses the round on the cycle's page and commissions the priorities
    p.sign_in(w["facilitator"])
    p.goto(f"/c/west/commissioning/cycles/{cycle_id}")
    assert "No round chosen yet" in p.text()
    p.page.get_by_label("Round that funds these priorities").select_option(label="Spring 2027 small grants (awarded)")
    p.submit("Save the round")
    assert "The round that funds these priorities is saved." in p.text()
    p.page.get_by_label("Commission", exact=True).check()
    p.submit("Move the cycle on")
    assert "The cycle is now at “Commissioned”" in p.text()
    p.click_link(NEED)
    # sharing a theme is not enough: the facilitator confirms the grant answers the need
    assert "No grant of Spring 2027 small grants answers it yet" in p.text()
    p.click_link("Confirm which grants answer this priority")
    p.page.get_by_label("Mosque diabetes circle, by Organisation A").check()
    p.submit("Save the grants that answer it")
    assert "The grants that answer this priority are saved." in p.text()
    assert "Mosque diabetes circle" in p.text() and "No accepted report yet" in p.text()
    p.submit("Sign out")

    # The grantee writes the end report and submits it
    p.sign_in(w["applicants"][0])
    p.goto(f"/c/west/grants/{grant_id}/reports/{report_id}")
    p.page.get_by_label("What happened?").fill("Twelve sessions after Friday prayers; volunteers sat with people "
                                               "while they registered with a GP.")
    p.fill("Pakistani", "12")
    p.fill("African", "3")
    p.fill("Roma", "2")
    p.page.get_by_label("People know how to register with a GP").fill("Fifteen people registered with a GP.")
    p.page.get_by_label("One story or quote (optional)").fill("“Nobody asked me for a passport this time.”")
    p.page.get_by_label("The people in this story agreed to it being shared").check()
    p.submit("Save and submit")
    assert "Your report is submitted" in p.text()
    p.submit("Sign out")

    # Before it is accepted, the public page counts nobody from it
    p.goto("/c/west/you-said-we-did")
    assert "Mosque diabetes circle, by Organisation A (£900): funded" in p.text()
    assert "The projects will tell us what happened" in p.text()
    assert "Nobody asked me for a passport" not in p.text()

    # The facilitator accepts it: the grant closes, and the need's page has the exact figures
    p.sign_in(w["facilitator"])
    p.goto(f"/c/west/grants/{grant_id}/reports/{report_id}")
    p.submit("Accept the report")
    assert "Closed" in p.text()
    p.goto(f"/c/west/commissioning/cycles/{cycle_id}")
    p.click_link(NEED)
    need = p.text()
    assert "People the grants reached by community" in need and "Fifteen people registered with a GP." in need
    exact = cells(p.page.get_by_role("table", name="People the grants reached by community, from accepted reports "
                                                   "(exact: the public sees these rounded)"))
    assert exact == {"Community": "People", "Pakistani": "12", "African": "3", "Roma": "2", "Total": "17"}
    p.submit("Sign out")

    # The public page says it back: the grant, what it achieved, and people counted through disclosure
    p.goto("/c/west/you-said-we-did")
    public = p.text()
    assert NEED in public and "In our words: registering with a gp without papers." in public
    assert "Mosque diabetes circle, by Organisation A (£900): completed" in public
    assert "People know how to register with a GP (1 project)" in public
    assert "Nobody asked me for a passport this time." in public
    published = cells(p.page.get_by_role("table", name="People the projects reached, by community"))
    # 12 rounded to 10; 3 and 2 are too few to show; 17 in all rounded to 15
    assert published == {"Community": "People", "Pakistani": "10", "African": "*", "Roma": "*", "Total": "15"}
    assert "Fifteen people registered" not in public                    # the grantee's own words stay inside

    # and the round's public results say which priority it answers
    p.goto(f"/c/west/rounds/{w['round_id']}/results")
    assert "Priorities this round answers" in p.text() and NEED in p.text()
    p.click_link("You said, we did: what communities asked for and what was done")
    assert NEED in p.text()
