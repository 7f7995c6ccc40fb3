"""The compiled profile: the form the rules compute on.

Glossary
--------
group
    All voters who cast the same ballot, merged into one entry whose weight is the sum of their
    weights. Every rule here treats identical ballots identically (they always hold the same
    budget or load), so merging changes no outcome and makes the work grow with the number of
    *distinct* ballots (Wrocław 2015: 131,778 voters, 197 distinct ballots).
listed
    A group lists a project when the project appears on its ballot, whatever points it got.
    This is pabutools' ``project in ballot``, which the cost- and count-based rules use.
scored
    A group scores a project when it gave it a positive number of points (points rules only).

Projects and groups are numbered (list indices) so that the hot loops touch ints and lists, never
strings or dicts keyed by ids.
"""

from __future__ import annotations

import gc
import math
from dataclasses import dataclass
from fractions import Fraction
from itertools import chain
from operator import attrgetter

import numpy as np

from grants.allocation.model import Election, Money, Number, exact


@dataclass(frozen=True, slots=True)
class CompiledProfile:
    ids: tuple[str, ...]
    costs: tuple[Money, ...]
    budget: Money
    has_points: bool
    weights: tuple[Number, ...]
    """Weight of each group."""
    total_weight: Number
    listed_by: tuple[tuple[int, ...], ...]
    """For each project, the groups that list it."""
    listed_weight: tuple[Number, ...]
    scored_by: tuple[tuple[int, ...], ...]
    """For each project, the groups that gave it positive points (empty without points)."""
    scores: tuple[tuple[Number, ...], ...]
    """Parallel to ``scored_by``: the points each of those groups gave."""
    points_total: tuple[Number, ...]
    """For each project, the weighted sum of all points it got (negative points included)."""
    group_projects: tuple[tuple[int, ...], ...]
    """For each group, the projects its ballot lists."""

    @property
    def num_projects(self) -> int:
        return len(self.ids)


def compile_profile(election: Election) -> CompiledProfile:
    """Merge identical ballots and index everything; cached on the election (it is immutable)."""
    cached = election.__dict__.get("_compiled_profile")
    if cached is not None:
        return cached
    collecting = gc.isenabled()
    gc.disable()  # tens of thousands of small tuples and lists at once, none of them garbage
    try:
        return _compile(election)
    finally:
        if collecting:
            gc.enable()


def _compile(election: Election) -> CompiledProfile:
    ids = tuple(p.id for p in election.projects)
    position = {pid: i for i, pid in enumerate(ids)}
    has_points = election.kind.has_points
    n = len(ids)

    # The election merges by the raw ballot (cheap: tuples of interned strings, or the file's
    # vote texts); canonicalise each distinct raw ballot once, then merge again (the same set
    # may be listed in another order).
    merged: dict[tuple, Number] = {}
    get = merged.get
    if has_points:
        for (projects, points), weight in election.ballot_groups():
            canonical = tuple(sorted(zip(map(position.__getitem__, projects), points)))  # type: ignore[arg-type]
            merged[canonical] = get(canonical, 0) + weight
    else:
        at = position.__getitem__
        for (projects, _points), weight in election.ballot_groups():
            canonical = tuple(sorted(map(at, projects)))
            merged[canonical] = get(canonical, 0) + weight

    weights: list[Number] = list(merged.values())
    if not set(map(type, weights)) <= {int}:
        weights = list(map(exact, weights))
    group_projects: list[tuple[int, ...]]
    scored: list[list[int]] = [[] for _ in range(n)]
    scores: list[list[Number]] = [[] for _ in range(n)]
    points_total: list[Number] = [0] * n
    if has_points:
        listed: list[list[int]] = [[] for _ in range(n)]
        listed_weight: list[Number] = [0] * n
        group_projects = []
        for g, (canonical, weight) in enumerate(zip(merged, weights)):
            for p, pts in canonical:
                listed[p].append(g)
                listed_weight[p] += weight
                points_total[p] += weight * pts
                if pts > 0:
                    scored[p].append(g)
                    scores[p].append(pts)
            group_projects.append(tuple(p for p, _ in canonical))
        listed_by = tuple(map(tuple, listed))
    else:
        group_projects = list(merged)
        listed_by = _groups_listing(group_projects, n)
        weight_of = weights.__getitem__
        listed_weight = [sum(map(weight_of, groups)) for groups in listed_by]
    compiled = CompiledProfile(
        ids=ids,
        costs=tuple(p.cost for p in election.projects),
        budget=election.budget,
        has_points=has_points,
        weights=tuple(weights),
        total_weight=exact(sum(weights)) if weights else 0,
        listed_by=listed_by,
        listed_weight=tuple(exact(w) for w in listed_weight),
        scored_by=tuple(tuple(x) for x in scored),
        scores=tuple(tuple(x) for x in scores),
        points_total=tuple(exact(Fraction(t)) for t in points_total),
        group_projects=tuple(group_projects),
    )
    object.__setattr__(election, "_compiled_profile", compiled)
    return compiled


def _groups_listing(group_projects: list[tuple[int, ...]], n: int) -> tuple[tuple[int, ...], ...]:
    """For each of ``n`` projects, the groups (in increasing order) whose ballot lists it.

    One stable sort of every (project, group) pair by project, in C: a city's profile has a few
    hundred thousand pairs.
    """
    lengths = np.fromiter(map(len, group_projects), dtype=np.int64, count=len(group_projects))
    flat = np.fromiter(chain.from_iterable(group_projects), dtype=np.int64, count=int(lengths.sum()))
    groups = np.repeat(np.arange(len(group_projects), dtype=np.int64), lengths)
    by_project = groups[np.argsort(flat, kind="stable")].tolist()
    ends = np.cumsum(np.bincount(flat, minlength=n)).tolist()
    starts = [0, *ends[:-1]]
    return tuple(tuple(by_project[a:b]) for a, b in zip(starts, ends))


def lcm_of_denominators(values) -> int:
    """Least common multiple of the denominators of exact numbers (ints have denominator 1):
    the factor that makes every one of them an integer."""
    return math.lcm(*set(map(attrgetter("denominator"), values)))
