"""Pages whose cost must not grow with the round, and property tests of ballots and counts."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import timedelta

import hypothesis.strategies as st
import time_machine
from hypothesis import HealthCheck, given, settings
from sqlalchemy import event
from sqlmodel import select

from grants.db import db
from grants.errors import Refused
from grants.rounds.models import CountOutcome, Pot, Round
from grants.voting.operations import MAX_SCORE, check_marks
from grants.workflow.scheduler import run_jobs
from tests import factories
from tests.rounds_helpers import T0, open_round, proposal, to_voting, vote, world


@contextmanager
def counting_queries(app):
    with app.app_context():
        engine = db.engine
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


def _round_of_size(app, size: int):
    with app.test_request_context("/", method="POST"):
        w = world(organisations=size, extra_members=size)
        open_round(w)
        ps = [proposal(w, n, title=f"Project {n}", amount=50_000 + 1_000 * n) for n in range(size)]
        to_voting(w, ps)
        for n, member in enumerate(w["members"]):
            vote(w, member, {ps[n].id: 1, ps[(n + 1) % size].id: 1})
        return w


def _queries_per_page(app, client, w, closed: bool) -> dict[str, int]:
    base = f"/c/west/rounds/{w['round'].id}"
    result = {}
    with time_machine.travel(T0 + timedelta(days=(30 if closed else 22))):
        factories.login(client, w["facilitator"])
        with counting_queries(app) as statements:
            assert client.get(base).status_code == 200
        result["dashboard"] = len(statements)
        client.post("/logout")
        factories.login(client, w["members"][0])
        with counting_queries(app) as statements:
            assert client.get(f"{base}/results" if closed else f"{base}/ballot").status_code == 200
        result["results" if closed else "ballot"] = len(statements)
    return result


def test_dashboard_ballot_and_results_cost_the_same_queries_at_any_size(app):
    figures = []
    for size in (3, 12):
        w = _round_of_size(app, size)
        client = app.test_client()
        open_figures = _queries_per_page(app, client, w, closed=False)
        with app.app_context(), time_machine.travel(w["round"].voting_closes_at + timedelta(minutes=1), tick=False):
            run_jobs()
        closed_figures = _queries_per_page(app, app.test_client(), w, closed=True)
        figures.append({**open_figures, **{f"{k}_closed": v for k, v in closed_figures.items()}})
        # empty the tables between sizes (the app_config fixture does it after the test)
        from tests.conftest import _empty_tables

        with app.app_context():
            _empty_tables(db.engine)
    small, large = figures
    assert small == large, figures
    assert all(v > 3 for v in small.values())   # the counter did see the pages


# -- properties ---------------------------------------------------------------------------------

def _round(method: str, limit: int | None = None, points: int | None = None) -> Round:
    return Round(voting_method=method, approval_limit=limit, cumulative_points=points)


@settings(max_examples=300, deadline=None)
@given(method=st.sampled_from(["approval", "approval_limited", "score", "cumulative"]),
       limit=st.integers(1, 4), points=st.integers(1, 20),
       marks=st.dictionaries(st.integers(1, 8), st.integers(-3, 12), max_size=8),
       own=st.sets(st.integers(1, 8), max_size=2))
def test_a_ballot_that_breaks_the_method_is_always_refused(method, limit, points, marks, own):
    round_ = _round(method, limit, points)
    in_vote = set(range(1, 7))
    try:
        accepted = check_marks(round_, marks, in_vote=in_vote, own=own)
    except Refused:
        return
    # whatever was accepted obeys every rule
    assert set(accepted) <= in_vote - own
    assert all(value > 0 for value in accepted.values())
    assert all(value >= 0 for value in marks.values())
    if method in ("approval", "approval_limited"):
        assert set(accepted.values()) <= {1}
        if method == "approval_limited":
            assert len(accepted) <= limit
    elif method == "score":
        assert max(accepted.values(), default=0) <= MAX_SCORE
    else:
        assert sum(accepted.values()) <= points


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                   HealthCheck.too_slow])
@given(amounts=st.lists(st.integers(50, 500), min_size=2, max_size=5),
       pot_share=st.integers(0, 60),
       rule=st.sampled_from(["greedy_cost", "mes_cost", "mes_cost_add1_greedy", "phragmen"]),
       ballots=st.lists(st.sets(st.integers(0, 4), max_size=4), min_size=1, max_size=4))
def test_a_count_never_spends_more_than_the_budget_or_a_pot(app_config, amounts, pot_share, rule, ballots):
    from grants import create_app
    from tests.conftest import _empty_tables

    app = create_app(app_config)
    try:
        with app.test_request_context("/", method="POST"):
            budget = 1_000_000
            pot = budget * pot_share // 100
            w = world(organisations=len(amounts), extra_members=len(ballots), allocation_rule=rule,
                      pots={"Best start in life": pot} if pot else {})
            open_round(w)
            ps = [proposal(w, n, title=f"P{n}", amount=amount * 1_000,
                           theme="Best start in life" if n % 2 else "Building trust")
                  for n, amount in enumerate(amounts)]
            to_voting(w, ps)
            for member, chosen in zip(w["members"], ballots):
                vote(w, member, {ps[i].id: 1 for i in chosen if i < len(ps)})
        with app.app_context(), time_machine.travel(w["round"].voting_closes_at + timedelta(minutes=1), tick=False):
            run_jobs()
            outcomes = db.session.exec(select(CountOutcome)).all()
            assert sum(o.amount for o in outcomes) <= budget
            pots = db.session.exec(select(Pot)).all()
            for p in pots:
                assert sum(o.amount for o in outcomes if o.pot_theme_id == p.theme_id) <= p.amount
            assert all(o.sentence for o in outcomes) and len(outcomes) == len(amounts)
    finally:
        with app.app_context():
            _empty_tables(db.engine)
        app.extensions["commonpot_db"].dispose()




# -- a real election's size ---------------------------------------------------------------------

def _generated_election(voters: int, projects: int = 6, seed: int = 15) -> str:
    """A pabulib approval election: ``voters`` voters, each approving 1 to 4 of ``projects``."""
    import random

    chance = random.Random(seed)
    lines = ["META", "key;value", f"num_projects;{projects}", f"num_votes;{voters}", "budget;900000",
             "vote_type;approval", "PROJECTS", "project_id;cost;name"]
    lines += [f"{n};{100_000 + 25_000 * n};Project {n}" for n in range(1, projects + 1)]
    lines += ["VOTES", "voter_id;vote"]
    lines += [f"v{n};{','.join(str(p) for p in sorted(chance.sample(range(1, projects + 1), chance.randint(1, 4))))}"
              for n in range(voters)]
    return "\n".join(lines) + "\n"


def _imported_round_pages(app, voters: int) -> dict[str, int]:
    """Import a generated election of ``voters`` ballots, count it, and count the queries of the
    round's dashboard (before and after the count) and its results page, as its facilitator."""
    from grants.rounds.imports import import_election
    from grants.workflow.operations import fire
    from tests.conftest import _empty_tables

    with app.test_request_context("/", method="POST"):
        w = world(allocation_rule="mes_cost")
        done = import_election(w["round"], _generated_election(voters).encode(), w["facilitator"])
        db.session.commit()
        assert done.ballots == voters
        round_id = w["round"].id
    base = f"/c/west/rounds/{round_id}"
    client = app.test_client()
    factories.login(client, w["facilitator"])
    figures = {}
    with counting_queries(app) as statements:
        assert client.get(base).status_code == 200
    figures["dashboard_draft"] = len(statements)
    with app.test_request_context("/", method="POST"):
        round_ = db.session.get(Round, round_id)
        for transition, days in (("open_proposals", 0), ("close_proposals", 14), ("open_voting", 21),
                                 ("close_voting", 29)):
            fire(round_, transition, w["facilitator"], now=T0 + timedelta(days=days))
        db.session.commit()
        assert round_.state == "counting"
    pages = {}
    for name, path in (("dashboard_counted", base), ("results", f"{base}/results")):
        with counting_queries(app) as statements:
            pages[name] = client.get(path)
            assert pages[name].status_code == 200
        figures[name] = len(statements)
    # the count read every imported ballot; a city's thousands are shown as such ("4,000")
    assert f"on {voters:,} ballots.".encode() in pages["results"].data
    # counted, the six proposals are selected or not, and were still the ones in the vote
    assert f"{voters:,} ballots cast on 6 proposals in the vote.".encode() in pages["dashboard_counted"].data
    with app.app_context():
        _empty_tables(db.engine)
    return figures


def test_an_imported_city_sized_election_costs_its_pages_no_more_queries(app):
    small, large = _imported_round_pages(app, 5), _imported_round_pages(app, 4_000)
    assert small == large, (small, large)
    assert all(v > 3 for v in small.values())   # the counter did see the pages
