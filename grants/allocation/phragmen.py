"""Sequential Phragmén: fund projects in the order in which their supporters' loads stay lowest.

Semantics are pabutools 1.2.3's ``sequential_phragmen`` exactly (approval ballots only).

Glossary
--------
load
    Money charged to a voter so far. Funding a project spreads its cost over its supporters so
    that each of them ends with the same load: the project's *new max load* is
    (sum of its supporters' loads + its cost) / number of supporters, and every supporter's
    load becomes that value.
step
    Each step picks the project with the smallest new max load (exact fractions; ties to the
    smaller project id string). Projects costing more than the whole budget are dropped first.
    If the chosen project, or any project tied with it, does not fit the money left, the rule
    **stops** (it does not skip, unlike greedy). Projects nobody supports have an infinite load
    and come last.

Cost: voters are merged into groups with identical ballots; a group's load is always the max
load of the last funded project it supports, so groups carry a load *class* (that project) and
each project keeps the exact sum of its supporters' loads. Funding a project updates those sums
with integer counting per (project, old class) pair, then one exact fraction operation per pair:
O(sum of ballot lengths of the funded project's supporter groups) per step.
"""

from __future__ import annotations

from collections import Counter
from fractions import Fraction
from itertools import chain

from grants.allocation import explain
from grants.allocation.explain import MoneyFormatter
from grants.allocation.model import Election, Money, exact
from grants.allocation.outcome import (
    COSTS_MORE_THAN_BUDGET,
    DID_NOT_FIT,
    FUNDED,
    NO_SUPPORT,
    RULE_STOPPED,
    Allocation,
)
from grants.allocation.profile import compile_profile


def allocate(election: Election, rule: str, label: str, money: MoneyFormatter | None = None) -> Allocation:
    compiled = compile_profile(election)
    ids = compiled.ids
    costs = compiled.costs
    weights = compiled.weights
    budget = election.budget
    m = compiled.num_projects
    score = compiled.listed_weight
    listed_by = compiled.listed_by
    group_projects = compiled.group_projects

    candidates = {p for p in range(m) if costs[p] <= budget}
    load_sum: list[Fraction] = [Fraction(0)] * m
    # Load class 0 is "no load yet"; class k >= 1 is the max load of the k-th funded project.
    class_load: list[Fraction] = [Fraction(0)]
    group_class = [0] * len(weights)

    spent: Money = 0
    funded: list[tuple[int, Fraction | None]] = []
    stop_set: list[int] = []
    new_load: dict[int, Fraction | None] = {}
    while candidates:
        new_load = {
            p: (load_sum[p] + costs[p]) / score[p] if score[p] > 0 else None for p in candidates
        }
        finite = [v for v in new_load.values() if v is not None]
        lowest = min(finite) if finite else None
        tied = sorted((p for p, v in new_load.items() if v == lowest), key=lambda p: ids[p])
        if any(spent + costs[p] > budget for p in tied):
            stop_set = tied
            break
        chosen = tied[0]
        candidates.discard(chosen)
        spent += costs[chosen]
        funded.append((chosen, lowest))
        if lowest is None:
            continue  # nobody supports it: no loads change
        class_load.append(lowest)
        new_class = len(class_load) - 1
        # Weight moving to the new load, per old class and project, counted in ints first
        # (groups of weight 1, most of them, by Counter in C).
        by_old: dict[int, list[int]] = {}
        for g in listed_by[chosen]:
            by_old.setdefault(group_class[g], []).append(g)
            group_class[g] = new_class
        for old, groups in by_old.items():
            moved = Counter(chain.from_iterable(
                group_projects[g] for g in groups if weights[g] == 1
            ))
            for g in groups:
                w = weights[g]
                if w != 1:
                    for q in group_projects[g]:
                        moved[q] += w
            rise = lowest - class_load[old]
            for q, w in moved.items():
                if q in candidates:  # funded and dropped projects need no load sums any more
                    load_sum[q] += w * rise

    explanations = {}
    for position, (p, load) in enumerate(funded, start=1):
        explanations[ids[p]] = explain.explanation(
            ids[p], True, FUNDED, "phragmen",
            {"position": position, "load": load if load is not None else 0,
             "supporters": score[p], "cost": costs[p]},
            money,
        )
    left = budget - spent
    stopper = next((p for p in stop_set if spent + costs[p] > budget), None)
    for p in range(m):
        pid = ids[p]
        if pid in explanations:
            continue
        facts = {"supporters": score[p], "cost": costs[p], "budget": budget, "left": left}
        if costs[p] > budget:
            reason = COSTS_MORE_THAN_BUDGET
        elif score[p] <= 0:
            reason = NO_SUPPORT
        else:
            facts["load"] = new_load[p]
            if p in stop_set and spent + costs[p] > budget:
                reason = DID_NOT_FIT
            else:
                reason = RULE_STOPPED
                if stopper is None:  # an invariant, kept under python -O too
                    raise RuntimeError("Phragmén stopped without a project that stopped it")
                facts["stopped_at"] = ids[stopper]
                facts["stopped_at_name"] = election.projects[stopper].label
        explanations[pid] = explain.explanation(pid, False, reason, "phragmen", facts, money)

    selected = tuple(ids[p] for p, _ in funded)
    cost = exact(spent)
    return Allocation(
        rule=rule,
        budget=budget,
        selected=selected,
        cost=cost,
        explanations={pid: explanations[pid] for pid in ids},
        summary=explain.summary(label, len(selected), m, cost, budget, money),
        details={"stopped_at": ids[stopper] if stopper is not None else None},
    )
