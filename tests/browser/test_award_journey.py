"""Review, award and reporting in a real browser: the partnership returns the allocation, the
facilitator recounts and resubmits, the reviewer ratifies; the grantee gets the award letter and
accepts; a payment is recorded; the due date passes (reminder, then overdue notice, at the SMTP
server); the grantee reports, the facilitator asks for changes, then accepts: the grant closes."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import time_machine
from sqlmodel import select

from grants.awards.models import Grant
from grants.db import db
from grants.reporting.models import Report
from grants.workflow.scheduler import run_jobs
from tests.rounds_helpers import counted_round

pytestmark = pytest.mark.browser


def test_review_award_pay_report_close(checked_page, live_app, mail_server):
    w = counted_round(live_app, amounts=(90_000,))
    round_id = w["round"].id
    p = checked_page

    p.sign_in(w["facilitator"])
    p.goto(f"/c/west/rounds/{round_id}")
    p.submit("Submit for review")
    p.submit("Sign out")

    # The reviewer returns the allocation with a reason
    p.sign_in(w["reviewer"])
    p.goto(f"/c/west/rounds/{round_id}/review/")
    assert "Communities the selected proposals serve" in p.text()
    p.fill("Why are you returning the allocation?", "Please recount: one paper ballot was not entered.")
    p.submit("Return the allocation")
    assert "returned to the facilitators" in p.text()
    p.submit("Sign out")

    # The facilitator recounts and resubmits with a response
    p.sign_in(w["facilitator"])
    p.goto(f"/c/west/rounds/{round_id}")
    p.submit("Count again")
    p.goto(f"/c/west/rounds/{round_id}/review/")
    assert "Please recount: one paper ballot was not entered." in p.text()
    p.fill("Your response to the partnership", "Recounted with the paper ballot entered.")
    p.submit("Send the allocation for review")
    p.submit("Sign out")

    # The reviewer ratifies; the facilitator issues the awards
    p.sign_in(w["reviewer"])
    p.goto(f"/c/west/rounds/{round_id}/review/")
    p.submit("Ratify the allocation")
    assert "The allocation is ratified" in p.text()
    p.submit("Sign out")
    p.sign_in(w["facilitator"])
    p.goto(f"/c/west/rounds/{round_id}")
    p.submit("Issue awards")
    assert "Issue the awards?" in p.text() and "1 grant totalling £900 will be offered." in p.text()
    p.submit("Issue the awards")
    p.submit("Sign out")
    assert any("Your grant offer" in m["Subject"] for m in mail_server.wait_for(1))

    # The grantee reads the offer (and its letter) and accepts
    grantee = w["applicants"][0]
    p.sign_in(grantee)
    p.goto("/c/west/grants/")
    p.click_link("Project A")
    letter = p.page.get_by_role("link", name="Download the award letter (PDF)")
    with p.page.expect_download() as download:
        letter.click()
    assert download.value.path().read_bytes().startswith(b"%PDF")
    p.submit("Accept the grant")
    assert "Type your full name to accept the grant" in p.text()
    p.fill("Your full name", "Applicant A")
    p.page.get_by_label("I have read the conditions and accept them for my organisation").check()
    p.submit("Accept the grant")
    assert "the grant is accepted" in p.text()
    assert "End report" in p.text()
    p.submit("Sign out")

    # The facilitator records the payment
    with live_app.app_context():
        grant_id = db.session.exec(select(Grant)).one().id
    p.sign_in(w["facilitator"])
    p.goto(f"/c/west/grants/{grant_id}")
    p.fill("Date paid", date.today().isoformat())
    p.fill("Amount (£)", "900")
    p.fill("Payment reference", "BACS 2027-001")
    p.submit("Record the payment")
    assert "Payment recorded" in p.text()
    p.submit("Sign out")

    # Time passes: a reminder before the due date, then the overdue notice
    mail_server.messages.clear()
    with live_app.app_context():
        report = db.session.exec(select(Report)).one()
        due, report_id = report.due_at, report.id
        with time_machine.travel(due - timedelta(days=7), tick=False):
            run_jobs()
        with time_machine.travel(due + timedelta(hours=2), tick=False):
            run_jobs()
    subjects = [m["Subject"] for m in mail_server.wait_for(2)]
    assert any("Reminder: your end report is due" in s for s in subjects)
    assert any("is overdue" in s for s in subjects)

    # The grantee reports; the facilitator asks for changes, then accepts; the grant closes
    p.sign_in(grantee)
    p.goto(f"/c/west/grants/{grant_id}/reports/{report_id}")
    p.page.get_by_label("What happened?").fill("Ten sessions; 25 families took part.")
    p.fill("African", "12")
    p.submit("Save and submit")
    assert "Your report is submitted" in p.text()
    p.submit("Sign out")
    p.sign_in(w["facilitator"])
    p.goto(f"/c/west/grants/{grant_id}/reports/{report_id}")
    p.fill("What needs to change?", "Please add what the families said.")
    p.submit("Ask for changes")
    p.submit("Sign out")
    p.sign_in(grantee)
    p.goto(f"/c/west/grants/{grant_id}/reports/{report_id}")
    assert "Please add what the families said." in p.text()
    p.page.get_by_label("One story or quote (optional)").fill("“Now I know where to ask.”")
    p.page.get_by_label("The people in this story agreed to it being shared").check()
    p.submit("Save and submit")
    p.submit("Sign out")
    p.sign_in(w["facilitator"])
    p.goto(f"/c/west/grants/{grant_id}/reports/{report_id}")
    p.submit("Accept the report")
    assert "Closed" in p.text()
