"""Variations (issue 16): a grantee asks to change an accepted grant; a facilitator approves small
changes, the partnership's reviewers bigger ones; an approved change is made to the grant at once."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import time_machine
from dateutil.relativedelta import relativedelta
from sqlmodel import select

from grants.audit.models import AuditEvent
from grants.awards import operations as award_ops
from grants.awards.models import Grant, GrantBudgetLine, Payment, grant_lines
from grants.collectives.models import Collective
from grants.db import db
from grants.errors import Refused
from grants.reporting.models import Report
from grants.variations import operations as variation_ops
from grants.variations.models import Variation
from grants.timeutil import london_today
from grants.workflow.operations import fire
from tests import factories
from tests.rounds_helpers import award_round, counted_round

# A £3,000 grant with two lines: 20% of it is £600.
VENUE, TRAVEL = ("Venue hire", 200_000), ("Volunteers' travel", 100_000)


def _grant(app, *, ratifications_needed: int = 1, reviewers: int = 1, paid: int = 0) -> dict:
    """An accepted grant (paid ``paid`` pence) whose budget is two lines, and the world around it."""
    w = counted_round(app, amounts=(300_000,), ratifications_needed=ratifications_needed, reviewers=reviewers)
    with app.test_request_context("/", method="POST"):
        award_round(w, reviewers=w["reviewers"])
        grant = db.session.exec(select(Grant)).one()
        award_ops.accept_grant(grant, w["applicants"][0], accepted_by_name="Applicant A", conditions_confirmed=True)
        for line in grant_lines(grant):
            db.session.delete(line)
        db.session.add_all([GrantBudgetLine(grant_id=grant.id, position=0, description=VENUE[0], amount=VENUE[1]),
                            GrantBudgetLine(grant_id=grant.id, position=1, description=TRAVEL[0], amount=TRAVEL[1])])
        if paid:
            award_ops.record_payment(grant, w["facilitator"], paid_on=london_today(), amount=paid, reference="BACS 1")
        db.session.commit()
        w["grant_id"] = grant.id
        w["lines"] = [line.id for line in grant_lines(grant)]
        w["reports"] = [r.id for r in db.session.exec(select(Report).where(Report.grant_id == grant.id)).all()]
    return w


def _form(w, app, *, venue: int = VENUE[1], travel: int = TRAVEL[1], reason: str = "The hall costs more.",
          **extra) -> dict:
    """The variation form as the browser sends it, pounds as typed."""
    with app.app_context():
        grant = db.session.get(Grant, w["grant_id"])
        reports = variation_ops.open_reports(grant)
        data = {f"line_{w['lines'][0]}": f"{venue / 100:.2f}", f"line_{w['lines'][1]}": f"{travel / 100:.2f}",
                "purpose": grant.purpose, "reason": reason,
                **{f"due_{r.id}": variation_ops.due_date(r).isoformat() for r in reports}}
    data.update(extra)
    return data


def _signed_in(app, who):
    client = app.test_client()
    assert factories.login(client, who).status_code == 302
    return client


def _variation(app) -> Variation:
    with app.app_context():
        found = db.session.exec(select(Variation)).one()
        db.session.expunge(found)
        return found


def test_a_small_move_is_approved_by_a_facilitator_and_the_report_form_shows_the_new_lines(app, outbox):
    w = _grant(app)
    grantee = _signed_in(app, w["applicants"][0])
    base = f"/c/west/grants/{w['grant_id']}"
    assert "Ask to change this grant" in grantee.get(base).get_data(as_text=True)
    outbox.clear()
    response = grantee.post(f"{base}/variations/new", data=_form(w, app, venue=230_000, travel=70_000))
    assert response.status_code == 302, response.get_data(as_text=True)
    variation = _variation(app)
    assert (variation.state, variation.needs_partnership) == ("requested", False)
    asked = {m["To"]: m for m in outbox}
    assert "asks to change its grant" in asked[w["facilitator"].email]["Subject"]
    # the grantee (its contact and the people acting for it) gets a receipt saying who decides
    receipt = asked[w["applicants"][0].email]
    assert receipt["Subject"] == "We have your request to change the grant for Project A"
    assert "The collective's facilitators have been asked to decide." in receipt.get_content()
    assert w["orgs"][0].contact_email in asked and len(outbox) == 3

    # the grantee cannot decide it, nor open a second request
    assert grantee.post(f"{base}/variations/{variation.id}/decide", data={"decision": "approve"}).status_code == 403
    assert "already has a change waiting for a decision" in grantee.get(f"{base}/variations/new").get_data(as_text=True)

    facilitator = _signed_in(app, w["facilitator"])
    page = facilitator.get(f"{base}/variations/{variation.id}").get_data(as_text=True)
    assert "Money moved between lines: £300" in page and "The hall costs more." in page
    outbox.clear()
    response = facilitator.post(f"{base}/variations/{variation.id}/decide", data={"decision": "approve"})
    assert response.status_code == 302
    with app.app_context():
        grant = db.session.get(Grant, w["grant_id"])
        assert [(line.description, line.amount) for line in grant_lines(grant)] == [
            (VENUE[0], 230_000), (TRAVEL[0], 70_000)]
        assert db.session.get(Variation, variation.id).state == "approved"
        varied = db.session.exec(select(AuditEvent).where(AuditEvent.action == "grant.varied")).one()
        assert varied.before["lines"][0]["amount"] == 200_000 and varied.after["lines"][0]["amount"] == 230_000
        report_id = db.session.exec(select(Report.id).where(Report.grant_id == grant.id)).first()
    assert any("is approved" in m["Subject"] for m in outbox if m["To"] == w["applicants"][0].email)
    report_page = grantee.get(f"{base}/reports/{report_id}").get_data(as_text=True)
    assert "Venue hire (budgeted £2,300.00)" in report_page and "Volunteers&#39; travel (budgeted £700.00)" in report_page


@pytest.mark.parametrize(("moved", "big"), [(60_000, False), (60_001, True)])
def test_a_facilitator_approves_moving_up_to_exactly_twenty_percent(app, moved, big):
    w = _grant(app)
    with app.test_request_context("/", method="POST"):
        grant = db.session.get(Grant, w["grant_id"])
        before = variation_ops.snapshot(grant)
        change = {"lines": [{"id": w["lines"][0], "description": VENUE[0], "amount": VENUE[1] + moved},
                            {"id": w["lines"][1], "description": TRAVEL[0], "amount": TRAVEL[1] - moved}],
                  "due_dates": {}, "purpose": grant.purpose, "outcome_ids": [], "returned": 0}
        collective = db.session.get(Collective, grant.collective_id)
        assert variation_ops.needs_partnership(collective, before, change) is big


@pytest.mark.parametrize(("shift", "big"), [(relativedelta(months=3), False), (relativedelta(months=3, days=1), True),
                                            (-relativedelta(months=3), False)])
def test_a_facilitator_approves_dates_moved_by_up_to_three_months(app, shift, big):
    w = _grant(app)
    with app.test_request_context("/", method="POST"):
        grant = db.session.get(Grant, w["grant_id"])
        before = variation_ops.snapshot(grant)
        report = variation_ops.open_reports(grant)[0]
        change = {"lines": before["lines"], "purpose": grant.purpose, "outcome_ids": [], "returned": 0,
                  "due_dates": {report.id: variation_ops.due_date(report) + shift}}
        collective = db.session.get(Collective, grant.collective_id)
        assert variation_ops.needs_partnership(collective, before, change) is big


def test_a_change_of_purpose_goes_to_the_partnership_and_needs_every_approval(app, outbox):
    w = _grant(app, ratifications_needed=2, reviewers=2)
    base = f"/c/west/grants/{w['grant_id']}"
    grantee = _signed_in(app, w["applicants"][0])
    outbox.clear()
    response = grantee.post(f"{base}/variations/new", data=_form(w, app, purpose="Walks and a cookery club."))
    assert response.status_code == 302
    variation = _variation(app)
    assert (variation.state, variation.needs_partnership, variation.approvals_needed) == ("with_partnership", True, 2)
    assert {m["To"] for m in outbox if "asks to change" in m["Subject"]} == {r.email for r in w["reviewers"]}
    assert "It needs the partnership's approval" in next(
        m for m in outbox if m["To"] == w["applicants"][0].email).get_content()

    facilitator = _signed_in(app, w["facilitator"])
    assert facilitator.post(f"{base}/variations/{variation.id}/decide", data={"decision": "approve"}).status_code == 403
    first, second = (_signed_in(app, r) for r in w["reviewers"])
    assert first.post(f"{base}/variations/{variation.id}/decide", data={"decision": "approve"}).status_code == 302
    assert "The change waits for more reviewers" in first.get(f"{base}/variations/{variation.id}").get_data(as_text=True)
    again = first.post(f"{base}/variations/{variation.id}/decide", data={"decision": "approve"})
    assert "You have already approved this change" in again.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Variation, variation.id).state == "with_partnership"
        assert db.session.get(Grant, w["grant_id"]).purpose == "Project A: what we will do."
    assert second.post(f"{base}/variations/{variation.id}/decide", data={"decision": "approve"}).status_code == 302
    with app.app_context():
        assert db.session.get(Variation, variation.id).state == "approved"
        assert db.session.get(Grant, w["grant_id"]).purpose == "Walks and a cookery club."


def test_refused_with_a_reason_and_more_information_sends_it_back_to_the_grantee(app, outbox):
    w = _grant(app)
    base = f"/c/west/grants/{w['grant_id']}"
    grantee, facilitator = _signed_in(app, w["applicants"][0]), _signed_in(app, w["facilitator"])
    grantee.post(f"{base}/variations/new", data=_form(w, app, venue=250_000, travel=50_000))
    variation = _variation(app)
    page = facilitator.post(f"{base}/variations/{variation.id}/decide", data={"decision": "refuse"}).get_data(as_text=True)
    assert "Say why the change is refused" in page
    outbox.clear()
    assert facilitator.post(f"{base}/variations/{variation.id}/decide",
                            data={"decision": "ask", "reason": "What will the travel money cover now?"}).status_code == 302
    mail = next(m for m in outbox if m["To"] == w["applicants"][0].email)
    assert "More information needed" in mail["Subject"] and "What will the travel money cover now?" in mail.get_content()
    edit = grantee.get(f"{base}/variations/{variation.id}/edit").get_data(as_text=True)
    assert "What will the travel money cover now?" in edit
    response = grantee.post(f"{base}/variations/{variation.id}/edit",
                            data={**_form(w, app, venue=240_000, travel=60_000, reason="Travel now covers two leaders."),
                                  "version": str(_variation(app).version)})
    assert response.status_code == 302
    assert (_variation(app).state, _variation(app).reason) == ("requested", "Travel now covers two leaders.")
    outbox.clear()
    facilitator.post(f"{base}/variations/{variation.id}/decide", data={"decision": "refuse", "reason": "Too late in the year."})
    assert _variation(app).state == "refused"
    assert "Too late in the year." in next(m for m in outbox if m["To"] == w["applicants"][0].email).get_content()
    with app.app_context():
        assert [line.amount for line in grant_lines(db.session.get(Grant, w["grant_id"]))] == [VENUE[1], TRAVEL[1]]


def test_the_grantee_withdraws_an_open_request(app):
    w = _grant(app)
    base = f"/c/west/grants/{w['grant_id']}"
    grantee = _signed_in(app, w["applicants"][0])
    grantee.post(f"{base}/variations/new", data=_form(w, app, venue=210_000, travel=90_000))
    variation = _variation(app)
    assert grantee.post(f"{base}/variations/{variation.id}/withdraw").status_code == 302
    assert _variation(app).state == "withdrawn"
    facilitator = _signed_in(app, w["facilitator"])
    assert facilitator.post(f"{base}/variations/{variation.id}/decide", data={"decision": "approve"}).status_code == 403


@pytest.mark.parametrize(("venue", "travel", "extra", "message"), [
    (250_000, 100_000, {}, "The budget lines add up to £3,500, but the grant less the money handed back is £3,000"),
    (200_000, -100, {}, "Enter an amount in pounds, like 1500 or 1500.50"),
    (200_000, 100_000, {"reason": ""}, "Say why the grant needs to change"),
    (200_000, 100_000, {}, "Change at least one thing"),
    (0, 0, {"returned": "3000.01"}, "Hand back at most the £3,000 not paid yet"),
])
def test_a_change_that_does_not_add_up_is_refused_beside_its_field_and_nothing_is_saved(app, venue, travel, extra,
                                                                                      message):
    w = _grant(app)
    grantee = _signed_in(app, w["applicants"][0])
    typed = _form(w, app, venue=venue, travel=travel, **extra)
    response = grantee.post(f"/c/west/grants/{w['grant_id']}/variations/new", data=typed)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert message in page, page[page.find("govuk-error-summary"):][:1500]
    assert typed["reason"] in page  # what was typed is still there
    with app.app_context():
        assert db.session.exec(select(Variation)).all() == []


def test_money_handed_back_is_never_more_than_unpaid_plus_paid_back(app):
    w = _grant(app, paid=250_000)   # £2,500 paid of £3,000: £500 unpaid
    with app.test_request_context("/", method="POST"):
        grant = db.session.get(Grant, w["grant_id"])
        lines = [{"id": w["lines"][0], "description": VENUE[0], "amount": 150_000},
                 {"id": w["lines"][1], "description": TRAVEL[0], "amount": 50_000}]
        change = {"lines": lines, "due_dates": {}, "purpose": grant.purpose, "outcome_ids": [], "returned": 100_000,
                  "paid_back": 0, "paid_back_reference": "", "reason": "Fewer sessions."}
        assert "Hand back at most the £500 not paid yet, plus what the group pays back (£0)" in \
            variation_ops.problems(grant, change)[0].message
        # paying back £500 of what was paid makes £1,000 possible
        change.update(paid_back=50_000, paid_back_reference="REFUND 7")
        assert variation_ops.problems(grant, change) == []
        change.update(paid_back=250_001, returned=250_001)
        assert "The group can pay back at most what it was paid: £2,500" in variation_ops.problems(grant, change)[0].message
        # every line of the grant, each once: a change that leaves one out (or names another's) is refused
        for lines_given in (lines[:1], [*lines, {**lines[0]}], [lines[0], {**lines[1], "id": 999_999}]):
            assert variation_ops.problems(grant, {**change, "lines": lines_given, "paid_back": 50_000,
                                                  "returned": 100_000})[0].message == \
                "Change the lines of this grant's budget"
        change.update(paid_back=50_000, returned=100_000)
        variation = variation_ops.request_variation(grant, w["applicants"][0], change)
        db.session.commit()
        variation_ops.decide(db.session.get(Variation, variation.id), w["facilitator"], "approve")
        db.session.commit()
        grant = db.session.get(Grant, w["grant_id"])
        assert (grant.returned, grant.net_amount, grant.total_paid) == (100_000, 200_000, 200_000)
        assert sum(line.amount for line in grant_lines(grant)) == grant.net_amount
        repayment = db.session.exec(select(Payment).where(Payment.variation_id == variation.id)).one()
        assert (repayment.amount, repayment.reference) == (-50_000, "REFUND 7")
        with pytest.raises(Refused, match="more than the grant of £2,000"):
            award_ops.record_payment(grant, w["facilitator"], paid_on=london_today(), amount=1, reference="x")
        with pytest.raises(Refused, match="cannot be reversed"):
            award_ops.reverse_payment(repayment, w["facilitator"], "typo")
    # the round's totals show what came back
    page = _signed_in(app, w["facilitator"]).get(f"/c/west/rounds/{w['round'].id}").get_data(as_text=True)
    assert "£3,000 awarded in 1 grant; £1,000 handed back; £2,000 paid" in page


def test_an_overdue_report_given_more_time_is_due_again(app):
    w = _grant(app)
    with app.test_request_context("/", method="POST"):
        grant = db.session.get(Grant, w["grant_id"])
        report = variation_ops.open_reports(grant)[0]
        fire(report, "mark_overdue", "scheduler", now=report.due_at + timedelta(minutes=1))
        db.session.commit()
        overdue_since = report.due_at
    with time_machine.travel(overdue_since + timedelta(days=2), tick=False), \
            app.test_request_context("/", method="POST"):
        grant = db.session.get(Grant, w["grant_id"])
        report = db.session.get(Report, report.id)
        new = variation_ops.due_date(report) + timedelta(days=30)
        change = {"lines": variation_ops.snapshot(grant)["lines"], "due_dates": {report.id: new},
                  "purpose": grant.purpose, "outcome_ids": [], "returned": 0, "paid_back": 0,
                  "paid_back_reference": "", "reason": "Our treasurer was ill."}
        variation = variation_ops.request_variation(grant, w["applicants"][0], change)
        variation_ops.decide(variation, w["facilitator"], "approve")
        db.session.commit()
        report = db.session.get(Report, report.id)
        assert report.state == "due" and variation_ops.due_date(report) == new
        assert isinstance(new, date)


def test_the_variation_letter_records_the_change_and_only_the_grant_s_people_download_it(app):
    from tests.test_documents_awards import read

    w = _grant(app)
    base = f"/c/west/grants/{w['grant_id']}"
    grantee = _signed_in(app, w["applicants"][0])
    change = _form(w, app, venue=240_000, travel=50_000, reason="We need the hall for longer.",
                   new_line_description="Interpreter", new_line_amount="100.00")
    assert grantee.post(f"{base}/variations/new", data=change).status_code == 302
    variation = _variation(app)
    assert grantee.get(f"{base}/variations/{variation.id}/letter.pdf").status_code == 404   # not approved yet
    _signed_in(app, w["facilitator"]).post(f"{base}/variations/{variation.id}/decide", data={"decision": "approve"})
    response = grantee.get(f"{base}/variations/{variation.id}/letter.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    pages, text = read(response.data)
    assert pages == 1
    assert "Variation letter: Project A" in text and "We need the hall for longer." in text
    assert "Venue hire £2,000 £2,400" in text and "Volunteers' travel £1,000 £500" in text
    assert "Interpreter New line £100" in text and "Total £3,000 £3,000" in text
    assert "approved on" in text and "by Fola, a facilitator of the collective" in text
    assert _signed_in(app, w["reviewer"]).get(f"{base}/variations/{variation.id}/letter.pdf").status_code == 200
    assert _signed_in(app, w["members"][0]).get(f"{base}/variations/{variation.id}/letter.pdf").status_code == 404
    with app.app_context():
        east = factories.collective("east", "East Collective")
        foreign = factories.member(east, roles=("facilitator",))
        db.session.commit()
    stranger = _signed_in(app, foreign)
    assert stranger.get(f"{base}/variations/{variation.id}/letter.pdf").status_code == 403
    assert stranger.get(f"/c/east/grants/{w['grant_id']}/variations/{variation.id}/letter.pdf").status_code == 404
    with app.app_context():
        lines = [(line.description, line.amount) for line in grant_lines(db.session.get(Grant, w["grant_id"]))]
    assert lines == [(VENUE[0], 240_000), (TRAVEL[0], 50_000), ("Interpreter", 10_000)]
