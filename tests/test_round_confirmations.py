"""Irreversible or early round moves are confirmed on their own page first (issue 13, item 8).

"Close voting" two months early, "Close proposals", "Issue awards" and "Cancel the round" used to
run on one click. Each now goes through a GOV.UK confirmation page saying what will happen and to
whom; the move is made only by that page's form, and once however often it is sent.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from sqlmodel import select

from grants.db import db
from grants.proposals.models import Proposal
from grants.rounds.models import Round
from grants.workflow.models import StateHistory
from tests import factories
from tests.rounds_helpers import T0, counted_round, open_round, proposal, to_voting, vote, world

DURING_VOTING = T0 + timedelta(days=22)  # voting closes at T0 + 28 days

@pytest.fixture
def voting(app):
    with app.test_request_context("/", method="POST"):
        w = world(organisations=2, extra_members=3)
        open_round(w)
        ps = [proposal(w, 0, title="Walking club", amount=300_000), proposal(w, 1, title="Baby massage", amount=400_000)]
        to_voting(w, ps)
        for member in w["members"][:2]:
            vote(w, member, {ps[0].id: 1})
        return w

def _state(app, round_id) -> str:
    with app.app_context():
        return db.session.get(Round, round_id).state

def _once_form(page: str) -> dict:
    fields = dict(re.findall(r'<input[^>]*name="([a-z_]+)"[^>]*value="([^"]*)"', page))
    fields.update({name: value for value, name in re.findall(r'<input[^>]*value="([^"]*)"[^>]*name="([a-z_]+)"', page)})
    return fields

def test_close_voting_from_the_round_page_asks_first_and_changes_nothing(client, app, voting):
    rid = voting["round"].id
    with time_machine.travel(DURING_VOTING, tick=False):
        factories.login(client, voting["facilitator"])
        page = client.get(f"/c/west/rounds/{rid}").data.decode()
        # The round page links to the confirmation; no form on it closes voting at one click.
        assert f'href="/c/west/rounds/{rid}/confirm/close_voting"' in page
        assert 'value="close_voting"' not in page
        # An old page (or a script) posting the move straight is shown the confirmation instead.
        response = client.post(f"/c/west/rounds/{rid}/move", data={"transition": "close_voting"})
        assert response.status_code == 303
        assert response.headers["Location"].endswith(f"/c/west/rounds/{rid}/confirm/close_voting")
    assert _state(app, rid) == "voting"

def test_the_early_close_page_says_who_has_not_voted_and_when_voting_was_due_to_close(client, app, voting):
    rid = voting["round"].id
    with time_machine.travel(DURING_VOTING, tick=False):
        factories.login(client, voting["facilitator"])
        page = client.get(f"/c/west/rounds/{rid}/confirm/close_voting").data.decode()
    assert "Close voting early?" in page
    # 2 applicant-members and 3 members; 2 members voted
    assert "3 of 5 members have not voted." in page
    assert "Voting is due to close on 29 March 2027" in page
    assert "the count will run straight away" in page
    assert _state(app, rid) == "voting"

def test_confirming_closes_voting_once_however_often_it_is_sent(client, app, voting):
    rid = voting["round"].id
    with time_machine.travel(DURING_VOTING, tick=False):
        factories.login(client, voting["facilitator"])
        page = client.get(f"/c/west/rounds/{rid}/confirm/close_voting").data.decode()
        form = _once_form(page)
        assert form["transition"] == "close_voting" and form["confirmed"] == "yes" and len(form["once"]) == 32
        first = client.post(f"/c/west/rounds/{rid}/move", data=form)
        assert first.status_code == 302 and first.headers["Location"].endswith(f"/c/west/rounds/{rid}")
        second = client.post(f"/c/west/rounds/{rid}/move", data=form, follow_redirects=True)
        assert second.status_code == 200
    assert _state(app, rid) == "counting"
    with app.app_context():
        closes = db.session.exec(select(StateHistory).where(StateHistory.object_type == "round",
                                                            StateHistory.transition == "close_voting")).all()
        assert len(closes) == 1
    assert "already sent" in second.data.decode()

def test_cancelling_says_what_happens_to_the_proposals_and_needs_a_reason(client, app, voting):
    rid = voting["round"].id
    with time_machine.travel(DURING_VOTING, tick=False):
        factories.login(client, voting["facilitator"])
        page = client.get(f"/c/west/rounds/{rid}/confirm/cancel").data.decode()
        assert "Cancel the round?" in page
        assert "2 proposals in this round will be withdrawn" in page
        form = _once_form(page)
        refused = client.post(f"/c/west/rounds/{rid}/move", data={**form, "reason": ""}).data.decode()
        assert "Say why you are cancelling the round" in refused
        assert 'class="govuk-error-message"' in refused
        assert _state(app, rid) == "voting"
        client.post(f"/c/west/rounds/{rid}/move", data={**form, "reason": "The fund was withdrawn"})
    assert _state(app, rid) == "cancelled"
    with app.app_context():
        assert {p.state for p in db.session.exec(select(Proposal)).all()} == {"withdrawn"}

def test_close_proposals_is_confirmed_and_counts_the_drafts_left_behind(client, app):
    with app.test_request_context("/", method="POST"):
        w = world(organisations=2)
        open_round(w)
        proposal(w, 0, title="Walking club", amount=300_000)
        proposal(w, 1, title="Baby massage", amount=300_000, submit=False)
    rid = w["round"].id
    with time_machine.travel(T0 + timedelta(days=2), tick=False):
        factories.login(client, w["facilitator"])
        page = client.get(f"/c/west/rounds/{rid}/confirm/close_proposals").data.decode()
    assert "Close proposals early?" in page
    assert "Proposals are due to close on 15 March 2027" in page
    assert "1 proposal submitted will go to the eligibility check." in page
    assert "1 draft proposal is not submitted yet" in page
    assert _state(app, rid) == "open_for_proposals"

def test_issuing_awards_says_how_many_grants_and_who_is_emailed(client, app):
    w = counted_round(app, amounts=(300_000, 90_000))
    with app.test_request_context("/", method="POST"):
        from grants.review import operations as review_ops
        from grants.rounds import operations as round_ops

        round_ = db.session.get(Round, w["round"].id)
        round_ops.move_round(round_, "submit_for_review", w["facilitator"])
        review_ops.ratify(round_, db.session.merge(w["reviewer"]), "")
        db.session.commit()
    rid = w["round"].id
    factories.login(client, w["facilitator"])
    page = client.get(f"/c/west/rounds/{rid}/confirm/issue_awards").data.decode()
    assert "Issue the awards?" in page
    assert "2 grants totalling £3,900 will be offered." in page
    assert "emailed their offer (2 organisations)" in page
    assert "Organisation A: Project A" in page and "£3,000" in page and "Organisation B: Project B" in page
    assert _state(app, rid) == "ratified"
    client.post(f"/c/west/rounds/{rid}/move", data=_once_form(page))
    assert _state(app, rid) == "awarded"

def test_a_move_that_is_no_longer_possible_sends_the_facilitator_back_to_the_round(client, app, voting):
    rid = voting["round"].id
    factories.login(client, voting["facilitator"])
    response = client.get(f"/c/west/rounds/{rid}/confirm/issue_awards")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/c/west/rounds/{rid}")
    assert client.get(f"/c/west/rounds/{rid}/confirm/start_monitoring").status_code == 404

def test_only_facilitators_see_the_confirmation(client, app, voting):
    rid = voting["round"].id
    factories.login(client, voting["members"][0])
    assert client.get(f"/c/west/rounds/{rid}/confirm/close_voting").status_code == 403
