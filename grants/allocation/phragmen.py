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
each project keeps the exact sum of its supporters' loads. All of it is integer arithmetic:
costs and weights are scaled to ints and every load is an int numerator over one common
denominator, which grows (every stored numerator multiplied once) only when a new max load
needs it; candidates are compared by cross-multiplication, so ties stay exact. Funding a
project sorts its supporter groups by old class and counts, per old class, the projects on
their ballots (both in C), then adds one int product per (old class, project) pair:
O(sum of ballot lengths of the funded project's supporter groups) per step.
"""

from __future__ import annotations

import math
from collections import Counter, deque
from fractions import Fraction
from itertools import chain, compress, repeat

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
from grants.allocation.profile import compile_profile, lcm_of_denominators


def allocate(election: Election, rule: str, label: str, money: MoneyFormatter | None = None) -> Allocation:
    compiled = compile_profile(election)
    ids = compiled.ids
    costs = compiled.costs
    budget = election.budget
    m = compiled.num_projects
    score = compiled.listed_weight
    listed_by = compiled.listed_by
    group_projects = compiled.group_projects

    # Exact integers throughout: costs × money_scale and weights × weight_scale are ints, and
    # every load is an int numerator over one common denominator (``scale``, which absorbs
    # both scales), grown when a new load needs it (see the module docstring).
    money_scale = lcm_of_denominators(costs)
    weight_scale = lcm_of_denominators(compiled.weights)
    cost_int = [int(c * money_scale) for c in costs]
    weights = [int(w * weight_scale) for w in compiled.weights]
    single = [w == 1 for w in weights]
    heavy = [w != 1 for w in weights]
    unit = all(single)
    score_int = [int(w * weight_scale) for w in score]
    denominator = 1  # loads are numerators over money_scale × denominator
    candidates = {p for p in range(m) if costs[p] <= budget}
    # load_sum[p]: the weighted sum of p's supporters' loads (× weight_scale).
    load_sum = [0] * m
    # Load class 0 is "no load yet"; class k >= 1 is the max load of the k-th funded project.
    class_load = [0]
    group_class = [0] * len(weights)

    spent: Money = 0
    funded: list[tuple[int, tuple[int, int] | None]] = []
    stop_set: list[int] = []
    values: dict[int, tuple[int, int] | None] = {}
    while candidates:
        # New max load of p: (load_sum + cost) / score, as (numerator, denominator) over the
        # common scale; compared by cross-multiplication, so ties are exact.
        reach = weight_scale * denominator
        values = {p: (load_sum[p] + reach * cost_int[p], score_int[p]) if score_int[p] > 0 else None
                  for p in candidates}
        lowest: tuple[int, int] | None = None
        for v in values.values():
            if v is not None and (lowest is None or v[0] * lowest[1] < lowest[0] * v[1]):
                lowest = v
        if lowest is None:
            tied = sorted((p for p, v in values.items() if v is None), key=lambda p: ids[p])
        else:
            num, den = lowest
            tied = sorted((p for p, v in values.items()
                           if v is not None and v[0] * den == num * v[1]), key=lambda p: ids[p])
        if any(spent + costs[p] > budget for p in tied):
            stop_set = tied
            break
        chosen = tied[0]
        candidates.discard(chosen)
        spent += costs[chosen]
        if lowest is None:
            funded.append((chosen, None))
            continue  # nobody supports it: no loads change
        num, den = lowest
        # Bring the new load to an integer numerator: grow the common denominator.
        factor = den // math.gcd(num, den)
        if factor != 1:
            denominator *= factor
            load_sum = [x * factor for x in load_sum]
            class_load = [x * factor for x in class_load]
        load = num * factor // den
        funded.append((chosen, (load, money_scale * denominator)))
        class_load.append(load)
        new_class = len(class_load) - 1
        # The supporters, by their old class (a stable sort in C), move to the new class.
        supporters = sorted(listed_by[chosen], key=group_class.__getitem__)
        per_old = Counter(map(group_class.__getitem__, supporters))
        deque(map(group_class.__setitem__, supporters, repeat(new_class)), maxlen=0)
        by_old = []
        start = 0
        for old in sorted(per_old):
            end = start + per_old[old]
            by_old.append((old, supporters[start:end]))
            start = end
        for old, groups in by_old:
            # Groups of weight 1 (most of them) by Counter in C, the others one by one.
            moved = Counter(chain.from_iterable(
                map(group_projects.__getitem__, compress(groups, map(single.__getitem__, groups)))
            ))
            if not unit:
                get = moved.get
                for g in compress(groups, map(heavy.__getitem__, groups)):
                    w = weights[g]
                    for q in group_projects[g]:
                        moved[q] = get(q, 0) + w
            rise = load - class_load[old]
            for q, w in moved.items():
                if q in candidates:  # funded and dropped projects need no load sums any more
                    load_sum[q] += w * rise

    new_load = {p: None if v is None else Fraction(v[0], v[1] * money_scale * denominator)
                for p, v in values.items()}
    explanations = {}
    for position, (p, ratio) in enumerate(funded, start=1):
        explanations[ids[p]] = explain.explanation(
            ids[p], True, FUNDED, "phragmen",
            {"position": position, "load": Fraction(*ratio) if ratio is not None else 0,
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
