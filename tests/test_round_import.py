"""A real election as a round (issue 15): a pabulib file imported into a draft round, counted,
and exported back as the same election."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import func, select

from grants.allocation import read_pb
from grants.audit.models import AuditEvent
from grants.db import db
from grants.organisations.models import Organisation
from grants.proposals.models import Proposal
from grants.rounds.imports import ImportRefused, import_election
from grants.rounds.models import Round, latest_count
from grants.voting.models import Ballot, BallotMark
from grants.workflow.operations import fire
from tests import factories
from tests.rounds_helpers import T0, open_round, world

INSTANCES = Path(__file__).resolve().parents[2] / "shared" / "pabulib" / "instances"
WARSZAWA = "Poland_Warszawa_2017_Plac_Wojska_Polskiego.pb"

# Line numbers, for the refusals: META 1-7, PROJECTS 8-12, VOTES 13-18.
SMALL = """META
key;value
description;A small real election
num_projects;3
num_votes;4
budget;600000
vote_type;approval
PROJECTS
project_id;cost;name;category
1;300000;Walking club;Building trust
2;200000;Baby massage;Best start in life
3;250000;Diabetes cafe;
VOTES
voter_id;vote
a;1,2
b;1
c;2,3
d;1,3
"""

SCORED = """META
key;value
budget;600000
vote_type;scoring
PROJECTS
project_id;cost;name
1;300000;Walking club
2;200000;Baby massage
3;250000;Diabetes cafe
VOTES
voter_id;vote;points
a;1,2;5,3
b;1;4
c;2,3;1,2
"""


def _rows() -> dict[str, int]:
    return {model.__name__: db.session.exec(select(func.count()).select_from(model)).one()
            for model in (Proposal, Ballot, BallotMark, Organisation, AuditEvent)}


def _refused(round_, text, actor) -> ImportRefused:
    before = _rows()
    with pytest.raises(ImportRefused) as refusal:
        import_election(round_, text.encode(), actor)
    assert _rows() == before, "a refused import saves nothing"
    return refusal.value


@pytest.mark.parametrize("change, line, words", [
    (("project_id;cost;name;category", "project_id;price;name;category"), 9, "no cost column"),
    (("d;1,3", "d;1,9"), 18, "'9'"),
    (("d;1,3", "a;1,3"), 18, "appears twice"),
    (("3;250000;", "3;0;"), 12, "costs 0"),
    (("3;250000;", "3;2500.5;"), 12, "not a whole number"),
    (("VOTES\nvoter_id;vote\n", "VOTES\nvoter_id;vote;weight\n"), None, None),  # a weight column is fine...
])
def test_a_bad_file_is_refused_with_its_line_and_nothing_saved(ctx, change, line, words):
    w = world()
    text = SMALL.replace(*change)
    assert text != SMALL
    if line is None:
        import_election(w["round"], text.encode(), w["facilitator"])
        return
    refusal = _refused(w["round"], text, w["facilitator"])
    assert refusal.line == line
    assert refusal.message.startswith(f"Line {line}: ")
    assert words in refusal.message


def test_a_voter_with_a_weight_is_refused_on_their_line(ctx):
    w = world()
    text = SMALL.replace("VOTES\nvoter_id;vote\n", "VOTES\nvoter_id;vote;weight\n").replace("b;1\n", "b;1;2\n")
    refusal = _refused(w["round"], text, w["facilitator"])
    assert refusal.line == 16 and "weight 2" in refusal.message


def test_approval_ballots_are_refused_in_a_score_round_on_the_vote_type_line(ctx):
    w = world(voting_method="score")
    refusal = _refused(w["round"], SMALL, w["facilitator"])
    assert refusal.line == 7
    assert "approval" in refusal.message and "score" in refusal.message


def test_scores_outside_the_rounds_range_are_refused(ctx):
    w = world(voting_method="score")
    refusal = _refused(w["round"], SCORED.replace("b;1;4", "b;1;7"), w["facilitator"])
    assert refusal.line == 13 and "0 to 5" in refusal.message


def test_more_approvals_than_the_round_allows_are_refused(ctx):
    w = world(voting_method="approval_limited", approval_limit=1)
    refusal = _refused(w["round"], SMALL, w["facilitator"])
    assert refusal.line == 15 and "at most 1" in refusal.message


def test_only_a_draft_round_without_proposals_takes_an_import(ctx):
    w = world()
    import_election(w["round"], SMALL.encode(), w["facilitator"])
    db.session.commit()
    again = _refused(w["round"], SMALL, w["facilitator"])
    assert "already has proposals" in again.message
    round_ = w["round"]
    fire(round_, "open_proposals", w["facilitator"], now=T0)
    db.session.commit()
    assert "not a draft" in _refused(round_, SMALL, w["facilitator"]).message


def test_a_round_that_is_open_is_refused(ctx):
    w = world()
    open_round(w)
    assert "not a draft" in _refused(w["round"], SMALL, w["facilitator"]).message


def test_only_a_facilitator_of_that_collective_may_import(ctx):
    w = world()
    elsewhere = factories.collective("east", "East Collective")
    stranger = factories.member(elsewhere, factories.person("Esi", "esi@example.org"), roles=("facilitator",))
    db.session.commit()
    assert "Only a facilitator" in _refused(w["round"], SMALL, stranger).message
    assert "Only a facilitator" in _refused(w["round"], SMALL, w["members"][0]).message
    assert "Only a facilitator" in _refused(w["round"], SMALL, w["reviewer"]).message


def _count(w, round_):
    """Move the round on as its facilitator would, and let closing the vote run the count."""
    facilitator = w["facilitator"]
    fire(round_, "open_proposals", facilitator, now=T0)
    fire(round_, "close_proposals", facilitator, now=T0 + timedelta(days=14))
    fire(round_, "open_voting", facilitator, now=T0 + timedelta(days=21))
    fire(round_, "close_voting", facilitator, now=T0 + timedelta(days=29))
    db.session.commit()
    assert round_.state == "counting" and latest_count(round_) is not None


def _election_file(client, w, round_):
    factories.login(client, w["facilitator"])
    response = client.get(f"/c/{w['collective'].slug}/rounds/{round_.id}/election.pb")
    assert response.status_code == 200
    return read_pb(response.data)


def _by_name(election):
    names = {p.id: p.name for p in election.projects}
    projects = sorted((p.name, p.cost) for p in election.projects)
    ballots = Counter(tuple(sorted(zip((names[p] for p in b.projects), b.points or [1] * len(b.projects))))
                      for b in election.ballots)
    return projects, ballots


def test_an_imported_election_is_counted_and_exported_as_the_same_election(app, client):
    with app.test_request_context("/", method="POST"):
        w = world(allocation_rule="greedy_cost")
        done = import_election(w["round"], SMALL.encode(), w["facilitator"], filename="small.pb")
        db.session.commit()
        assert (done.proposals, done.ballots, done.marks, done.vote_type) == (3, 4, 7, "approval")
        round_ = db.session.get(Round, w["round"].id)
        assert round_.budget == 600_000
        proposals = db.session.exec(select(Proposal).where(Proposal.round_id == round_.id)).all()
        assert {p.state for p in proposals} == {"in_vote"} and all(p.is_imported for p in proposals)
        themes = {p.title: p.theme_id for p in proposals}
        assert themes == {"Walking club": w["themes"]["Building trust"].id,
                          "Baby massage": w["themes"]["Best start in life"].id, "Diabetes cafe": None}
        ballots = db.session.exec(select(Ballot).where(Ballot.round_id == round_.id)).all()
        assert len(ballots) == 4 and all(b.is_imported and b.member_id is None for b in ballots)
        logged = db.session.exec(select(AuditEvent).where(AuditEvent.action == "round.election_imported")).all()
        assert len(logged) == 1 and "3 proposals" in logged[0].summary and "4 approval ballots" in logged[0].summary
        _count(w, round_)
    exported = _election_file(client, w, round_)
    original = read_pb(SMALL)
    assert exported.budget == original.budget and exported.kind == original.kind
    assert _by_name(exported) == _by_name(original)
    assert client.get(f"/c/{w['collective'].slug}/rounds/{round_.id}/results").status_code == 200


def test_a_scored_election_keeps_its_scores_through_the_round(app, client):
    with app.test_request_context("/", method="POST"):
        w = world(voting_method="score", allocation_rule="greedy_cost")
        import_election(w["round"], SCORED.encode(), w["facilitator"])
        db.session.commit()
        round_ = db.session.get(Round, w["round"].id)
        _count(w, round_)
    assert _by_name(_election_file(client, w, round_)) == _by_name(read_pb(SCORED))


def test_a_real_pabulib_election_goes_through_the_command_line_count_and_export(app, client, runner):
    source = INSTANCES / WARSZAWA
    with app.test_request_context("/", method="POST"):
        w = world(allocation_rule="greedy_cost")
        round_id = w["round"].id
    result = runner.invoke(args=["pabulib", "import-round", "--round", str(round_id), str(source)])
    assert result.exit_code == 0, result.output
    assert "4 proposals in the vote, 27 approval ballots" in result.output
    again = runner.invoke(args=["pabulib", "import-round", "--round", str(round_id), str(source)])
    assert again.exit_code == 1 and "already has proposals" in again.output and "Nothing was imported" in again.output
    with app.test_request_context("/", method="POST"):
        round_ = db.session.get(Round, round_id)
        _count(w, round_)
    original = read_pb(source)
    exported = _election_file(client, w, round_)
    assert exported.budget == original.budget
    assert _by_name(exported) == _by_name(original)


def test_the_command_line_says_which_line_is_wrong(app, runner, tmp_path):
    bad = tmp_path / "bad.pb"
    bad.write_text(SMALL.replace("d;1,3", "d;1,9"))
    with app.test_request_context("/", method="POST"):
        w = world()
        round_id = w["round"].id
    result = runner.invoke(args=["pabulib", "import-round", "--round", str(round_id), str(bad)])
    assert result.exit_code == 1 and "Line 18:" in result.output and "Nothing was imported" in result.output
    missing = runner.invoke(args=["pabulib", "import-round", "--round", "999999", str(bad)])
    assert missing.exit_code == 1 and "there is no round 999999" in missing.output
    with app.app_context():
        assert db.session.exec(select(func.count()).select_from(Proposal)).one() == 0


def test_a_real_cumulative_election_keeps_its_points_through_the_round(app, client):
    source = INSTANCES / "Poland_Czestochowa_2020_Grabowka.pb"
    with app.test_request_context("/", method="POST"):
        w = world(voting_method="cumulative", cumulative_points=10, allocation_rule="greedy_cost")
        done = import_election(w["round"], source.read_bytes(), w["facilitator"], filename=source.name)
        db.session.commit()
        assert (done.proposals, done.ballots, done.vote_type) == (8, 201, "cumulative")
        round_ = db.session.get(Round, w["round"].id)
        _count(w, round_)
    original = read_pb(source)
    exported = _election_file(client, w, round_)
    assert exported.budget == original.budget
    assert _by_name(exported) == _by_name(original)


def test_more_points_than_the_round_gives_are_refused_on_the_voters_line(ctx):
    source = INSTANCES / "Poland_Czestochowa_2020_Grabowka.pb"
    w = world(voting_method="cumulative", cumulative_points=5)
    text = source.read_text(encoding="utf-8-sig")
    refusal = _refused(w["round"], text, w["facilitator"])
    voter = refusal.message.split("Voter ")[1].split(" ")[0]
    line = text.splitlines()[refusal.line - 1]
    assert line.split(";")[0] == voter and "gives each voter 5" in refusal.message


def _upload(client, w, text, name="election.pb"):
    import io

    return client.post(f"/c/{w['collective'].slug}/rounds/{w['round'].id}/import",
                       data={"file": (io.BytesIO(text.encode()), name), "submit": "Import the election"},
                       content_type="multipart/form-data", follow_redirects=True)


def test_a_facilitator_imports_from_the_draft_rounds_page(app, client):
    with app.test_request_context("/", method="POST"):
        w = world()
    factories.login(client, w["facilitator"])
    page = client.get(f"/c/{w['collective'].slug}/rounds/{w['round'].id}")
    assert b"Import a real election from a pabulib file" in page.data
    refused = _upload(client, w, SMALL.replace("3;250000;", "3;0;"))
    assert refused.status_code == 200 and "Line 12: Project 3 costs 0" in refused.get_data(as_text=True)
    with app.app_context():
        assert db.session.exec(select(func.count()).select_from(Proposal)).one() == 0
    done = _upload(client, w, SMALL)
    assert "3 proposals and 4 ballots imported" in done.get_data(as_text=True)
    assert b"Import a real election from a pabulib file" not in done.data  # the round has proposals now


def test_the_import_page_is_for_the_collectives_facilitators_only(app, client):
    with app.test_request_context("/", method="POST"):
        w = world()
        elsewhere = factories.collective("east", "East Collective")
        stranger = factories.member(elsewhere, factories.person("Esi", "esi@example.org"), roles=("facilitator",))
        db.session.commit()
    for who in (w["members"][0], w["reviewer"], stranger):
        factories.login(client, who)
        assert _upload(client, w, SMALL).status_code in (403, 404)
        client.post("/logout")
    page = client.get(f"/c/{w['collective'].slug}/rounds/{w['round'].id}")
    with app.app_context():
        assert db.session.exec(select(func.count()).select_from(Proposal)).one() == 0
    assert page.status_code in (302, 403, 404)


def test_a_refusal_on_the_page_is_in_the_readers_language(app, client):
    with app.test_request_context("/", method="POST"):
        w = world()
        w["facilitator"].preferred_language = "ur"
        db.session.add(w["facilitator"])
        db.session.commit()
    factories.login(client, w["facilitator"])
    page = _upload(client, w, SMALL.replace("3;250000;", "3;0;"), name="e.pb").get_data(as_text=True)
    assert "لائن 12:" in page and "منصوبہ 3 کی لاگت 0 ہے" in page


def test_a_settings_form_loaded_before_the_import_cannot_put_the_old_budget_back(ctx):
    from grants.rounds import operations as round_ops
    from grants.versions import Stale
    from tests.rounds_helpers import round_values

    w = world()
    loaded_at = w["round"].version
    import_election(w["round"], SMALL.encode(), w["facilitator"])
    db.session.commit()
    with pytest.raises(Stale):
        round_ops.update_round(w["round"], round_values(), theme_ids=[t.id for t in w["themes"].values()],
                               pot_amounts={}, actor=w["facilitator"], version=loaded_at)
