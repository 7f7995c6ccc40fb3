"""Issue 13, item 4: money that does not add up is refused, and a payment can be corrected.

- a report's spending may not add up to more than the grant (the message beside the spend lines);
- a payment may not be dated before the grant was offered, nor in the future;
- a payment recorded wrongly is *reversed*: a new, negative row with a reason, pointing at it,
  audited, shown in the grant's payments and counted in every total and export (net amounts).
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date, timedelta

import pytest
from sqlmodel import select

from grants.audit.models import AuditEvent
from grants.awards import operations as award_ops
from grants.awards.models import Grant, Payment, grant_lines
from grants.collectives.models import Collective
from grants.db import db
from grants.errors import Refused
from grants.exports import threesixty
from grants.exports.grants_csv import grants_csv
from grants.reporting import operations as report_ops
from grants.reporting.models import Report
from grants.timeutil import london_today
from tests import factories
from tests.rounds_helpers import award_round, counted_round


def _accepted(app, index: int = 0):
    """A £3,000 grant (index 0) or a £900 one (index 2), offered today and accepted."""
    w = counted_round(app)
    with app.test_request_context("/", method="POST"):
        award_round(w)
        grant = db.session.exec(select(Grant).order_by(Grant.id)).all()[index]
        award_ops.accept_grant(grant, w["applicants"][index], accepted_by_name="Applicant", conditions_confirmed=True)
        db.session.commit()
        w["grant_id"] = grant.id
        w["grant_amount"] = grant.amount
        w["lines"] = [line.id for line in grant_lines(grant)]
        w["report_id"] = db.session.exec(select(Report.id).where(Report.grant_id == grant.id, Report.asks_spend == True)  # noqa: E712
                                         ).first()
    return w


def test_a_report_cannot_claim_more_spending_than_the_grant(app):
    w = _accepted(app)
    assert w["grant_amount"] == 300_000 and w["report_id"] is not None
    with app.test_request_context("/", method="POST"):
        report = db.session.get(Report, w["report_id"])
        spend = {str(w["lines"][0]): 560_000}
        with pytest.raises(Refused, match="£5,600 spent, more than the grant of £3,000") as caught:
            report_ops.save_report(report, {"what_happened": "Walks", "spend": spend}, w["applicants"][0])
        assert caught.value.field == f"spend_{w['lines'][0]}"
        db.session.rollback()
        assert db.session.get(Report, w["report_id"]).spend == {}
        # exactly the grant is fine
        report_ops.save_report(db.session.get(Report, w["report_id"]), {"what_happened": "Walks",
                               "spend": {str(w["lines"][0]): 300_000}}, w["applicants"][0])
        db.session.commit()
        assert db.session.get(Report, w["report_id"]).spend == {str(w["lines"][0]): 300_000}


def test_the_report_page_says_so_beside_the_spend_and_keeps_what_was_typed(client, app):
    w = _accepted(app)
    factories.login(client, w["applicants"][0])
    field = f"spend_{w['lines'][0]}"
    page = client.post(f"/c/west/grants/{w['grant_id']}/reports/{w['report_id']}", data={
        "what_happened": "We ran twelve walks", field: "5,600", "save": "Save draft"}).data.decode()
    assert "more than the grant of £3,000" in page
    assert f'id="{field}-error"' in page                     # beside the field, not only at the top
    assert "We ran twelve walks" in page and 'value="5,600' in page


@pytest.mark.parametrize(("paid_on", "message"), [
    (date(1990, 1, 1), "cannot be before the grant was offered on"),
    (None, "cannot be in the future"),
])
def test_a_payment_date_must_lie_between_the_offer_and_today(client, app, paid_on, message):
    w = _accepted(app, 2)
    paid_on = paid_on or london_today() + timedelta(days=1)
    factories.login(client, w["facilitator"])
    page = client.post(f"/c/west/grants/{w['grant_id']}/payments", data={
        "payment-paid_on": paid_on.isoformat(), "payment-amount": "900", "payment-reference": "BACS 1990"}
    ).data.decode()
    assert message in page and 'id="payment-paid_on-error"' in page
    assert 'value="BACS 1990"' in page
    with app.app_context():
        assert db.session.exec(select(Payment)).all() == []
    # today (the offer was made today) is fine
    response = client.post(f"/c/west/grants/{w['grant_id']}/payments", data={
        "payment-paid_on": london_today().isoformat(), "payment-amount": "900", "payment-reference": "BACS 1"})
    assert response.status_code == 302


def test_a_wrong_payment_is_reversed_with_a_reason_and_every_total_is_net(client, app):
    w = _accepted(app, 2)                                   # £900
    factories.login(client, w["facilitator"])
    grant_url = f"/c/west/grants/{w['grant_id']}"
    assert client.post(f"{grant_url}/payments", data={"payment-paid_on": london_today().isoformat(),
                       "payment-amount": "900", "payment-reference": "BACS WRONG"}).status_code == 302
    with app.app_context():
        wrong = db.session.exec(select(Payment)).one()
    page = client.get(grant_url).data.decode()
    reverse_url = f"{grant_url}/payments/{wrong.id}/reverse"
    assert reverse_url in page
    # the confirmation page says what will happen; a reason is required
    page = client.get(reverse_url).data.decode()
    assert "Reverse the payment of £900?" in page and "from £900 to £0" in page
    page = client.post(reverse_url, data={"reverse-reason": "  "}).data.decode()
    assert "Say why the payment is being reversed" in page and 'id="reverse-reason-error"' in page
    assert client.post(reverse_url, data={"reverse-reason": "Paid to the wrong account"}).status_code == 302
    with app.app_context():
        rows = db.session.exec(select(Payment).order_by(Payment.id)).all()
        assert [(p.amount, p.reverses_id, p.reason) for p in rows] == [
            (90_000, None, ""), (-90_000, wrong.id, "Paid to the wrong account")]
        assert db.session.get(Grant, w["grant_id"]).total_paid == 0
        event = db.session.exec(select(AuditEvent).where(AuditEvent.action == "grant.payment_reversed")).one()
        assert "Paid to the wrong account" in event.summary and event.actor_id == w["facilitator"].id
    # a payment is reversed once; a reversal is never reversed
    assert "already been reversed" in client.get(reverse_url).data.decode()
    client.post(reverse_url, data={"reverse-reason": "Again"})
    client.post(f"{grant_url}/payments/{rows[1].id}/reverse", data={"reverse-reason": "Undo the undo"})
    with app.app_context():
        assert db.session.exec(select(Payment)).all().__len__() == 2
    # the right payment can now be recorded: the reversed one no longer counts towards the award
    assert client.post(f"{grant_url}/payments", data={"payment-paid_on": london_today().isoformat(),
                       "payment-amount": "800", "payment-reference": "BACS RIGHT"}).status_code == 302
    page = client.get(grant_url).data.decode()
    assert 'Reversal: <span dir="auto">Paid to the wrong account</span>' in page and "Reversed (below)" in page and "-£900" in page
    assert "BACS RIGHT" in page
    with app.app_context():
        collective = db.session.exec(select(Collective).where(Collective.slug == "west")).one()
        rows = {row["project"]: row for row in csv.DictReader(io.StringIO(grants_csv(collective)))}
        assert rows["Project C"]["paid_pounds"] in ("800", "800.00")
        app.config["THREESIXTY_PREFIX"] = "360G-westtest"
        package = json.loads(threesixty.package_json(collective))
        disbursed = {g["title"]: g.get("amountDisbursed") for g in package["grants"]}
        assert disbursed["Project C"] == 800


def test_only_a_facilitator_reverses_a_payment_of_their_collective(client, app):
    w = _accepted(app, 2)
    with app.test_request_context("/", method="POST"):
        grant = db.session.get(Grant, w["grant_id"])
        payment = award_ops.record_payment(grant, w["facilitator"], paid_on=london_today(), amount=90_000,
                                           reference="BACS 1")
        db.session.commit()
        payment_id = payment.id
        with pytest.raises(Refused, match="Only a facilitator"):
            award_ops.reverse_payment(db.session.get(Payment, payment_id), w["applicants"][2], "Mine")
        db.session.rollback()
    factories.login(client, w["applicants"][2])
    url = f"/c/west/grants/{w['grant_id']}/payments/{payment_id}/reverse"
    assert client.get(url).status_code == 403
    assert client.post(url, data={"reverse-reason": "Mine"}).status_code == 403
    assert "Reverse" not in client.get(f"/c/west/grants/{w['grant_id']}").data.decode().split("Payments")[-1]
