"""Money columns hold every amount the money fields accept: 64-bit pence on both databases, so a
budget over £21,474,836.47 (a 32-bit INTEGER's limit on PostgreSQL) is saved, not a 500."""

from __future__ import annotations

from datetime import date, datetime, timezone

import sqlalchemy as sa
import time_machine
from sqlmodel import SQLModel, select

import grants.models  # noqa: F401 - every table
from grants.awards.models import Grant, Payment
from grants.collectives.models import Theme
from grants.db import db
from grants.money import parse_pounds
from grants.proposals.models import BudgetLine, Proposal
from grants.rounds.models import CountOutcome, Round
from tests import factories
from tests.test_awards import _awarded

LARGEST_TYPED = "999,999,999.99"             # the most a money field accepts
THIRTY_MILLION = 3_000_000_000                # pence, above 2**31 - 1


def test_every_money_column_is_64_bit():
    money = {("round", c) for c in ("budget", "min_grant", "max_grant", "small_grant_limit", "medium_grant_limit")}
    money |= {("pot", "amount"), ("count", "total_awarded"), ("count_outcome", "amount"),
              ("proposal", "amount_requested"), ("budget_line", "amount"), ("grant", "amount"), ("payment", "amount")}
    for table, column in money:
        assert isinstance(SQLModel.metadata.tables[table].c[column].type, sa.BigInteger), (table, column)
    assert parse_pounds(LARGEST_TYPED) > 2**31


def test_a_round_with_the_largest_budget_the_form_accepts_is_saved(app, client):
    with app.test_request_context("/"):
        collective = factories.collective("west", "West Collective")
        facilitator = factories.member(collective, roles=("facilitator",))
        db.session.commit()
        theme_id = db.session.exec(select(Theme.id).where(Theme.collective_id == collective.id)).first()
    factories.login(client, facilitator)
    response = client.post("/c/west/rounds/new", data={
        "name": "The big one", "variant": "standard", "budget": LARGEST_TYPED, "min_grant": "25,000,000",
        "max_grant": "900,000,000", "theme_ids": str(theme_id), "voting_method": "approval",
        "allocation_rule": "greedy_cost", "proposals_open_at": "2027-03-01T09:00", "proposals_close_at": "2027-03-15T09:00",
        "voting_opens_at": "2027-03-22T09:00", "voting_closes_at": "2027-03-29T09:00", "review_due_at": "2027-04-05T09:00",
        "reminder_hours": "48", "small_grant_limit": "22,000,000", "medium_grant_limit": "500,000,000",
        "ratifications_needed": "1", f"pot_{theme_id}": "30,000,000"})
    assert response.status_code == 302, response.get_data(as_text=True)
    with app.app_context():
        saved = db.session.exec(select(Round)).one()
        assert (saved.budget, saved.min_grant, saved.max_grant) == (99_999_999_999, 2_500_000_000, 90_000_000_000)
        assert saved.small_grant_limit == 2_200_000_000


def test_a_thirty_million_pound_grant_is_counted_awarded_and_paid(app, client):
    w = _awarded(app, amounts=(THIRTY_MILLION,), budget=5_000_000_000, max_grant=THIRTY_MILLION,
                 small_grant_limit=100_000, medium_grant_limit=500_000)
    grant = w["grants"][0]
    assert grant.amount == THIRTY_MILLION
    factories.login(client, w["applicants"][0])
    assert client.post(f"/c/west/grants/{grant.id}/accept", data={
        "accept-accepted_by_name": "Applicant A", "accept-conditions_confirmed": "y"}).status_code == 302
    client.post("/logout")
    with time_machine.travel(datetime(2027, 1, 5, 12, 0, tzinfo=timezone.utc), tick=False):
        factories.login(client, w["facilitator"])
        response = client.post(f"/c/west/grants/{grant.id}/payments", data={
            "payment-paid_on": date(2027, 1, 4).isoformat(), "payment-amount": "30,000,000", "payment-reference": "CHAPS 1"})
        page = client.get(f"/c/west/grants/{grant.id}").get_data(as_text=True)
    assert response.status_code == 302 and response.location.endswith(f"/grants/{grant.id}"), response.location
    assert "£30,000,000" in page
    with app.app_context():
        assert db.session.exec(select(Payment.amount)).one() == THIRTY_MILLION
        assert db.session.get(Grant, grant.id).state == "paid"
        assert db.session.exec(select(Proposal.amount_requested)).one() == THIRTY_MILLION
        assert db.session.exec(select(BudgetLine.amount)).one() == THIRTY_MILLION
        assert THIRTY_MILLION in db.session.exec(select(CountOutcome.amount)).all()
