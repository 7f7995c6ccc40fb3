"""The public `.pb` file is the counted election, whatever happened to the proposals afterwards, and
it carries the ring-fenced pots, so anyone can re-run the count from the file alone (issue 13, item 1)."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
import time_machine
from click.testing import CliRunner
from sqlmodel import select

from grants.allocation import allocate_with_pots, read_pb
from grants.allocation.cli import pabulib
from grants.allocation.pots import pots_in
from grants.db import db
from grants.proposals.models import Proposal
from grants.rounds.models import CountOutcome, Round, latest_count
from grants.workflow.scheduler import run_jobs
from tests.rounds_helpers import award_round, open_round, proposal, to_voting, vote, world

POT = "Best start in life"


def _awarded_round(app, rule: str):
    with app.test_request_context("/", method="POST"):
        w = world(organisations=4, extra_members=5, allocation_rule=rule, pots={POT: 300_000})
        open_round(w)
        ps = [proposal(w, 0, title="Walking club", amount=300_000),
              proposal(w, 1, title="Baby massage", amount=200_000, theme=POT),
              proposal(w, 2, title="Diabetes cafe", amount=500_000),
              proposal(w, 3, title="Toddler group", amount=250_000, theme=POT)]
        to_voting(w, ps)
        ballots = [{ps[0].id: 1, ps[2].id: 1}, {ps[0].id: 1, ps[1].id: 1}, {ps[2].id: 1, ps[3].id: 1},
                   {ps[0].id: 1, ps[3].id: 1}, {ps[1].id: 1}]
        for member, marks in zip(w["members"], ballots):
            vote(w, member, marks)
    with app.app_context(), time_machine.travel(w["round"].voting_closes_at + timedelta(minutes=1), tick=False):
        run_jobs()
    with app.test_request_context("/", method="POST"):
        award_round(w)
    return w, ps


@pytest.mark.parametrize("rule", ["greedy_cost", "mes_cost_add1"])
def test_the_election_file_of_an_awarded_round_is_the_counted_election_with_its_pots(client, app, rule, tmp_path):
    w, ps = _awarded_round(app, rule)
    with app.app_context():
        round_ = db.session.get(Round, w["round"].id)
        assert round_.state == "awarded"
        count = latest_count(round_)
        outcomes = {str(o.proposal_id): o for o in db.session.exec(
            select(CountOutcome).where(CountOutcome.count_id == count.id)).all()}
        proposals = {str(p.id): p for p in db.session.exec(select(Proposal)).all()}
        # after the awards no proposal is "in the vote", "selected" or "not selected" any more
        assert not any(p.state in ("in_vote", "selected", "not_selected") for p in proposals.values()
                       if outcomes[str(p.id)].selected)
        counted_selected = {pid for pid, o in outcomes.items() if o.selected}
        pot_of = {pid: o.pot_theme_id for pid, o in outcomes.items()}

    response = client.get(f"/c/west/rounds/{w['round'].id}/election.pb")
    assert response.status_code == 200
    election = read_pb(response.data.decode())

    # the projects, their costs and the votes are those the count read
    assert {p.id: p.cost for p in election.projects} == {pid: proposals[pid].amount_requested for pid in outcomes}
    assert election.meta["num_projects"] == "4" and election.meta["num_votes"] == "5"
    assert election.budget == 1_000_000 and len(election.ballots) == 5
    support = {pid: 0 for pid in outcomes}
    for ballot in election.ballots:
        for pid in ballot.projects:
            support[pid] += 1
    assert support == {pid: o.support for pid, o in outcomes.items()}
    # what the count decided is in the file (pabulib's "selected" column)
    assert {p.id for p in election.projects if p.extra.get("selected") == "1"} == counted_selected

    # the ring-fenced pot: pabulib categories with a budget per category
    assert election.meta["categories"] == POT and election.meta["budget_per_category"] == "300000"
    in_pot = {p.id for p in election.projects if POT in p.categories}
    assert in_pot == {str(ps[1].id), str(ps[3].id)}
    pots = pots_in(election)
    assert [(p.name, p.budget, set(p.project_ids)) for p in pots] == [(POT, 300_000, in_pot)]

    # re-running the rule on the file alone reproduces the count
    again = allocate_with_pots(election, election.meta["rule"], pots)
    assert election.meta["rule"] == rule
    assert set(again.selected) == counted_selected
    for pid in counted_selected:
        funded_by_pot = again.pot_of(pid) == POT
        assert funded_by_pot == (pot_of[pid] is not None)

    # and so does the command line, from the downloaded file
    path = tmp_path / "round.pb"
    path.write_bytes(response.data)
    result = CliRunner().invoke(pabulib, ["allocate", str(path), "--rule", rule, "--pots", "--json"])
    assert result.exit_code == 0, result.output
    assert set(json.loads(result.output)[rule]["selected"]) == counted_selected


def test_a_file_without_pots_has_no_categories_and_reads_as_no_pots(client, app):
    from tests.rounds_helpers import counted_round

    w = counted_round(app)
    with app.test_request_context("/", method="POST"):
        award_round(w)
    election = read_pb(client.get(f"/c/west/rounds/{w['round'].id}/election.pb").data.decode())
    assert len(election.projects) == 3 and "budget_per_category" not in election.meta
    assert pots_in(election) == []


def test_pots_in_a_file_must_list_a_budget_for_each_category():
    text = ("META\nkey;value\nbudget;100\nvote_type;approval\ncategories;Youth,Elders\nbudget_per_category;40\n"
            "PROJECTS\nproject_id;cost;category\n1;30;Youth\n2;50;\nVOTES\nvoter_id;vote\n1;1,2\n")
    with pytest.raises(ValueError, match="2 categories but 1 budgets"):
        pots_in(read_pb(text))
    fixed = read_pb(text.replace("budget_per_category;40", "budget_per_category;40,10"))
    assert [(p.name, p.budget, p.project_ids) for p in pots_in(fixed)] == [("Youth", 40, ("1",)), ("Elders", 10, ())]
    with pytest.raises(ValueError, match="is not a number"):
        pots_in(read_pb(text.replace("budget_per_category;40", "budget_per_category;40,lots")))


def test_a_theme_with_a_comma_becomes_a_pabulib_category_without_one():
    from grants.rounds.count import pot_category

    assert pot_category("Diabetes, obesity and asthma") == "Diabetes obesity and asthma"
