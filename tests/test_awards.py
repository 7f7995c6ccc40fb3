"""Partnership review, awards, payments and proportionate reporting."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
import time_machine
from PIL import Image
from sqlmodel import select

from grants.awards import operations as award_ops
from grants.awards.models import Grant, Payment
from grants.db import db
from grants.errors import Refused
from grants.proposals.models import Proposal
from grants.reporting import operations as report_ops
from grants.reporting.models import Report
from grants.review import operations as review_ops
from grants.rounds import operations as round_ops
from grants.rounds.models import Round
from grants.timeutil import utcnow
from grants.workflow.scheduler import run_jobs
from tests import factories
from tests.mailserver import body
from tests.rounds_helpers import award_round, counted_round
from workflows import GuardFailed

PNG = factories.image_bytes("PNG")


def _reload(model, row):
    db.session.expire_all()
    return db.session.get(model, row.id)


def _awarded(app, **kwargs):
    """A counted round taken through review and awards: grants offered."""
    w = counted_round(app, **kwargs)
    with app.test_request_context("/", method="POST"):
        award_round(w, reviewers=w["reviewers"])
        w["grants"] = db.session.exec(select(Grant).order_by(Grant.id)).all()
    return w


def test_return_recount_resubmit_then_ratify_by_two_reviewers(app, mail_server):
    w = counted_round(app, ratifications_needed=2, reviewers=2)
    with app.test_request_context("/", method="POST"):
        round_ = db.session.get(Round, w["round"].id)
        round_ops.move_round(round_, "submit_for_review", w["facilitator"])
        db.session.commit()
        with pytest.raises(GuardFailed, match="Say why"):
            review_ops.return_allocation(round_, w["reviewers"][0], "  ")
        db.session.rollback()
        round_ = db.session.get(Round, w["round"].id)
        review_ops.return_allocation(round_, w["reviewers"][0], "Please recount: a paper ballot was missed.")
        db.session.commit()
        assert round_.state == "returned"
        # the facilitators are told, with the reasons
        mails = [m for m in mail_server.wait_for(1) if "returned the allocation" in m["Subject"]]
        assert mails and "a paper ballot was missed" in body(mails[0])
        round_ops.move_round(round_, "recount", w["facilitator"])
        db.session.commit()
        with pytest.raises(Refused, match="Say what you changed"):
            review_ops.resubmit(round_, w["facilitator"], "")
        db.session.rollback()
        round_ = db.session.get(Round, w["round"].id)
        review_ops.resubmit(round_, w["facilitator"], "Recounted with the paper ballot added.")
        db.session.commit()
        assert review_ops.ratify(round_, w["reviewers"][0]) is False     # 1 of 2
        db.session.commit()
        with pytest.raises(Refused, match="already ratified"):
            review_ops.ratify(round_, w["reviewers"][0])
        db.session.rollback()
        round_ = db.session.get(Round, w["round"].id)
        assert review_ops.ratify(round_, w["reviewers"][1]) is True
        db.session.commit()
        assert _reload(Round, round_).state == "ratified"
        assert {p.state for p in db.session.exec(select(Proposal)).all()} == {"ratified"}
        kinds = [m.kind for m in review_ops.messages(round_)]
        assert kinds == ["returned", "response", "ratified", "ratified"]


def test_issuing_awards_offers_a_grant_per_ratified_proposal_and_emails_them(app, mail_server):
    w = _awarded(app)
    assert [(g.state, g.amount) for g in w["grants"]] == [("offered", 300_000), ("offered", 400_000), ("offered", 90_000)]
    offers = [m for m in mail_server.wait_for(3) if "Your grant offer" in m["Subject"]]
    assert len(offers) >= 3 and "/grants/" in body(offers[0])
    with app.app_context():
        assert {p.state for p in db.session.exec(select(Proposal)).all()} == {"awarded"}


def test_accepting_needs_a_name_and_the_conditions_and_creates_proportionate_reports(app):
    w = _awarded(app)
    with app.test_request_context("/", method="POST"):
        big, medium, small = (db.session.get(Grant, g.id) for g in w["grants"])
        big_round = db.session.get(Round, big.round_id)
        big_round.medium_grant_limit = 200_000     # so the £3,000 and £4,000 grants are "large"
        db.session.add(big_round)
        db.session.commit()
        applicant = w["applicants"][0]
        with pytest.raises(GuardFailed) as caught:
            award_ops.accept_grant(big, applicant, accepted_by_name="", conditions_confirmed=False)
        assert "Type your full name" in caught.value.reason and "Confirm that you agree" in caught.value.reason
        db.session.rollback()
        # someone from another organisation cannot accept it
        with pytest.raises(Exception, match="Only an applicant"):
            award_ops.accept_grant(db.session.get(Grant, big.id), w["applicants"][1], accepted_by_name="X",
                                   conditions_confirmed=True)
        db.session.rollback()
        award_ops.accept_grant(db.session.get(Grant, big.id), applicant, accepted_by_name="Applicant A",
                               conditions_confirmed=True)
        award_ops.accept_grant(db.session.get(Grant, small.id), w["applicants"][2], accepted_by_name="Applicant C",
                               conditions_confirmed=True)
        db.session.commit()
        reports = {(r.grant_id, r.kind): r for r in db.session.exec(select(Report)).all()}
        assert set(reports) == {(big.id, "mid"), (big.id, "end"), (small.id, "end")}
        assert reports[(big.id, "mid")].asks_spend and not reports[(small.id, "end")].asks_spend
        assert reports[(big.id, "mid")].due_at < reports[(big.id, "end")].due_at


def test_an_expired_offer_cannot_be_accepted_and_the_scheduler_withdraws_it(app):
    w = _awarded(app)
    grant_id = w["grants"][0].id
    with app.test_request_context("/", method="POST"):
        grant = db.session.get(Grant, grant_id)
        later = grant.offer_expires_at + timedelta(hours=1)
    with time_machine.travel(later, tick=False), app.test_request_context("/", method="POST"):
        grant = db.session.get(Grant, grant_id)
        with pytest.raises(GuardFailed, match="This offer expired"):
            award_ops.accept_grant(grant, w["applicants"][0], accepted_by_name="A", conditions_confirmed=True)
        db.session.rollback()
        run_jobs()
        assert _reload(Grant, grant).state == "withdrawn"


def test_payments_never_exceed_the_award(app):
    w = _awarded(app)
    with app.test_request_context("/", method="POST"):
        grant = db.session.get(Grant, w["grants"][2].id)          # £900
        with pytest.raises(Refused, match="accepted grant"):
            award_ops.record_payment(grant, w["facilitator"], paid_on=date.today(), amount=10_000, reference="X")
        db.session.rollback()
        award_ops.accept_grant(db.session.get(Grant, grant.id), w["applicants"][2], accepted_by_name="C",
                               conditions_confirmed=True)
        grant = db.session.get(Grant, grant.id)
        award_ops.record_payment(grant, w["facilitator"], paid_on=date.today(), amount=80_000, reference="BACS 1")
        db.session.commit()
        assert _reload(Grant, grant).state == "paid"
        with pytest.raises(Refused, match="more than the grant of £900") as caught:
            award_ops.record_payment(grant, w["facilitator"], paid_on=date.today(), amount=30_000, reference="BACS 2")
        assert "£100 is left to pay" in caught.value.message
        db.session.rollback()
        with pytest.raises(Refused, match="cannot be in the future"):
            award_ops.record_payment(grant, w["facilitator"], paid_on=date.today() + timedelta(days=2), amount=1,
                                     reference="X")
        db.session.rollback()
        assert [p.amount for p in db.session.exec(select(Payment)).all()] == [80_000]


def _accepted_small_grant(app):
    w = _awarded(app)
    with app.test_request_context("/", method="POST"):
        grant = db.session.get(Grant, w["grants"][2].id)
        award_ops.accept_grant(grant, w["applicants"][2], accepted_by_name="C", conditions_confirmed=True)
        award_ops.record_payment(db.session.get(Grant, grant.id), w["facilitator"], paid_on=date.today(),
                                 amount=90_000, reference="BACS 1")
        db.session.commit()
        w["report"] = db.session.exec(select(Report)).one()
        w["grant"] = grant
    return w


def test_report_reminder_then_overdue_notice_arrive_once(app, mail_server):
    w = _accepted_small_grant(app)
    mail_server.messages.clear()
    due = w["report"].due_at
    with app.app_context():
        with time_machine.travel(due - timedelta(days=20), tick=False):
            assert run_jobs()["report_reminders"] == 0
        with time_machine.travel(due - timedelta(days=10), tick=False):
            assert run_jobs()["report_reminders"] == 1
            assert run_jobs()["report_reminders"] == 0
        with time_machine.travel(due + timedelta(hours=1), tick=False):
            run_jobs()
            run_jobs()
        assert _reload(Report, w["report"]).state == "overdue"
    subjects = [m["Subject"] for m in mail_server.wait_for(2)]
    assert sum("Reminder: your end report is due" in s for s in subjects) == 1
    assert sum("is overdue" in s for s in subjects) == 1


def test_report_submitted_changes_requested_accepted_closes_the_grant(app, mail_server):
    w = _accepted_small_grant(app)
    with app.test_request_context("/", method="POST"):
        report = db.session.get(Report, w["report"].id)
        applicant = w["applicants"][2]
        with pytest.raises(GuardFailed, match="what happened"):
            report_ops.submit_report(report, applicant)
        db.session.rollback()
        report = db.session.get(Report, report.id)
        report_ops.save_report(report, {"what_happened": "Twelve walks with 30 mums.", "people_reached": {"black_african": 12},
                                        "outcomes_achieved": {}, "story": "", "story_consent": False, "spend": {}},
                               applicant, photo=PNG)
        report_ops.submit_report(report, applicant)
        db.session.commit()
        report_ops.request_changes(report, w["facilitator"], "Please say how many sessions ran.")
        db.session.commit()
        assert _reload(Report, report).feedback == "Please say how many sessions ran."
        report = db.session.get(Report, report.id)
        report_ops.submit_report(report, applicant)
        report_ops.accept_report(report, w["facilitator"])
        db.session.commit()
        assert _reload(Grant, w["grant"]).state == "closed"
        with pytest.raises(Refused, match="submitted"):
            report_ops.save_report(db.session.get(Report, report.id), {"what_happened": "x"}, applicant)
    subjects = [m["Subject"] for m in mail_server.wait_for(3)]
    assert any("Changes requested" in s for s in subjects)
    assert any("is accepted" in s for s in subjects)


@pytest.mark.parametrize("values, photo, message", [
    ({"people_reached": {"black_african": -3}}, None, "whole numbers, 0 or more"),
    ({"people_reached": {"bame": 3}}, None, "communities in the list"),
    ({"story": "Amina said it changed her life", "story_consent": False}, None, "Tick the box"),
    ({}, b"GIF89a not a jpeg or png", "must be a JPEG or PNG"),
    ({}, b"\x89PNG\r\n\x1a\n" + b"0" * (10 * 1024 * 1024 + 10) + b"IEND", "smaller than 10 MB"),
])
def test_bad_report_input_is_refused_and_nothing_saved(app, values, photo, message):
    w = _accepted_small_grant(app)
    with app.test_request_context("/", method="POST"):
        report = db.session.get(Report, w["report"].id)
        with pytest.raises(Refused, match=message):
            report_ops.save_report(report, {"what_happened": "Walks", **values}, w["applicants"][2], photo=photo)
        db.session.rollback()
        stored = _reload(Report, report)
        assert (stored.what_happened, stored.people_reached, stored.has_photo) == ("", {}, False)


def test_a_grantee_never_sees_another_organisations_grant(client, app):
    w = _awarded(app)
    mine, theirs = w["grants"][0], w["grants"][1]
    factories.login(client, w["applicants"][0])
    assert client.get(f"/c/west/grants/{mine.id}").status_code == 200
    assert client.get(f"/c/west/grants/{theirs.id}").status_code == 404
    page = client.get("/c/west/grants/").data.decode()
    assert "Project A" in page and "Project B" not in page


def test_the_grant_page_accepts_with_the_form_and_records_a_payment(client, app):
    w = _awarded(app)
    grant = w["grants"][0]
    factories.login(client, w["applicants"][0])
    page = client.post(f"/c/west/grants/{grant.id}/accept", data={"accept-accepted_by_name": "Applicant A"}).data.decode()
    assert "Confirm that you agree to the grant conditions" in page
    response = client.post(f"/c/west/grants/{grant.id}/accept", data={"accept-accepted_by_name": "Applicant A",
                                                                       "accept-conditions_confirmed": "y"})
    assert response.status_code == 302
    client.post("/logout")
    factories.login(client, w["facilitator"])
    page = client.post(f"/c/west/grants/{grant.id}/payments", data={
        "payment-paid_on": date.today().isoformat(), "payment-amount": "3,500", "payment-reference": "BACS"}).data.decode()
    assert "more than the grant of £3,000" in page
    response = client.post(f"/c/west/grants/{grant.id}/payments", data={
        "payment-paid_on": date.today().isoformat(), "payment-amount": "3,000", "payment-reference": "BACS 77"})
    assert response.status_code == 302
    with app.app_context():
        assert _reload(Grant, grant).state == "paid"


def test_report_upload_through_the_page(client, app):
    w = _accepted_small_grant(app)
    factories.login(client, w["applicants"][2])
    url = f"/c/west/grants/{w['grant'].id}/reports/{w['report'].id}"
    page = client.post(url, data={"what_happened": "Walks", "photo": (io.BytesIO(b"not an image"), "walk.png"),
                                  "save": "y"}, content_type="multipart/form-data").data.decode()
    assert "must be a JPEG or PNG" in page
    response = client.post(url, data={"what_happened": "Walks", "people_black_african": "12",
                                      "photo": (io.BytesIO(PNG), "walk.png"), "save_and_submit": "y"},
                           content_type="multipart/form-data")
    assert response.status_code == 302
    photo = client.get(url + "/photo")
    assert photo.status_code == 200 and photo.mimetype == "image/png"
    with Image.open(io.BytesIO(photo.data)) as served:  # re-encoded from its pixels: the same picture
        assert (served.format, served.size, served.convert("RGB").getpixel((0, 0))) == ("PNG", (1, 1), (255, 0, 0))
    with app.app_context():
        stored = _reload(Report, w["report"])
        assert (stored.state, stored.people_reached) == ("submitted", {"black_african": 12})


def test_review_page_shows_allocation_by_theme_and_community(client, app):
    w = counted_round(app)
    factories.login(client, w["reviewer"])
    page = client.get(f"/c/west/rounds/{w['round'].id}/review/").data.decode()
    assert "By theme" in page and "Communities the selected proposals serve" in page
    assert "Asian, Asian British or Asian Welsh" in page and "Pakistani" in page
    assert "Audit trail" in page
    assert utcnow()
