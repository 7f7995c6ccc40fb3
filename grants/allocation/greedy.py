"""Greedy rules: rank the projects once, then fund them in that order while money lasts.

This is pabutools' ``greedy_utilitarian_welfare`` for additive satisfaction, step for step:
projects are ranked by satisfaction per unit of cost (highest first, exact fractions, ties to the
smaller project id *string*), then each one is funded if its cost still fits the money left. A
project that does not fit is skipped, not a reason to stop.

Glossary
--------
basis
    What the ranking counts (the pabutools satisfaction class it mirrors):

    * ``supporters`` (``Cost_Sat``): satisfaction = cost × supporters, so satisfaction per cost
      is simply the number of supporters: the classic "most votes first" city rule.
    * ``supporters_per_cost`` (``Cardinality_Sat``): supporters ÷ cost, "votes per pound".
    * ``points_per_cost`` (``Additive_Cardinal_Sat``): total points ÷ cost.

    A free project with support ranks first (its ratio is infinite) except on the ``supporters``
    basis, where cost × supporters is 0, so it ranks with the unsupported projects at the end
    (exactly as pabutools does). Projects nobody supports rank last and are still funded if they
    fit.
rank
    1-based position in the queue.

Cost: O(projects log projects) after the profile is compiled (O(ballots)).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from fractions import Fraction

from grants.allocation import explain
from grants.allocation.explain import MoneyFormatter
from grants.allocation.model import Election, Money, Number
from grants.allocation.outcome import DID_NOT_FIT, FUNDED, NO_SUPPORT, Allocation
from grants.allocation.profile import CompiledProfile, compile_profile

BASES = ("supporters", "supporters_per_cost", "points_per_cost")


@dataclass(frozen=True, slots=True)
class GreedyStep:
    project: int
    rank: int
    support: Number
    left: Money
    funded: bool


def _rank_key(compiled: CompiledProfile, basis: str, p: int) -> tuple:
    cost = compiled.costs[p]
    if basis == "supporters":
        support = compiled.listed_weight[p]
        density: Number | None = support if (support > 0 and cost > 0) else 0
    else:
        total = compiled.points_total[p] if basis == "points_per_cost" else compiled.listed_weight[p]
        if total > 0:
            density = Fraction(total) / cost if cost > 0 else None  # None: infinitely good
        else:
            density = 0
    if density is None:
        return (0, 0, compiled.ids[p])
    return (1, -density, compiled.ids[p])


def support_of(compiled: CompiledProfile, basis: str, p: int) -> Number:
    return compiled.points_total[p] if basis == "points_per_cost" else compiled.listed_weight[p]


def greedy_steps(
    compiled: CompiledProfile, basis: str, budget: Money, already: Iterable[int] = ()
) -> list[GreedyStep]:
    """Run greedy over the projects not in ``already``, with ``budget`` minus their cost."""
    if basis not in BASES:
        raise ValueError(f"unknown greedy basis {basis!r}")
    taken = set(already)
    left: Money = budget - sum((compiled.costs[p] for p in taken), 0)
    queue = sorted(
        (p for p in range(compiled.num_projects) if p not in taken),
        key=lambda p: _rank_key(compiled, basis, p),
    )
    steps = []
    for rank, p in enumerate(queue, start=1):
        cost = compiled.costs[p]
        fits = cost <= left
        steps.append(GreedyStep(p, rank, support_of(compiled, basis, p), left, fits))
        if fits:
            left -= cost
    return steps


def step_facts(compiled: CompiledProfile, basis: str, step: GreedyStep) -> dict:
    return {
        "basis": basis,
        "rank": step.rank,
        "support": step.support,
        "cost": compiled.costs[step.project],
        "left": step.left,
        "fits": step.funded,
    }


def step_reason(step: GreedyStep, completion: bool = False) -> str:
    if step.funded:
        return "funded_by_completion" if completion else FUNDED
    return NO_SUPPORT if step.support <= 0 else DID_NOT_FIT


def allocate(election: Election, rule: str, label: str, basis: str,
             money: MoneyFormatter | None = None) -> Allocation:
    compiled = compile_profile(election)
    steps = greedy_steps(compiled, basis, election.budget)
    explanations = {}
    for step in steps:
        pid = compiled.ids[step.project]
        explanations[pid] = explain.explanation(
            pid, step.funded, step_reason(step), "greedy", step_facts(compiled, basis, step), money
        )
    selected = tuple(compiled.ids[s.project] for s in steps if s.funded)
    cost = sum((compiled.costs[s.project] for s in steps if s.funded), 0)
    ordered = {pid: explanations[pid] for pid in compiled.ids}
    return Allocation(
        rule=rule,
        budget=election.budget,
        selected=selected,
        cost=cost,
        explanations=ordered,
        summary=explain.summary(label, len(selected), len(compiled.ids), cost, election.budget, money),
        details={"basis": basis},
    )
