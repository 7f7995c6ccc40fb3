"""Rounds end to end: set-up, proposals, eligibility, voting, the count and the results."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
import time_machine
from sqlmodel import func, select

from grants.allocation import read_pb
from grants.audit.models import AuditEvent
from grants.db import db
from grants.errors import Refused
from grants.proposals import operations as proposal_ops
from grants.proposals.models import Proposal
from grants.rounds import operations as round_ops
from grants.rounds.models import Count, CountOutcome, Round
from grants.voting import operations as voting_ops
from grants.voting.models import Ballot, BallotMark
from grants.workflow.operations import fire
from grants.workflow.scheduler import run_jobs
from tests import factories
from tests.mailserver import body
from tests.rounds_helpers import T0, open_round, proposal, round_values, to_voting, vote, world
from workflows import GuardFailed


def _reload(model, row):
    db.session.expire_all()
    return db.session.get(model, row.id)


# -- set-up -----------------------------------------------------------------------------------

@pytest.mark.parametrize("changes, field, message", [
    ({"min_grant": 600_000}, "min_grant", "minimum grant must not be more than the maximum"),
    ({"max_grant": 2_000_000}, "max_grant", "maximum grant must not be more than the budget"),
    ({"proposals_close_at": T0 - timedelta(days=1)}, "proposals_close_at", "Proposals close must be after proposals open"),
    ({"voting_closes_at": T0 + timedelta(days=20)}, "voting_closes_at", "Voting closes must be after voting opens"),
    ({"voting_method": "approval_limited"}, "approval_limit", "how many proposals each member may approve"),
    ({"voting_method": "cumulative"}, "cumulative_points", "how many points"),
    ({"voting_method": "score", "allocation_rule": "phragmen"}, "allocation_rule", "cannot count score ballots"),
    ({"allocation_rule": "lottery"}, "allocation_rule", "Choose an allocation rule"),
])
def test_inconsistent_settings_are_refused_beside_the_field(app, ctx, changes, field, message):
    with pytest.raises(Refused) as caught:
        round_ops.check_settings(round_values(**changes), [1], {})
    assert caught.value.field == field
    assert message in caught.value.message


def test_pots_cannot_exceed_the_budget_nor_fund_other_themes(app, ctx):
    with pytest.raises(Refused, match="more than the budget"):
        round_ops.check_settings(round_values(), [1, 2], {1: 600_000, 2: 500_000})
    with pytest.raises(Refused, match="only be for a theme the round funds"):
        round_ops.check_settings(round_values(), [1], {2: 100_000})


def test_facilitator_sets_up_a_round_through_the_form(client, app):
    with app.app_context():
        collective = factories.collective("west")
        facilitator = factories.member(collective, roles=("facilitator",))
        from grants.collectives.models import Theme

        themes = db.session.exec(select(Theme)).all()
        db.session.commit()
    factories.login(client, facilitator)
    form = {"name": "Spring round", "variant": "standard", "budget": "10,000", "min_grant": "500", "max_grant": "5000",
            "theme_ids": [str(t.id) for t in themes], f"pot_{themes[0].id}": "3000", "voting_method": "approval",
            "allocation_rule": "mes_cost_add1_greedy", "proposals_open_at": "2027-03-01T09:00",
            "proposals_close_at": "2027-03-15T17:00", "voting_opens_at": "2027-03-22T09:00",
            "voting_closes_at": "2027-03-29T17:00", "review_due_at": "2027-04-05T17:00", "reminder_hours": "48",
            "small_grant_limit": "1000", "medium_grant_limit": "5000", "ratifications_needed": "1"}
    bad = client.post("/c/west/rounds/new", data={**form, "voting_closes_at": "2027-03-20T17:00", "budget": "ten"})
    page = bad.data.decode()
    assert "Enter an amount in pounds" in page
    assert 'value="Spring round"' in page
    response = client.post("/c/west/rounds/new", data=form)
    assert response.status_code == 302, response.data
    with app.app_context():
        round_ = db.session.exec(select(Round)).one()
        assert (round_.budget, round_.min_grant, round_.general_pot) == (1_000_000, 50_000, 700_000)
        assert round_.voting_closes_at.hour == 16   # 17:00 in London on 29 March 2027 is BST: 16:00 UTC
        assert round_.proposals_close_at.hour == 17  # 15 March is still GMT
        assert round_.state == "draft"


# -- proposals --------------------------------------------------------------------------------

def test_a_draft_saves_incomplete_and_submitting_explains_what_is_missing(app, ctx):
    w = world()
    open_round(w)
    applicant = w["applicants"][0]
    draft = proposal_ops.start_proposal(w["round"], applicant)
    assert draft.communities_served == ["asian_pakistani"]        # from the organisation
    proposal_ops.save_proposal(draft, {"title": "Walking club", "summary": "", "amount_requested": 100_000,
                                       "theme_id": None, "communities_served": [], "outcome_ids": [],
                                       "people_reached": 0}, [("Leaflets", 40_000)], applicant)
    db.session.commit()
    with pytest.raises(GuardFailed) as caught:
        proposal_ops.submit_proposal(draft, applicant)
    assert "summary, theme and communities served" in caught.value.reason
    assert "The budget lines add up to £400, but you asked for £1,000" in caught.value.reason
    db.session.rollback()


def test_the_amount_must_be_within_the_rounds_limits(app, ctx):
    w = world()
    open_round(w)
    draft = proposal_ops.start_proposal(w["round"], w["applicants"][0])
    with pytest.raises(Refused) as caught:
        proposal_ops.save_proposal(draft, {"title": "Big", "summary": "x", "amount_requested": 900_000,
                                           "theme_id": None, "communities_served": [], "outcome_ids": [],
                                           "people_reached": 0}, [], w["applicants"][0])
    assert caught.value.field == "amount_requested"
    assert "between £500 and £5,000" in caught.value.message


def test_applicant_drafts_fixes_an_error_and_submits_through_the_page(client, app, mail_server):
    with app.app_context():
        w = world()
        open_round(w)
        applicant, theme = w["applicants"][0], w["themes"]["Building trust"]
        round_id = w["round"].id
    factories.login(client, applicant)
    response = client.post(f"/c/west/rounds/{round_id}/proposals/new")
    edit_url = response.headers["Location"]
    data = {"title": "Walking club", "summary": "Weekly walks for new mums.", "amount_requested": "1,200",
            "theme_id": str(theme.id), "communities_served": ["asian_pakistani", "black_african"],
            "people_reached": "40", "budget_lines-0-description": "Walk leader", "budget_lines-0-amount": "700",
            "budget_lines-1-description": "Refreshments", "budget_lines-1-amount": "400", "check_answers": "y"}
    page = client.post(edit_url, data=data).data.decode()
    assert "The budget lines add up to £1,100, but you asked for £1,200" in page
    assert 'value="Walking club"' in page
    response = client.post(edit_url, data={**data, "budget_lines-1-amount": "500"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/check")
    response = client.post(edit_url.replace("/edit", "/submit"))
    assert response.status_code == 302
    assert "We have your proposal" in mail_server.wait_for(1)[-1]["Subject"]
    with app.app_context():
        stored = db.session.exec(select(Proposal)).one()
        assert (stored.state, stored.amount_requested, stored.budget_lines_total) == ("submitted", 120_000, 120_000)
    # a submitted proposal cannot be edited without reopening it
    saved = {key: value for key, value in data.items() if key != "check_answers"}
    assert b"Only a draft can be changed" in client.post(edit_url, data={**saved, "save": "y"}).data


def test_eligibility_needs_a_reason_to_refuse_and_the_applicant_is_told(app, ctx, mail_server):
    w = world()
    open_round(w)
    p = proposal(w, 0, title="Walking club", amount=100_000)
    fire(w["round"], "close_proposals", w["facilitator"], now=T0 + timedelta(days=14))
    with pytest.raises(GuardFailed, match="Say why"):
        proposal_ops.decide_eligibility(p, eligible=False, reason="", actor=w["facilitator"])
    db.session.rollback()
    p = _reload(Proposal, p)
    proposal_ops.decide_eligibility(p, eligible=False, reason="Outside the collective's area", actor=w["facilitator"])
    db.session.commit()
    assert _reload(Proposal, p).decision_reason == "Outside the collective's area"
    message = mail_server.wait_for(2)[-1]
    assert "Outside the collective's area" in body(message)


def test_light_touch_rounds_put_submitted_proposals_straight_to_the_vote(app, ctx):
    w = world(variant="light")
    open_round(w)
    submitted = proposal(w, 0, title="A", amount=100_000)
    draft = proposal(w, 1, title="B", amount=100_000, submit=False)
    fire(w["round"], "open_voting", w["facilitator"], now=T0 + timedelta(days=21))
    db.session.commit()
    assert _reload(Proposal, submitted).state == "in_vote"
    assert _reload(Proposal, draft).state == "draft"


def test_cancelling_withdraws_every_proposal_with_the_reason(app, ctx):
    w = world()
    open_round(w)
    p = proposal(w, 0, title="A", amount=100_000)
    round_ops.move_round(w["round"], "cancel", w["facilitator"], reason="The fund was withdrawn")
    db.session.commit()
    p = _reload(Proposal, p)
    assert p.state == "withdrawn"
    from grants.workflow.operations import history

    assert "The round was cancelled: The fund was withdrawn" in history(p)[-1].reason


# -- voting -----------------------------------------------------------------------------------

@pytest.fixture
def voting_world(app):
    with app.test_request_context("/", method="POST"):
        w = world(organisations=3, extra_members=2)
        open_round(w)
        ps = [proposal(w, 0, title="Walking club", amount=300_000),
              proposal(w, 1, title="Baby massage", amount=400_000, theme="Best start in life"),
              proposal(w, 2, title="Diabetes cafe", amount=500_000)]
        to_voting(w, ps)
        return w, ps


def test_one_ballot_per_member_replaced_not_duplicated(app, voting_world):
    w, ps = voting_world
    with app.test_request_context("/", method="POST"):
        member = w["members"][0]
        vote(w, member, {ps[0].id: 1, ps[1].id: 1})
        vote(w, member, {ps[2].id: 1})
        assert db.session.exec(select(func.count()).select_from(Ballot)).one() == 1
        marks = db.session.exec(select(BallotMark.proposal_id)).all()
        assert marks == [ps[2].id]


def _ballot_request(app, w):
    """A request context for the ballot page's POST: on SQLite it reads without the write lock."""
    return app.test_request_context(f"/c/{w['collective'].slug}/rounds/{w['round'].id}/ballot", method="POST")


def test_a_vote_that_closes_while_a_ballot_is_being_cast_refuses_it(app, voting_world):
    """The round is read as voting, then the vote closes (another transaction commits): the
    ballot is refused and nothing is saved, because the state is read again under a lock."""
    w, ps = voting_world
    with _ballot_request(app, w):
        round_ = db.session.get(Round, w["round"].id)
        member = db.session.get(type(w["members"][0]), w["members"][0].id)
        assert round_.state == "voting"
        with db.engine.begin() as other:          # the scheduler closing the vote, elsewhere
            other.execute(sa.update(Round).where(Round.id == round_.id).values(state="counting"))
        with pytest.raises(Refused, match="closed"):
            voting_ops.cast_ballot(round_, member, {ps[1].id: 1}, actor=member, now=T0 + timedelta(days=22))
        db.session.rollback()
        assert db.session.exec(select(func.count()).select_from(Ballot)).one() == 0


def test_the_ballot_page_reads_first_and_takes_sqlites_write_lock_to_write(app, voting_world):
    from grants.db import _read_only_request

    w, ps = voting_world
    with _ballot_request(app, w):
        assert _read_only_request()                       # reads: no write lock yet
        member = db.session.get(type(w["members"][0]), w["members"][0].id)
        voting_ops.cast_ballot(db.session.get(Round, w["round"].id), member, {ps[1].id: 1}, actor=member,
                               now=T0 + timedelta(days=22))
        assert not _read_only_request()                   # the writes began with BEGIN IMMEDIATE
        assert db.begin_write() is False                  # once per request
        db.session.commit()
        assert db.session.exec(select(Ballot.member_id)).all() == [member.id]
    with _ballot_request(app, w):
        db.session.add(AuditEvent(actor_label="x", action="x", object_type="x", summary="x"))
        with pytest.raises(RuntimeError, match="before the request's first change"):
            db.begin_write()
        db.session.rollback()


@pytest.mark.parametrize("tamper, message", [
    ("own", "your organisation's proposal"),
    ("foreign_round", "not in this round's vote"),
    ("not_in_vote", "not in this round's vote"),
    ("too_many", "at most 2"),
])
def test_tampered_ballots_are_refused_and_nothing_is_saved(app, voting_world, tamper, message):
    w, ps = voting_world
    with app.test_request_context("/", method="POST"):
        round_ = w["round"]
        applicant = w["applicants"][0]
        marks = {ps[0].id: 1}                       # applicant A's own organisation's proposal
        if tamper == "foreign_round":
            other = factories.collective("other")
            marks = {999_999: 1}
        elif tamper == "not_in_vote":
            marks = {ps[1].id + 100: 1}
        elif tamper == "too_many":
            round_.voting_method, round_.approval_limit = "approval_limited", 2
            db.session.add(round_)
            db.session.commit()
            applicant = w["members"][0]
            marks = {p.id: 1 for p in ps}
        with pytest.raises(Refused, match=message):
            voting_ops.cast_ballot(round_, applicant, marks, actor=applicant, now=T0 + timedelta(days=22))
        db.session.rollback()
        assert db.session.exec(select(Ballot)).all() == []
        if tamper == "foreign_round":
            assert other.id


@pytest.mark.parametrize("method, marks, message", [
    ("score", {0: 7}, "Scores go from 0 to 5"),
    ("score", {0: -1}, "cannot be negative"),
    ("cumulative", {0: 6, 1: 5}, "You have 10 points to spread; you used 11"),
    ("cumulative", {0: -3}, "cannot be negative"),
    ("approval", {0: 2}, "An approval is a tick"),
])
def test_method_rules_are_enforced_on_the_server(app, voting_world, method, marks, message):
    w, ps = voting_world
    with app.test_request_context("/", method="POST"):
        round_ = w["round"]
        round_.voting_method, round_.cumulative_points = method, 10
        db.session.add(round_)
        db.session.commit()
        member = w["members"][0]
        with pytest.raises(Refused, match=message):
            voting_ops.cast_ballot(round_, member, {ps[i].id: v for i, v in marks.items()}, actor=member,
                                   now=T0 + timedelta(days=22))
        db.session.rollback()
        assert db.session.exec(select(Ballot)).all() == []


def test_a_stale_ballot_after_voting_closes_is_refused(app, voting_world):
    w, ps = voting_world
    with app.test_request_context("/", method="POST"):
        member = w["members"][0]
        with pytest.raises(Refused, match="is closed"):
            voting_ops.cast_ballot(w["round"], member, {ps[1].id: 1}, actor=member,
                                   now=w["round"].voting_closes_at + timedelta(seconds=1))
        db.session.rollback()
        assert db.session.exec(select(Ballot)).all() == []


def test_the_ballot_page_shows_own_proposals_but_refuses_them_on_the_server(client, app, voting_world):
    w, ps = voting_world
    with time_machine.travel(T0 + timedelta(days=22)):
        factories.login(client, w["applicants"][0])   # inside: a session cookie signed months earlier would be stale
        page = client.get(f"/c/west/rounds/{w['round'].id}/ballot").data.decode()
        assert "Your organisation's proposal — you can't vote on it." in page
        assert f'value="{ps[0].id}"' not in page                      # no checkbox for it
        assert f'value="{ps[1].id}"' in page
        page = client.post(f"/c/west/rounds/{w['round'].id}/ballot", data={"approve": [str(ps[0].id)]}).data.decode()
        assert "you can't vote on it" in page
        response = client.post(f"/c/west/rounds/{w['round'].id}/ballot", data={"approve": [str(ps[1].id)]})
        assert response.status_code == 302
        page = client.get(f"/c/west/rounds/{w['round'].id}/ballot").data.decode()
        assert "Your ballot was last saved on" in page
    with app.app_context():
        assert db.session.exec(select(func.count()).select_from(Ballot)).one() == 1


def test_a_paper_ballot_replaces_an_online_one_with_a_warning(client, app, voting_world):
    w, ps = voting_world
    member = w["members"][0]
    with app.test_request_context("/", method="POST"):
        vote(w, member, {ps[0].id: 1})
    with time_machine.travel(T0 + timedelta(days=23)):
        factories.login(client, w["facilitator"])
        with app.app_context():
            online_at = db.session.exec(select(Ballot.updated_at)).one().isoformat()
        # Replacing the online ballot is confirmed on the page first (tests/test_voting_journeys.py).
        response = client.post(f"/c/west/rounds/{w['round'].id}/paper-ballot",
                               data={"member_id": str(member.id), "approve": [str(ps[2].id)], "replace_online": "y",
                                     "replacing": online_at}, follow_redirects=True)
    page = response.data.decode()
    assert "Paper ballot saved for Member 0" in page
    assert "replaced Member 0&#39;s online ballot" in page
    assert "Voted on paper" in page
    with app.app_context():
        ballot = db.session.exec(select(Ballot)).one()
        assert ballot.is_paper and ballot.entered_by_id == w["facilitator"].id
        assert db.session.exec(select(BallotMark.proposal_id)).all() == [ps[2].id]
        summaries = db.session.exec(select(AuditEvent.summary).where(AuditEvent.action == "ballot.paper_entered")).all()
        assert summaries == ["Paper ballot entered for Member 0, replacing their online ballot"]


def test_turnout_shows_who_voted_never_how(client, app, voting_world):
    w, ps = voting_world
    with app.test_request_context("/", method="POST"):
        vote(w, w["members"][0], {ps[0].id: 1})
    factories.login(client, w["facilitator"])
    page = client.get(f"/c/west/rounds/{w['round'].id}/turnout").data.decode()
    assert "1 of 5 members have voted" in page
    assert "Voted online" in page and "Not yet" in page
    assert "Walking club" not in page


def test_reminders_go_once_to_members_who_have_not_voted(app, voting_world, mail_server):
    w, ps = voting_world
    with app.test_request_context("/", method="POST"):
        vote(w, w["members"][0], {ps[0].id: 1})
        w["members"][1].wants_reminders = False
        db.session.add(w["members"][1])
        db.session.commit()
    mail_server.messages.clear()
    closes = w["round"].voting_closes_at
    with app.app_context():
        assert voting_ops.send_voting_reminders(closes - timedelta(hours=49)) == 0      # too early
        assert voting_ops.send_voting_reminders(closes - timedelta(hours=47)) == 3      # the three applicants
        assert voting_ops.send_voting_reminders(closes - timedelta(hours=46)) == 0      # never twice
    received = mail_server.wait_for(3)
    assert sorted(m["To"] for m in received) == ["app0@example.org", "app1@example.org", "app2@example.org"]
    assert "/ballot" in body(received[0])


# -- the count and the results -----------------------------------------------------------------

def _close_and_count(app, w):
    with app.app_context(), time_machine.travel(w["round"].voting_closes_at + timedelta(minutes=1), tick=False):
        done = run_jobs()
    assert done["transitions"] >= 1


def test_voting_closes_on_time_and_the_count_explains_every_outcome(client, app, voting_world):
    w, ps = voting_world
    with app.test_request_context("/", method="POST"):
        vote(w, w["members"][0], {ps[0].id: 1, ps[1].id: 1})
        vote(w, w["members"][1], {ps[0].id: 1, ps[2].id: 1})
        vote(w, w["applicants"][1], {ps[0].id: 1, ps[2].id: 1})
        vote(w, w["applicants"][2], {ps[1].id: 1})
    _close_and_count(app, w)
    with app.app_context():
        assert _reload(Round, w["round"]).state == "counting"
        states = {p.title: _reload(Proposal, p).state for p in ps}
        # budget £10,000: Walking club (3 votes, £3,000) then Baby massage / Diabetes cafe (2 each, £4,000 / £5,000)
        assert states == {"Walking club": "selected", "Baby massage": "selected", "Diabetes cafe": "not_selected"}
        outcomes = {o.proposal_id: o for o in db.session.exec(select(CountOutcome)).all()}
        assert outcomes[ps[0].id].support == 3
        assert "did not fit" in outcomes[ps[2].id].sentence or "£3,000" in outcomes[ps[2].id].sentence
    factories.login(client, w["members"][0])
    page = client.get(f"/c/west/rounds/{w['round'].id}/results").data.decode()
    assert "2 of 3 proposals funded" in page
    assert outcomes[ps[2].id].sentence.replace("'", "&#39;") in page
    assert 'class="cp-chart" src="data:image/svg+xml' in page and 'alt="Support for each proposal' in page
    pb = client.get(f"/c/west/rounds/{w['round'].id}/election.pb")
    election = read_pb(pb.data.decode())
    assert election.budget == 1_000_000 and len(election.ballots) == 4


def test_ring_fenced_pots_are_counted_first_and_never_overspent(app):
    with app.test_request_context("/", method="POST"):
        w = world(organisations=3, extra_members=2, pots={"Best start in life": 300_000})
        open_round(w)
        ps = [proposal(w, 0, title="Walking club", amount=500_000),
              proposal(w, 1, title="Baby massage", amount=300_000, theme="Best start in life"),
              proposal(w, 2, title="Diabetes cafe", amount=500_000)]
        to_voting(w, ps)
        for member in w["members"]:
            vote(w, member, {ps[0].id: 1, ps[2].id: 1})
    _close_and_count(app, w)
    with app.app_context():
        outcomes = {o.proposal_id: o for o in db.session.exec(select(CountOutcome)).all()}
        # the pot funds Baby massage even with no votes for anything else in it; the general pot (£7,000)
        # then takes one of the two £5,000 projects
        assert outcomes[ps[1].id].selected and outcomes[ps[1].id].pot_theme_id == w["themes"]["Best start in life"].id
        assert sum(o.amount for o in outcomes.values()) <= 1_000_000
        assert sum(o.selected for o in outcomes.values()) == 2


def test_the_count_can_be_rerun_while_counting_and_is_audited(client, app, voting_world):
    w, ps = voting_world
    with app.test_request_context("/", method="POST"):
        vote(w, w["members"][0], {ps[0].id: 1})
    _close_and_count(app, w)
    factories.login(client, w["facilitator"])
    response = client.post(f"/c/west/rounds/{w['round'].id}/count")
    assert response.status_code == 302
    with app.app_context():
        counts = db.session.exec(select(Count).order_by(Count.id)).all()
        assert [c.current for c in counts] == [False, True]
        assert len(db.session.exec(select(AuditEvent).where(AuditEvent.action == "round.counted")).all()) == 2
        round_ = _reload(Round, w["round"])
        round_ops.move_round(round_, "submit_for_review", w["facilitator"])
        db.session.commit()
    response = client.post(f"/c/west/rounds/{w['round'].id}/count", follow_redirects=True)
    assert b"can only be re-run before the allocation goes to the partnership" in response.data


def test_results_are_not_public_until_ratified(client, app, voting_world):
    w, ps = voting_world
    _close_and_count(app, w)
    response = client.get(f"/c/west/rounds/{w['round'].id}/results")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    outsider = None
    with app.app_context():
        outsider = factories.person()
        db.session.commit()
    factories.login(client, outsider)
    assert client.get(f"/c/west/rounds/{w['round'].id}/results").status_code == 403
    assert client.get(f"/c/west/rounds/{w['round'].id}/election.pb").status_code == 403


def test_extending_a_deadline_is_audited_and_only_later(client, app, voting_world):
    w, ps = voting_world
    url = f"/c/west/rounds/{w['round'].id}/deadlines"
    with time_machine.travel(T0 + timedelta(days=22)):
        factories.login(client, w["facilitator"])
        page = client.post(url, data={"field": "voting_closes_at", "new_value": "2027-03-20T17:00"}).data.decode()
        assert "The new date must be later than the current one" in page
        response = client.post(url, data={"field": "voting_closes_at", "new_value": "2027-04-01T17:00"})
        assert response.status_code == 302
        page = client.post(url, data={"field": "voting_closes_at", "new_value": "2027-04-20T17:00"}).data.decode()
        assert "cannot be after review due" in page
    with app.app_context():
        assert _reload(Round, w["round"]).voting_closes_at.day == 1
        assert db.session.exec(select(AuditEvent).where(AuditEvent.action == "round.deadline_extended")).one()
