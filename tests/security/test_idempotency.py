"""A form sent twice (a double-click, a page sent again) records once: payments, awards, ballots."""

from __future__ import annotations

import re
from datetime import date, datetime, timezone

import time_machine
from sqlmodel import select

from grants.awards.models import Payment
from grants.db import db
from tests import factories
from tests.test_awards import _awarded


def _token(page: str, name: str) -> str:
    return re.search(rf'name="{re.escape(name)}" type="hidden" value="([0-9a-f]{{32}})"', page).group(1)


def test_a_payment_sent_twice_is_recorded_once(app, client):
    w = _awarded(app)
    grant = w["grants"][0]
    factories.login(client, w["applicants"][0])
    page = client.get(f"/c/west/grants/{grant.id}").get_data(as_text=True)
    accept = {"accept-accepted_by_name": "Applicant A", "accept-conditions_confirmed": "y",
              "accept-once": _token(page, "accept-once")}
    assert client.post(f"/c/west/grants/{grant.id}/accept", data=accept).status_code == 302
    assert "already sent" in client.post(f"/c/west/grants/{grant.id}/accept", data=accept).get_data(as_text=True)
    client.post("/logout")
    with time_machine.travel(datetime(2027, 1, 5, 12, 0, tzinfo=timezone.utc), tick=False):
        factories.login(client, w["facilitator"])
        page = client.get(f"/c/west/grants/{grant.id}").get_data(as_text=True)
        assert 'data-prevent-double-click="true"' in page
        payment = {"payment-paid_on": date(2027, 1, 4).isoformat(), "payment-amount": "1,000",
                   "payment-reference": "BACS", "payment-once": _token(page, "payment-once")}
        first = client.post(f"/c/west/grants/{grant.id}/payments", data=payment)
        second = client.post(f"/c/west/grants/{grant.id}/payments", data=payment)
        assert first.status_code == 302
        assert second.status_code == 200 and "already sent" in second.get_data(as_text=True)
        # a fresh page gives a fresh token: a second, real payment is recorded
        page = client.get(f"/c/west/grants/{grant.id}").get_data(as_text=True)
        payment["payment-once"] = _token(page, "payment-once")
        assert client.post(f"/c/west/grants/{grant.id}/payments", data=payment).status_code == 302
    with app.app_context():
        assert len(db.session.exec(select(Payment)).all()) == 2
