"""Property tests on random small elections.

The rules are compared with deliberately naive implementations written here straight from
pabutools' definitions (per-voter Fractions, no merging, no lower bounds, the add-one loop one
increment at a time), so the fast engine's shortcuts (merged ballots, budget classes, integer
scaling, certified jumps over add-one increments) are checked against the plain definition.
Small costs, few voters and ids like "10"/"9" make exact ties common.
"""

from __future__ import annotations

import json
import math
import random
from fractions import Fraction

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from grants.allocation import (
    REASONS,
    RULES,
    Ballot,
    BallotKind,
    Election,
    Project,
    RuleNotApplicable,
    allocate_with_pots,
    run_rule,
)

SETTINGS = settings(max_examples=120, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.too_slow])

ID_POOL = ["1", "2", "3", "9", "10", "11", "a", "b", "b2", "b10"]


def money(limit: int):
    whole = st.integers(0, limit)
    halves = st.integers(0, 2 * limit).map(lambda n: Fraction(n, 2))
    return st.one_of(whole, whole, whole, halves)


@st.composite
def elections(draw, kinds=tuple(BallotKind), max_projects=6, max_voters=8, max_cost=20,
              max_budget=60, weights=True):
    kind = draw(st.sampled_from(kinds))
    n = draw(st.integers(1, max_projects))
    ids = draw(st.lists(st.sampled_from(ID_POOL), min_size=n, max_size=n, unique=True))
    projects = [Project(pid, draw(money(max_cost))) for pid in ids]
    budget = draw(money(max_budget))
    ballots = []
    for v in range(draw(st.integers(0, max_voters))):
        chosen = draw(st.lists(st.sampled_from(ids), unique=True, max_size=n))
        points = None
        if kind.has_points:
            points = tuple(draw(st.lists(st.integers(0, 4), min_size=len(chosen), max_size=len(chosen))))
        weight = draw(st.sampled_from([1, 1, 1, 2, 3, Fraction(1, 2)])) if weights else 1
        ballots.append(Ballot(f"v{v}", tuple(chosen), points, weight))
    return Election(budget, tuple(projects), tuple(ballots), kind)


# -- naive reference implementations ------------------------------------------------------


def _sat(election: Election, ballot: Ballot, project: Project, utility: str) -> Fraction:
    if project.id not in ballot.projects:
        return Fraction(0)
    if utility == "cost":
        return Fraction(project.cost)  # pabutools Cost_Sat: cost if listed (0 for a free project)
    if utility == "cardinality":
        return Fraction(1)
    return Fraction(ballot.score(project.id))


def naive_greedy(election: Election, utility: str, already: tuple[str, ...] = ()) -> list[str]:
    def density(p: Project):
        total = sum(b.weight * _sat(election, b, p, utility) for b in election.ballots)
        if total > 0:
            return (0, 0) if p.cost == 0 else (1, -Fraction(total) / p.cost)
        return (1, 0)

    left = election.budget - sum(election.project(pid).cost for pid in already)
    chosen = list(already)
    for p in sorted((p for p in election.projects if p.id not in already),
                    key=lambda p: (density(p), p.id)):
        if p.cost <= left:
            chosen.append(p.id)
            left -= p.cost
    return chosen


def naive_mes(election: Election, utility: str, share: Fraction) -> list[str]:
    voters = [(b.weight, {p.id: _sat(election, b, p, utility) for p in election.projects}, b)
              for b in election.ballots]
    if not voters:
        return []
    budget = [Fraction(share)] * len(voters)
    supported = [p for p in election.projects if sum(w * s[p.id] for w, s, _b in voters) > 0]
    chosen = sorted(p.id for p in supported if p.cost == 0)
    remaining = [p for p in supported if p.cost > 0]
    while True:
        best = best_rho = None
        for p in sorted(remaining, key=lambda p: p.id):
            backers = [i for i, (_w, s, _b) in enumerate(voters) if s[p.id] > 0]
            if sum(voters[i][0] * budget[i] for i in backers) < p.cost:
                remaining.remove(p)
                continue
            backers.sort(key=lambda i: budget[i] / voters[i][1][p.id])
            paid, denominator = Fraction(0), sum(voters[i][0] * voters[i][1][p.id] for i in backers)
            for i in backers:
                rho = (p.cost - paid) / denominator
                if rho * voters[i][1][p.id] <= budget[i]:
                    break
                paid += voters[i][0] * budget[i]
                denominator -= voters[i][0] * voters[i][1][p.id]
            if best is None or rho < best_rho:
                best, best_rho = p, rho
        if best is None:
            return chosen
        chosen.append(best.id)
        remaining.remove(best)
        for i, (_w, s, _b) in enumerate(voters):
            budget[i] -= min(budget[i], best_rho * s[best.id])


def naive_add1(election: Election, utility: str, exhaustive_stop: bool) -> list[str]:
    weight = sum(b.weight for b in election.ballots)
    if weight == 0:
        return []
    start = Fraction(election.budget) / weight
    candidates = [p for p in election.projects if p.cost > 0 and sum(
        b.weight * _sat(election, b, p, utility) for b in election.ballots) > 0]
    previous: list[str] = []
    k = 0
    while True:
        outcome = naive_mes(election, utility, start + k)
        cost = election.cost_of(outcome)
        if cost > election.budget:
            return previous
        if exhaustive_stop and not any(
            p.cost <= election.budget - cost for p in candidates if p.id not in outcome
        ):
            return outcome
        if not exhaustive_stop and k >= math.floor(election.budget):
            return outcome
        previous = outcome
        k += 1


def naive_phragmen(election: Election) -> list[str]:
    load = [Fraction(0)] * len(election.ballots)
    remaining = [p for p in election.projects if p.cost <= election.budget]
    chosen: list[str] = []
    spent = Fraction(0)
    while remaining:
        def new_load(p: Project):
            backers = [i for i, b in enumerate(election.ballots) if p.id in b.projects]
            score = sum(election.ballots[i].weight for i in backers)
            if score == 0:
                return None
            return (sum(election.ballots[i].weight * load[i] for i in backers) + p.cost) / score

        values = {p.id: new_load(p) for p in remaining}
        finite = [v for v in values.values() if v is not None]
        lowest = min(finite) if finite else None
        tied = sorted((p for p in remaining if values[p.id] == lowest), key=lambda p: p.id)
        if any(spent + p.cost > election.budget for p in tied):
            break
        pick = tied[0]
        chosen.append(pick.id)
        spent += pick.cost
        remaining.remove(pick)
        if lowest is not None:
            for i, b in enumerate(election.ballots):
                if pick.id in b.projects:
                    load[i] = lowest
    return chosen


def naive(rule: str, election: Election) -> list[str]:
    utility = "points" if "points" in rule else "cost"
    if rule == "greedy_cost":
        return naive_greedy(election, "cost")
    if rule == "greedy_card":
        return naive_greedy(election, "cardinality")
    if rule == "greedy_points":
        return naive_greedy(election, "points")
    if rule == "phragmen":
        return naive_phragmen(election)
    if rule in ("mes_cost", "mes_points"):
        weight = sum(b.weight for b in election.ballots)
        return naive_mes(election, utility, Fraction(election.budget) / weight) if weight else []
    if rule.endswith("_noexh"):
        return naive_add1(election, utility, exhaustive_stop=False)
    first = naive_add1(election, utility, exhaustive_stop=True)
    if not rule.endswith("_greedy"):
        return first
    left = election.budget - election.cost_of(first)
    if not any(p.cost <= left for p in election.projects if p.id not in first):
        return first
    return naive_greedy(election, "points" if utility == "points" else "cost", tuple(first))


# -- properties ---------------------------------------------------------------------------


@pytest.mark.parametrize("rule", list(RULES))
@SETTINGS
@given(election=elections())
def test_rules_equal_the_plain_definition(rule: str, election: Election) -> None:
    if not RULES[rule].supports(election.kind):
        with pytest.raises(RuleNotApplicable):
            run_rule(rule, election)
        return
    allocation = run_rule(rule, election)
    assert list(allocation.selected) == naive(rule, election)
    assert allocation.cost == election.cost_of(allocation.selected)


@pytest.mark.parametrize("rule", ["mes_cost_add1", "mes_cost_add1_noexh", "mes_points_add1"])
@settings(max_examples=150, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_add_one_jumps_never_skip_a_change(rule: str, data) -> None:
    """Larger budgets mean many increments: the certified jumps must land where the plain
    one-at-a-time loop stops."""
    kinds = (BallotKind.CUMULATIVE, BallotKind.SCORING) if "points" in rule else (BallotKind.APPROVAL,)
    election = data.draw(elections(kinds=kinds, max_projects=7, max_voters=10, max_cost=60,
                                   max_budget=200, weights=False))
    assert list(run_rule(rule, election).selected) == naive(rule, election)


@pytest.mark.parametrize("rule", list(RULES))
@SETTINGS
@given(election=elections(), seed=st.integers(0, 2**32 - 1))
def test_outcome_is_within_budget_explained_and_independent_of_ballot_order(
    rule: str, election: Election, seed: int
) -> None:
    if not RULES[rule].supports(election.kind):
        return
    allocation = run_rule(rule, election)
    assert allocation.cost <= election.budget
    assert len(set(allocation.selected)) == len(allocation.selected)
    assert list(allocation.explanations) == [p.id for p in election.projects]
    for pid, why in allocation.explanations.items():
        assert why.project_id == pid
        assert why.selected == (pid in allocation.selected)
        assert why.reason in REASONS
        assert why.sentence.strip() and why.sentence.endswith(".")
        json.dumps(why.facts)
    shuffled = list(election.ballots)
    random.Random(seed).shuffle(shuffled)
    again = run_rule(rule, Election(election.budget, election.projects, tuple(shuffled), election.kind))
    assert again.selected == allocation.selected
    assert again.cost == allocation.cost
    assert {p: e.sentence for p, e in again.explanations.items()} == {
        p: e.sentence for p, e in allocation.explanations.items()
    }


@pytest.mark.parametrize("rule", ["greedy_cost", "greedy_card", "greedy_points",
                                  "mes_cost_add1_greedy", "mes_points_add1_greedy"])
@SETTINGS
@given(election=elections())
def test_greedy_and_completed_rules_leave_nothing_that_fits(rule: str, election: Election) -> None:
    if not RULES[rule].supports(election.kind):
        return
    allocation = run_rule(rule, election)
    left = election.budget - allocation.cost
    assert all(p.cost > left for p in election.projects if p.id not in allocation.selected)


@SETTINGS
@given(election=elections())
def test_every_selected_project_was_affordable_when_chosen(election: Election) -> None:
    for rule in ("greedy_cost", "greedy_card"):
        allocation = run_rule(rule, election)
        for pid in allocation.selected:
            facts = allocation.explanations[pid].facts
            assert Fraction(facts["left"]) >= Fraction(facts["cost"])
            assert facts["fits"] is True
    allocation = run_rule("mes_cost", election)
    spent = 0
    for pid in allocation.selected:
        facts = allocation.explanations[pid].facts
        spent += election.project(pid).cost
        # each supporter paid at most the price, so the supporters could cover the cost
        assert Fraction(facts["price"] if "price" in facts else 0) * Fraction(facts["supporters"]) >= (
            Fraction(facts["cost"])
        )
        assert spent <= election.budget
    if election.kind == BallotKind.APPROVAL:
        allocation = run_rule("phragmen", election)
        spent = 0
        for pid in allocation.selected:
            spent += election.project(pid).cost
            assert spent <= election.budget


@SETTINGS
@given(election=elections(weights=False), extra=st.data())
def test_a_weight_counts_like_copies_of_the_ballot(election: Election, extra) -> None:
    if not election.ballots:
        return
    doubled = extra.draw(st.sampled_from(election.ballots))
    weighted = Election(
        election.budget, election.projects,
        tuple(Ballot(b.voter_id, b.projects, b.points, 2 if b is doubled else 1) for b in election.ballots),
        election.kind,
    )
    copied = Election(
        election.budget, election.projects,
        election.ballots + (Ballot("copy", doubled.projects, doubled.points),),
        election.kind,
    )
    for rule in RULES:
        if RULES[rule].supports(election.kind):
            assert run_rule(rule, weighted).selected == run_rule(rule, copied).selected


@SETTINGS
@given(election=elections(kinds=(BallotKind.APPROVAL,)), data=st.data())
def test_pots_respect_every_pot_and_the_total(election: Election, data) -> None:
    ids = [p.id for p in election.projects]
    first = data.draw(st.lists(st.sampled_from(ids), unique=True))
    rest = [i for i in ids if i not in first]
    second = data.draw(st.lists(st.sampled_from(rest), unique=True)) if rest else []
    cap = Fraction(election.budget)
    a = data.draw(st.integers(0, int(cap)))
    b = data.draw(st.integers(0, int(cap) - a))
    for rule in ("greedy_cost", "mes_cost_add1_greedy", "phragmen"):
        result = allocate_with_pots(election, rule, [("A", a, first), ("B", b, second)])
        assert result.cost <= election.budget
        assert result.pots[0].allocation.cost <= a
        assert result.pots[1].allocation.cost <= b
        assert set(result.pots[0].allocation.selected) <= set(first)
        assert set(result.pots[1].allocation.selected) <= set(second)
        assert len(set(result.selected)) == len(result.selected)
        assert set(result.explanations) == set(ids)
        assert all(e.sentence and e.facts["pot"] for e in result.explanations.values())
