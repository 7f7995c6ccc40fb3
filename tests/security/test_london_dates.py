"""Dates a person means are London dates: just after midnight in British Summer Time the UTC date
is still yesterday's, and "today" must not be refused as "in the future"."""

from __future__ import annotations

from datetime import date, datetime, timezone

import time_machine
from sqlmodel import select

from grants.awards.models import Payment
from grants.db import db
from tests import factories
from tests.test_awards import _awarded

HALF_PAST_MIDNIGHT_BST = datetime(2027, 6, 15, 23, 30, tzinfo=timezone.utc)   # 00:30 on 16 June in London


def _pay(client, grant, paid_on: date, reference: str):
    return client.post(f"/c/west/grants/{grant.id}/payments", data={
        "payment-paid_on": paid_on.isoformat(), "payment-amount": "1,000", "payment-reference": reference})


def test_a_payment_dated_today_is_accepted_at_half_past_midnight_in_summer(app, client):
    w = _awarded(app)
    grant = w["grants"][0]
    factories.login(client, w["applicants"][0])
    client.post(f"/c/west/grants/{grant.id}/accept", data={"accept-accepted_by_name": "Applicant A",
                                                            "accept-conditions_confirmed": "y"})
    client.post("/logout")
    with time_machine.travel(HALF_PAST_MIDNIGHT_BST, tick=False):
        factories.login(client, w["facilitator"])
        assert _pay(client, grant, date(2027, 6, 16), "BACS today").status_code == 302
        tomorrow = _pay(client, grant, date(2027, 6, 17), "BACS tomorrow")
    assert tomorrow.status_code == 200
    assert "The payment date cannot be in the future" in tomorrow.get_data(as_text=True)
    with app.app_context():
        assert db.session.exec(select(Payment.paid_on)).all() == [date(2027, 6, 16)]
