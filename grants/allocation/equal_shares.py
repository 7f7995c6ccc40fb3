"""The Method of Equal Shares (MES), plain and with the add-one completion.

Semantics are pabutools 1.2.3's ``method_of_equal_shares`` exactly (same selections, same exact
costs, same lexicographic tie-breaking by project id string).

Glossary
--------
share
    Every voter starts with the same part of the budget: budget / number of voters (with voter
    weights: per unit of weight). A voter's *budget* is what is left of their share.
utility
    What a supporter gets from a project. ``cost``: the project's cost (pabutools ``Cost_Sat``;
    every voter who lists the project supports it, whatever their points). ``points``: the
    points the voter gave it (``Additive_Cardinal_Sat``; only positive points support).
rho (affordability)
    For a project of cost C, the smallest ρ such that its supporters, each paying
    min(budget, ρ × utility), raise C. With cost utility ρ × C is the *price per supporter*:
    supporters with less than that pay everything they have left ("paid all they had left").
round
    Each round buys the affordable project with the smallest ρ (exact fractions; an exact tie
    goes to the smaller project id string); a project is affordable while its supporters'
    budgets add up to at least its cost. The rule stops when nothing is affordable.
add-one completion (``add1``)
    MES usually spends far less than the budget. pabutools' ``voter_budget_increment=1``
    reruns MES with every share raised by 1 currency unit (per unit of weight) until the
    outcome is exhaustive (no unselected supported project fits in the money the outcome
    leaves) and returns it, or until an outcome costs more than the budget, and then returns
    the previous outcome. The ``noexh`` variant (equalshares.net's default, pabutools'
    ``exhaustion_by_budget_increase`` with ``exhaustive_stop=False``) ignores exhaustiveness:
    it keeps raising while outcomes stay within the budget (up to the budget in units per voter).

How it is computed, and what it costs
-------------------------------------
pabutools computes MES over every voter with gmpy2 rationals and reruns it from scratch for
every add-one increment. Here:

* **Groups.** Identical ballots are merged (weights summed); supporter lists hold group
  indices. All costs below grow with *distinct* ballots, not voters (Wrocław 2015: 131,778
  voters, 197 groups).
* **Budget classes.** Groups that paid for the same projects in the same way hold exactly
  the same budget, so a group stores a class number and each class its budget once. Buying
  a project maps every class among its supporters to one new class (everyone left with
  nothing shares a single class). Computing ρ for a project adds up its supporters' weight
  per class (with cost utility one numpy gather and ``bincount`` over its supporter groups,
  in C; with points one dict update per supporter group), sorts those classes by budget and
  lets the poorest pay everything until the rest can share the remainder equally:
  O(supporter groups + classes log classes). The integer arrays only count weights; every
  budget and price stays an exact Python integer.
* **Exact integers, no Fractions in the hot path.** Costs, weights and points are scaled to
  integers and every budget is an integer numerator over one common denominator. A purchase
  multiplies the denominator by the price's denominator (after cancelling common factors);
  a class remembers the purchase ("epoch") its numerator belongs to and is lifted to the
  current denominator with one multiplication when read. ρ is kept as an exact pair of ints
  compared by cross-multiplication. Floats (correctly rounded, hence order-preserving) only
  order the scan; a float is never trusted where two values could be equal.
* **Lower bounds** (Peters' trick, as in the equalshares.net reference code): ρ of a project
  never decreases from round to round, so last round's ρ bounds it from below. Each round
  scans projects by increasing bound and stops once a bound exceeds the best ρ found, so a
  round usually recomputes only a few projects: a run costs about
  O(rounds × scanned projects × supporter groups), close to linear in the number of approvals.
* **Add-one without thousands of reruns.** Fix the purchases made so far: every voter's budget
  is then a non-decreasing function of the starting share (paying min(budget, ρ × utility)
  leaves more of a larger budget, and more money lowers every ρ), every ρ non-increasing and
  every project's supporter money non-decreasing. So if a run at share s + D buys the same
  projects in the same order as the run at s and, in every round, every other project has
  ρ(s + D) above the winner's ρ(s) (ties by id), the outcome is the same for *every* share in
  [s, s + D] (a *certificate*). Two refinements make certificates hold more often: when the
  supporters who pay everything they have are the same at both ends for the winner and a
  competitor (such sets only shrink as the share grows, so equal weights mean equal sets)
  and their budgets are affine in between, ρ(competitor) − ρ(winner) is affine and its sign at
  both ends decides; and purchases with disjoint supporters may come in another order (a
  block of them is certified when both runs buy the same set there and everything else stays
  above the block's highest price). A run guided by another also scans every project whose
  bound is below the guide's prices, and reuses the guide's per-class tables while its
  purchases and class splits stay the same. The add-one loop jumps over certified stretches
  (doubling the jump after a success, halving it after a failure and keeping the run made
  for it, and never jumping past a kept run, whose failure says the change lies before it;
  past a change, the farthest kept run is tried first, which often certifies without a new
  run) and judges increments one by one only where the outcome may change, so it stops at
  exactly the increment pabutools stops at and returns exactly its outcome. Veszprém 2025:
  72,726 pabutools reruns (495 s) become about 150 runs (under 0.1 s). Where the outcome really
  changes at almost every increment (Warszawa 2021 Mokotów: the purchase order changes at
  about every other increment) the loop needs about one run per increment, each a few tens of
  milliseconds instead of pabutools' 2–3 s.
"""

from __future__ import annotations

import math

# Counter's own counting loop, in C. Counter() itself adds a few microseconds of Python per call
# (its __init__, update and an ABC isinstance check), which is most of a small project's tally,
# and equal shares tallies projects tens of thousands of times per add-one completion.
from collections import _count_elements  # type: ignore[attr-defined]
from dataclasses import dataclass, field
from fractions import Fraction
from itertools import filterfalse
from operator import mul

import numpy as np

from grants.allocation import explain
from grants.allocation.explain import MoneyFormatter
from grants.allocation.model import Election, Money, Number, exact
from grants.allocation.outcome import FUNDED, NO_SUPPORT, SUPPORTERS_COULD_NOT_AFFORD, Allocation
from grants.allocation.profile import CompiledProfile, compile_profile, lcm_of_denominators

UTILITIES = ("cost", "points")


@dataclass(slots=True)
class Purchase:
    project: int
    round: int
    rho: Fraction
    """ρ in the engine's internal units: comparable between projects and between runs."""
    price: Fraction
    """Most a supporter paid: per voter (cost utility) or per point per voter (points utility)."""
    paid_all: Number
    """Weight of supporters who paid all they had left (and had something left)."""
    had_nothing: Number
    """Weight of supporters who had nothing left to pay with."""


@dataclass(slots=True)
class RoundRecord:
    """What a run saw in one round, kept so that a later run can be certified against it."""

    winner: int
    rho: tuple[int, int]
    """The winner's ρ as an exact ratio (numerator, denominator)."""
    poor: int
    """Internal weight of the winner's supporters who paid all they had (their budget was below
    the price)."""
    seen: dict[int, tuple[tuple[int, int], int]]
    """For every project whose ρ was computed this round: (ρ, poor weight)."""
    tables: dict[int, dict]
    """Per-class supporter weights of every project looked at this round."""
    moves: dict
    """Where the winner's supporters' classes moved."""
    covered: float
    """Every project whose ρ (as a float) is at most this was looked at this round."""


@dataclass(slots=True)
class MesRun:
    share: Money
    free: list[int]
    purchases: list[Purchase]
    rounds: list[RoundRecord] | None = None
    certified: bool = False
    """For a guided run: True when its outcome provably holds for every share between the
    guide's share and this run's share."""
    final_budgets: tuple[list[int], _Budgets, list] | None = field(default=None, repr=False)
    """Each group's budget class, the classes' budgets and the class moves not yet applied
    to the groups, when the run ended."""

    @property
    def selected(self) -> list[int]:
        return self.free + [p.project for p in self.purchases]


_EMPTY = 1


def _compare(a: tuple[int, int], b: tuple[int, int]) -> int:
    """Sign of a − b for exact ratios (numerator, positive denominator)."""
    left, right = a[0] * b[1], b[0] * a[1]
    return (left > right) - (left < right)


class _Budgets:
    """Exact budgets of the classes of one run, as integer numerators over a denominator.

    A purchase introduces a price with a new denominator, so the common denominator grows by a
    factor at each purchase. Instead of rescaling every class then, a class keeps the
    numerator it was created with and the *epoch* (number of purchases) it belongs to;
    ``start_round`` precomputes, per epoch, the factor that brings it to the current
    denominator, so reading a budget is one multiplication.
    """

    __slots__ = ("numerators", "epochs", "parents", "denominators", "lift", "denominator")

    def __init__(self, share: Fraction) -> None:
        self.numerators = [share.numerator, 0]  # class 0: untouched shares; 1: nothing left
        self.epochs = [0, 0]
        self.parents = [0, _EMPTY]
        self.denominators = [share.denominator]
        self.denominator = share.denominator
        self.lift = [1]

    def start_round(self) -> None:
        current = self.denominators[-1]
        self.denominator = current
        self.lift = [current // d for d in self.denominators]

    def pay(self, per_class: dict, charge: tuple[int, int], uniform: bool) -> dict:
        """Charge every class in ``per_class`` (key: class, or (class, points)) the price
        ``rest / (per × denominator)`` per unit (per point) and return each key's new class.
        Two runs that buy the same projects in the same order and leave the same classes with
        nothing number their classes identically."""
        rest, per = charge
        common = math.gcd(rest, per)
        rest //= common
        factor = per // common
        self.denominators.append(self.denominators[-1] * factor)
        epoch = len(self.denominators) - 1
        numerators = self.numerators
        epochs = self.epochs
        moves: dict = {}
        lift = self.lift
        for key in per_class:
            c, u = (key, 1) if uniform else key
            left = numerators[c] * lift[epochs[c]] * factor - rest * u
            if left <= 0:
                # Everyone left with nothing shares one class, which keeps the tables small.
                moves[key] = _EMPTY
                continue
            moves[key] = len(numerators)
            numerators.append(left)
            epochs.append(epoch)
            self.parents.append(c)
        return moves

    def fraction(self, numerator: int) -> Fraction:
        return Fraction(numerator, self.denominators[-1])

    def final_value(self, c: int) -> int:
        """Budget numerator of class ``c`` over the last denominator."""
        return self.numerators[c] * (self.denominators[-1] // self.denominators[self.epochs[c]])


_ARRAY_SUPPORTERS = 400
"""From this many supporter groups on, a project's tally is a ``bincount`` (its cost grows with
the number of classes too); below, counting the gathered classes into a dict is cheaper."""


def _int_array(values: tuple[int, ...]) -> np.ndarray:
    return np.fromiter(values, dtype=np.int64, count=len(values))


class _Tallies:
    """Per-class supporter weights with cost utility, over integer arrays (numpy, in C).

    ``group_class`` is then an int64 array (a group's budget class); a project's tally is one
    gather of its supporters' classes and one ``bincount`` (a dict count for small projects), and
    a purchase moves its supporters' classes with one lookup table. A tally is a dict {class:
    weight} with the same entries the dict path counts; its order is fixed per project, so two
    runs in the same state number their new classes alike (see ``_Budgets.pay``).
    """

    __slots__ = ("groups", "weights", "single", "weighty", "weighty_weights", "size")

    def __init__(self, supporters: list[tuple[int, ...]], single: list[tuple[int, ...]],
                 weighty: list[tuple[int, ...]], weights: list[int]) -> None:
        """``single``/``weighty``: each project's supporter groups of weight 1 and the others."""
        self.size = len(weights)
        self.groups = [_int_array(groups) for groups in supporters]
        # Big projects: one bincount, weighted (float64, exact here) only if some group weighs
        # more than 1. Small ones: a dict count of the groups of weight 1 (most of them) and a
        # loop over the others.
        all_weights = np.fromiter(weights, dtype=np.float64, count=len(weights))
        self.weights = [None if not heavy else all_weights[array]
                        for heavy, array in zip(weighty, self.groups)]
        self.single = [_int_array(groups) for groups in single]
        self.weighty = [_int_array(groups) for groups in weighty]
        self.weighty_weights = [list(map(weights.__getitem__, groups)) for groups in weighty]

    def start(self):
        return np.zeros(self.size, dtype=np.int64)

    def count(self, p: int, group_class) -> dict:
        groups = self.groups[p]
        if len(groups) < _ARRAY_SUPPORTERS:
            tally: dict = {}
            _count_elements(tally, group_class[self.single[p]].tolist())
            weighty = self.weighty_weights[p]
            if weighty:
                get = tally.get
                for c, w in zip(group_class[self.weighty[p]].tolist(), weighty):
                    tally[c] = get(c, 0) + w
            return tally
        weights = self.weights[p]
        if weights is None:
            counts = np.bincount(group_class[groups])
        else:
            counts = np.rint(np.bincount(group_class[groups], weights=weights)).astype(np.int64)
        present = np.flatnonzero(counts)
        return dict(zip(present.tolist(), counts[present].tolist()))

    def move(self, p: int, moves: dict, group_class) -> None:
        groups = self.groups[p]
        old = np.fromiter(moves.keys(), dtype=np.int64, count=len(moves))
        table = np.zeros(int(old.max()) + 1, dtype=np.int64)
        table[old] = np.fromiter(moves.values(), dtype=np.int64, count=len(moves))
        group_class[groups] = table[group_class[groups]]


class EqualShares:
    """MES over one compiled profile and one utility; reusable for many shares (add-one).

    Internally costs are scaled to integers (× ``money_scale``), weights (× ``weight_scale``)
    and points (× ``point_scale``) too, and budgets live in :class:`_Budgets`; ρ is reported
    back in these internal units (comparable between runs of the same engine), prices in the
    caller's units.
    """

    def __init__(self, compiled: CompiledProfile, utility: str) -> None:
        if utility not in UTILITIES:
            raise ValueError(f"unknown utility {utility!r}")
        self.compiled = compiled
        self.utility = utility
        self.uniform = utility == "cost"
        costs = compiled.costs
        self.money_scale = lcm_of_denominators([*costs, compiled.budget])
        self.weight_scale = lcm_of_denominators(compiled.weights)
        self.point_scale = 1 if self.uniform else lcm_of_denominators(
            u for sats in compiled.scores for u in sats
        )
        scale = self.weight_scale
        self.weights = list(map(int, compiled.weights)) if scale == 1 else [int(w * scale) for w in compiled.weights]
        self.costs = [int(c * self.money_scale) for c in costs]
        self.supporters: list[tuple[int, ...]] = []
        self.utilities: list[tuple[int, ...]] = []
        self.total_utility: list[int] = []
        self.support_weight: list[Number] = []
        weight_of = self.weights.__getitem__
        for p in range(compiled.num_projects):
            if self.uniform:
                groups = compiled.listed_by[p] if costs[p] > 0 else ()
                sats: tuple[int, ...] = ()
                support = total = sum(map(weight_of, groups))
            else:
                groups = compiled.scored_by[p]
                sats = tuple(int(u * self.point_scale) for u in compiled.scores[p])
                total = sum(map(mul, map(weight_of, groups), sats))
                support = sum(map(weight_of, groups))
            self.supporters.append(groups)
            self.utilities.append(sats)
            self.total_utility.append(total)
            self.support_weight.append(exact(Fraction(support, self.weight_scale)))
        ids = compiled.ids
        supported = [p for p in range(compiled.num_projects) if self.total_utility[p] > 0]
        # Free supported projects are taken before the first round (pabutools adds them to the
        # initial allocation); with cost utility a free project has utility 0, so none are.
        self.free = sorted((p for p in supported if costs[p] == 0), key=lambda p: ids[p])
        self.candidates = [p for p in supported if costs[p] > 0]
        # Supporter groups of weight 1 and the others, for fast per-class tallies.
        weighs_one = [w == 1 for w in self.weights].__getitem__
        self.single = [tuple(filter(weighs_one, groups)) for groups in self.supporters]
        self.weighty = [tuple(filterfalse(weighs_one, groups)) for groups in self.supporters]
        # With cost utility, tallies and class moves run over integer arrays (numpy), in C:
        # ``_Tallies``. Sums of weights stay exact while they stay below 2**53 (float64 is exact
        # on integers there); a profile heavier than that keeps the dict tallies.
        self.tallies = _Tallies(self.supporters, self.single, self.weighty, self.weights) if (
            self.uniform and sum(self.weights) < 2**53) else None
        self._independence: dict[tuple[int, int], bool] = {}
        self._supporter_sets: dict[int, frozenset[int]] = {}
        # With everyone able to pay, ρ = cost / total utility (cost utility: 1 / supporters).
        self.initial_rho = {
            p: (1 if self.uniform else self.costs[p], self.total_utility[p]) for p in self.candidates
        }

    # -- one run -----------------------------------------------------------------------------

    def run(self, share: Money, guide: MesRun | None = None, record: bool = False) -> MesRun:
        """MES with every voter (unit of weight) starting with ``share``.

        ``record`` keeps per-round facts so the run can guide a later one. With a ``guide`` (a
        recorded run at a smaller share) the run also decides whether its outcome holds for
        every share in between (``certified``); see :func:`raise_shares`. While the run makes
        the same purchases as its guide and empties the same classes, its groups sit in the
        same budget classes, so the guide's per-class weight tables are reused instead of
        visiting every supporter again; only the budgets differ.
        """
        ids = self.compiled.ids
        weights = self.weights
        supporters = self.supporters
        utilities = self.utilities
        uniform = self.uniform
        single, weighty = self.single, self.weighty

        internal = Fraction(share) * self.money_scale / self.weight_scale
        budgets = _Budgets(internal)
        tallies = self.tallies
        group_class = tallies.start() if tallies is not None else [0] * len(weights)
        # Class moves decided but not yet applied to ``group_class`` (see the docstring).
        pending: list[tuple[int, dict]] = []

        remaining = set(self.candidates)
        # ρ values are exact ratios (numerator, denominator) of ints, compared by
        # cross-multiplication; their floats only order the scan.
        bound = dict(self.initial_rho)
        bound_approx = {p: n / d for p, (n, d) in bound.items()}

        certifying = guide is not None and guide.rounds is not None
        guide_rounds = (guide.rounds or []) if guide is not None else []
        # Certifying needs every project whose ρ could come below the guide's (block) price.
        thresholds = self._thresholds(guide_rounds)
        same_structure = bool(guide_rounds)
        rounds: list[RoundRecord] | None = [] if (record or certifying) else None

        purchases: list[Purchase] = []
        round_no = 0
        while remaining:
            round_no += 1
            then = guide_rounds[round_no - 1] if round_no <= len(guide_rounds) else None
            threshold = thresholds[round_no - 1] if then is not None else None
            limit_approx = threshold[0] / threshold[1] if threshold is not None else -1.0
            reusable = then.tables if (same_structure and then is not None) else {}
            order = sorted(remaining, key=bound_approx.__getitem__)
            budgets.start_round()
            best = -1
            best_rho = (0, 1)
            best_approx = 0.0
            best_eval: tuple | None = None
            seen: dict[int, tuple[tuple[int, int], int]] = {}
            tables: dict[int, dict] = {}
            for p in order:
                if best >= 0 and bound_approx[p] > best_approx and bound_approx[p] > limit_approx:
                    # Floats are correctly rounded, so a strictly larger float is a strictly
                    # larger ρ, and the scan is in float order: nothing further can win, nor
                    # (when certifying) come below the guide's price.
                    break
                # Weight of this project's supporters per budget class (per class and points).
                per_class = reusable.get(p)
                if per_class is None:
                    if pending:
                        self._move_groups(pending, group_class)
                    if tallies is not None:
                        per_class = tallies.count(p, group_class)
                    elif uniform:
                        # Groups of weight 1 (most of them) are counted in C.
                        per_class = {}
                        _count_elements(per_class, map(group_class.__getitem__, single[p]))
                        get = per_class.get
                        for g in weighty[p]:
                            c = group_class[g]
                            per_class[c] = get(c, 0) + weights[g]
                    else:
                        per_class = {}
                        get = per_class.get
                        for g, u in zip(supporters[p], utilities[p]):
                            key = (group_class[g], u)
                            per_class[key] = get(key, 0) + weights[g]
                tables[p] = per_class
                evaluation = self._evaluate(p, per_class, budgets)
                if evaluation is None:
                    remaining.discard(p)  # budgets only shrink: it stays unaffordable
                    continue
                rho = evaluation[0]
                bound[p] = rho
                bound_approx[p] = approx = rho[0] / rho[1]
                seen[p] = (rho, evaluation[1])
                if best < 0:
                    better = True
                else:
                    left, right = rho[0] * best_rho[1], best_rho[0] * rho[1]
                    better = left < right or (left == right and ids[p] < ids[best])
                if better:
                    best, best_rho, best_approx = p, rho, approx
                    best_eval = (per_class, evaluation)
            if best < 0:
                break
            if best_eval is None:  # an invariant, kept under python -O too
                raise RuntimeError("equal shares chose a project without evaluating it")
            per_class, (rho, poor, charge, poor_weight, had_nothing) = best_eval
            remaining.discard(best)
            purchases.append(Purchase(
                best, round_no, Fraction(*rho), self._price(charge, budgets),
                exact(Fraction(poor_weight, self.weight_scale)),
                exact(Fraction(had_nothing, self.weight_scale)),
            ))
            moves = budgets.pay(per_class, charge, uniform)
            pending.append((best, moves))
            if same_structure and (then is None or then.winner != best or then.moves != moves):
                same_structure = False
            if rounds is not None:
                rounds.append(RoundRecord(best, rho, poor, seen, tables, moves,
                                          max(best_approx, limit_approx)))

        run = MesRun(share=exact(share), free=list(self.free), purchases=purchases, rounds=rounds,
                     final_budgets=(group_class, budgets, pending))
        if certifying:
            run.certified = self._certify(guide_rounds, rounds or [], budgets)
        return run

    def certifies(self, guide: MesRun, run: MesRun) -> bool:
        """Does ``run`` (recorded, at a larger share) provably keep ``guide``'s outcome for every
        share in between? ``run`` may have been guided by another run: the check only uses what
        its scans covered."""
        if guide.rounds is None or run.rounds is None or run.final_budgets is None:
            return False
        return self._certify(guide.rounds, run.rounds, run.final_budgets[1])

    def _move_groups(self, pending: list[tuple[int, dict]], group_class: list[int]) -> None:
        """Apply the class moves of past purchases to every supporter group."""
        if self.tallies is not None:
            for p, moves in pending:
                self.tallies.move(p, moves, group_class)
            pending.clear()
            return
        for p, moves in pending:
            if self.uniform:
                for g in self.supporters[p]:
                    group_class[g] = moves[group_class[g]]
            else:
                for g, u in zip(self.supporters[p], self.utilities[p]):
                    group_class[g] = moves[(group_class[g], u)]
        pending.clear()

    # -- certificates --------------------------------------------------------------------

    _BLOCK = 6
    """Longest run of independent purchases a certificate lets two runs reorder."""

    def _independent(self, p: int, q: int) -> bool:
        """No supporter group backs both projects, so buying one leaves the other's ρ alone."""
        key = (p, q) if p < q else (q, p)
        known = self._independence.get(key)
        if known is None:
            sets = self._supporter_sets
            for x in key:
                if x not in sets:
                    sets[x] = frozenset(self.supporters[x])
            known = self._independence[key] = sets[p].isdisjoint(sets[q])
        return known

    def _block(self, rounds: list[RoundRecord], t: int) -> int:
        """Length of the run of pairwise independent purchases starting at round index t."""
        members = [rounds[t].winner]
        k = t + 1
        while k < len(rounds) and len(members) < self._BLOCK:
            p = rounds[k].winner
            if not all(self._independent(p, q) for q in members):
                break
            members.append(p)
            k += 1
        return len(members)

    def _thresholds(self, guide: list[RoundRecord]) -> list[tuple[int, int]]:
        """Per round: the largest guide price a certificate may compare against (the price of
        the last purchase of the longest reorderable block starting there)."""
        return [guide[t + self._block(guide, t) - 1].rho for t in range(len(guide))]

    def _certify(self, guide: list[RoundRecord], rounds: list[RoundRecord], budgets: _Budgets) -> bool:
        """Is this run's outcome the outcome at every share between the guide's and ours?

        Fix the purchases made so far. Then every budget only grows with the share and every
        ρ only falls (paying min(budget, ρ × utility) leaves more of a larger budget, and more
        money lowers every price). So at round t, with winner w in both runs:

        * *sandwich*: a competitor q whose ρ here is above w's ρ in the guide can never beat w
          in between (ties: the smaller id wins, as always);
        * *affine*: otherwise, if the supporters of w and of q that pay everything they have
          are the same at both ends (such a set can only shrink as the share grows, so equal
          weight means the same set throughout) and all their budgets are affine in between
          (every purchase they paid for had the same payers at both ends), then ρ(q) − ρ(w) is
          affine in between, and having the right sign at both ends is enough.

        Purchases whose supporters are disjoint may come in another order: a block of such
        purchases is fine when both runs buy the same set in the same rounds and every other
        project here stays above the block's highest guide price (buying one block member does
        not change another's ρ and only raises everyone else's).
        """
        if len(rounds) != len(guide):
            return False
        ids = self.compiled.ids
        affine_purchase: list[bool] = []
        affine_class: dict[int, bool] = {0: True, _EMPTY: True}
        epochs, parents = budgets.epochs, budgets.parents

        def class_is_affine(c: int) -> bool:
            known = affine_class.get(c)
            if known is None:
                known = affine_class[c] = affine_purchase[epochs[c] - 1] and class_is_affine(parents[c])
            return known

        def table_is_affine(table: dict) -> bool:
            if self.uniform:
                return all(class_is_affine(c) for c in table)
            return all(class_is_affine(c) for c, _u in table)

        t = 0
        while t < len(rounds):
            now, then = rounds[t], guide[t]
            winner = now.winner
            if winner == then.winner and then.rho[0] / then.rho[1] <= now.covered:
                r_then = then.rho
                r_now, poor_now = now.seen[winner]
                winner_affine = None
                for q, (r_q, poor_q) in now.seen.items():
                    if q == winner:
                        continue
                    after = ids[winner] < ids[q]  # q loses exact ties
                    sign = _compare(r_q, r_then)
                    if sign > 0 or (after and sign == 0):
                        continue
                    old = then.seen.get(q)
                    if winner_affine is None:
                        winner_affine = then.poor == poor_now and table_is_affine(now.tables[winner])
                    if (not winner_affine or old is None or old[1] != poor_q
                            or not table_is_affine(now.tables[q])):
                        break
                    gap_then, gap_now = _compare(old[0], r_then), _compare(r_q, r_now)
                    if (gap_then < 0 or gap_now < 0) if after else (gap_then <= 0 or gap_now <= 0):
                        break
                else:
                    affine_purchase.append(
                        then.poor == poor_now and table_is_affine(now.tables[winner])
                    )
                    t += 1
                    continue
            size = self._reordered_block(guide, rounds, t)
            if size == 0:
                return False
            affine_purchase.extend([False] * size)  # budgets after a reordering: no claim
            t += size
        return True

    def _reordered_block(self, guide: list[RoundRecord], rounds: list[RoundRecord], t: int) -> int:
        """Size (at least 2) of a block of independent purchases bought in another order in
        both runs from round index t, whose competitors all stay above it; 0 if none."""
        ids = self.compiled.ids
        longest = self._block(guide, t)
        for size in range(2, longest + 1):
            if t + size > len(rounds):
                break
            members = {guide[k].winner for k in range(t, t + size)}
            if members != {rounds[k].winner for k in range(t, t + size)}:
                continue
            top = guide[t + size - 1].rho  # prices only rise round to round
            if top[0] / top[1] > rounds[t].covered:
                continue  # that scan did not look far enough to compare with this block
            last_id = max(ids[m] for m in members)
            if all(
                (sign := _compare(r_q, top)) > 0 or (sign == 0 and ids[q] > last_id)
                for q, (r_q, _poor) in rounds[t].seen.items()
                if q not in members
            ):
                return size
        return 0

    def _evaluate(self, p: int, per_class: dict, budgets: _Budgets) -> tuple | None:
        """None if the supporters cannot pay for ``p``; else (ρ, poor weight, charge, weight
        that paid all it had, weight that had nothing). ρ is found by sorting the supporters'
        classes by budget (per point) and letting the poorest pay everything they have until
        the rest can share the remainder equally (per point)."""
        numerators, epochs, lift = budgets.numerators, budgets.epochs, budgets.lift
        target = self.costs[p] * budgets.denominator
        if self.uniform:
            empty = per_class.get(_EMPTY, 0)
            entries = [(numerators[c] * lift[epochs[c]], w) for c, w in per_class.items() if c != _EMPTY]
            if sum([v * w for v, w in entries]) < target:
                return None
            payers = sum([w for _v, w in entries])
            if min(entries)[0] * payers >= target:
                # Everyone with money can pay an equal part: no need to sort anybody.
                return (1, payers), empty, (target, payers), 0, empty
            entries.sort()
            paid = 0
            poor = empty
            for v, w in entries:
                # price = (target - paid) / payers (over the denominator), compared undivided
                if target - paid <= v * payers:
                    break
                paid += w * v
                payers -= w
                poor += w
            rest = target - paid
            # price = rest / (payers × denominator); ρ = price / cost
            return (rest, payers * target), poor, (rest, payers), poor - empty, empty
        keyed = [(numerators[c] * lift[epochs[c]], u, w) for (c, u), w in per_class.items()]
        if sum([v * w for v, _u, w in keyed]) < target:
            return None
        common = 1
        for _v, u, _w in keyed:
            common = common * u // math.gcd(common, u)
        keyed.sort(key=lambda e: e[0] * (common // e[1]))  # by budget per point, exactly
        points = sum([w * u for _v, u, w in keyed])
        paid = poor = empty = 0
        for v, u, w in keyed:
            if (target - paid) * u <= v * points:
                break
            paid += w * v
            points -= w * u
            poor += w
            if v == 0:
                empty += w
        rest = target - paid
        return (rest, points * budgets.denominator), poor, (rest, points), poor - empty, empty

    def _price(self, charge: tuple[int, int], budgets: _Budgets) -> Fraction:
        """Most a voter paid, per voter (cost) or per point (points), in the caller's units."""
        rest, per = charge
        internal = Fraction(rest, per * budgets.denominator)
        return internal * self.weight_scale * self.point_scale / self.money_scale

    # -- outcomes ----------------------------------------------------------------------------

    def money_left(self, run: MesRun, p: int) -> Money:
        """What the supporters of project ``p`` had left between them when ``run`` ended."""
        if run.final_budgets is None:
            return 0
        group_class, budgets, pending = run.final_budgets
        if pending:
            self._move_groups(pending, group_class)
        final_value = budgets.final_value
        if self.tallies is not None:
            # Per budget class: a few hundred classes instead of every supporter group.
            total = sum(w * final_value(c) for c, w in self.tallies.count(p, group_class).items())
        else:
            weights = self.weights
            total = sum(weights[g] * final_value(group_class[g]) for g in self.supporters[p])
        return exact(budgets.fraction(total) / self.money_scale)

    def cost_of(self, run: MesRun) -> Money:
        costs = self.compiled.costs
        return exact(sum((costs[p] for p in run.selected), 0))

    def is_exhaustive(self, run: MesRun, budget: Money) -> bool:
        """pabutools' check: no unselected *supported* project fits in what is left."""
        left = budget - self.cost_of(run)
        chosen = set(run.selected)
        costs = self.compiled.costs
        return not any(costs[p] <= left for p in self.candidates if p not in chosen)


@dataclass(slots=True)
class Iterated:
    run: MesRun
    raised_by: int
    runs: int
    stop: str


def raise_shares(engine: EqualShares, budget: Money, exhaustive_stop: bool = True) -> Iterated:
    """The add-one loop (``exhaustive_stop``) or its ``noexh`` variant; see the module docstring.

    Returns the run at the exact increment where pabutools stops, with the outcome it returns.
    Stretches of increments are skipped only when a certificate proves that the outcome cannot
    change anywhere over them. The jump doubles after a success and halves after a failure;
    a run made for a failed jump is kept, since it may certify or be judged later (that is
    tried first after the next judged increment).
    """
    start = Fraction(budget) / engine.compiled.total_weight
    last = math.floor(budget) if not exhaustive_stop else None
    base, current = 0, engine.run(start, record=True)
    runs = 1
    if exhaustive_stop and engine.is_exhaustive(current, budget):
        return Iterated(current, 0, runs, "exhaustive")
    spare: dict[int, MesRun] = {}  # runs at increments beyond ``base``, made for failed jumps
    step = 1
    while True:
        if last is not None and base >= last:
            return Iterated(current, base, runs, "reached the largest increment")
        target = base + step if last is None else min(base + step, last)
        candidate = spare.pop(target, None)
        if candidate is None:
            candidate = engine.run(start + target, guide=current, record=True)
            runs += 1
            certified = candidate.certified
        else:
            certified = engine.certifies(current, candidate)
        if certified:
            # Same outcome for every share in [base, target]: none of those increments stops.
            base, current = target, candidate
            spare = {k: r for k, r in spare.items() if k > base}
            # Jump twice as far, but not past a run that failed before: the change it saw
            # lies before it.
            step = min(2 * step, min(spare, default=base + 2 * step) - base)
        elif target > base + 1:
            spare[target] = candidate
            step = max(1, (target - base) // 2)
            continue
        else:
            # The very next increment: judge it as pabutools does.
            if engine.cost_of(candidate) > budget:
                return Iterated(current, base, runs, "next increment would overspend")
            if exhaustive_stop and engine.is_exhaustive(candidate, budget):
                return Iterated(candidate, target, runs, "exhaustive")
            base, current = target, candidate
            spare = {k: r for k, r in spare.items() if k > base}
            # Past a change of outcome, first try the farthest run already made: if nothing
            # else changes before it, it certifies without another run.
            step = max(spare, default=base + 1) - base


# -- allocations --------------------------------------------------------------------------


def _explanations(engine: EqualShares, run: MesRun, money: MoneyFormatter | None,
                  raised: dict | None = None) -> dict:
    """Every project's explanation; ``raised`` adds the add-one facts (the starting share, the
    number of voters and the budget) so that a sentence can say why the final share is larger."""
    compiled = engine.compiled
    ids = compiled.ids
    utility = engine.utility
    out = {}
    for p in run.free:
        out[ids[p]] = explain.explanation(
            ids[p], True, FUNDED, "equal_shares",
            {"utility": utility, "free": True, "round": 0, "cost": 0, "share": run.share,
             "supporters": engine.support_weight[p], **(raised or {})},
            money,
        )
    for purchase in run.purchases:
        p = purchase.project
        out[ids[p]] = explain.explanation(
            ids[p], True, FUNDED, "equal_shares",
            {"utility": utility, "round": purchase.round, "cost": compiled.costs[p],
             "share": run.share, "supporters": engine.support_weight[p],
             "price": purchase.price, "paid_all": purchase.paid_all,
             "had_nothing": purchase.had_nothing, **(raised or {})},
            money,
        )
    for p in range(compiled.num_projects):
        if ids[p] in out:
            continue
        facts = {"utility": utility, "cost": compiled.costs[p], "share": run.share,
                 "supporters": engine.support_weight[p], **(raised or {})}
        if engine.total_utility[p] > 0:
            facts["money_left"] = engine.money_left(run, p)
            out[ids[p]] = explain.explanation(ids[p], False, SUPPORTERS_COULD_NOT_AFFORD,
                                              "equal_shares", facts, money)
        else:
            if engine.uniform and compiled.costs[p] == 0 and compiled.listed_weight[p] > 0:
                facts["free_ignored"] = True
            out[ids[p]] = explain.explanation(ids[p], False, NO_SUPPORT, "equal_shares", facts, money)
    return {pid: out[pid] for pid in ids}


def engine_for(election: Election, utility: str) -> EqualShares:
    compiled = compile_profile(election)
    cache = election.__dict__.setdefault("_equal_shares_engines", {})
    engine = cache.get(utility)
    if engine is None:
        engine = cache[utility] = EqualShares(compiled, utility)
    return engine


def _empty_run(engine: EqualShares) -> MesRun:
    return MesRun(share=0, free=[], purchases=[])


def solve(election: Election, utility: str, variant: str | None = None) -> tuple[EqualShares, MesRun, dict]:
    """Run MES (``variant`` None), ``"add1"`` or ``"add1_noexh"``; also return rule-level details.

    Results are kept on the (immutable) election, so ``mes_cost_add1_greedy`` after
    ``mes_cost_add1`` on the same election does not redo the add-one search.
    """
    solved = election.__dict__.setdefault("_equal_shares_solved", {})
    key = (utility, variant)
    if key not in solved:
        solved[key] = _solve(election, utility, variant)
    engine, run, details = solved[key]
    return engine, run, dict(details)


def _solve(election: Election, utility: str, variant: str | None) -> tuple[EqualShares, MesRun, dict]:
    engine = engine_for(election, utility)
    details: dict = {"utility": utility}
    if engine.compiled.total_weight == 0:
        return engine, _empty_run(engine), details  # pabutools returns nothing when nobody voted
    start = Fraction(election.budget) / engine.compiled.total_weight
    if variant is None:
        return engine, engine.run(start), details
    if variant not in ("add1", "add1_noexh"):
        raise ValueError(f"unknown equal shares variant {variant!r}")
    iterated = raise_shares(engine, election.budget, exhaustive_stop=(variant == "add1"))
    iterated.run.rounds = None  # the search's per-round records are not needed any more
    details.update(
        variant=variant,
        share_start=explain.fact(exact(start)),
        share_final=explain.fact(iterated.run.share),
        raised_by=iterated.raised_by,
        runs=iterated.runs,
        stop=iterated.stop,
    )
    return engine, iterated.run, details


def allocate(election: Election, rule: str, label: str, utility: str, variant: str | None = None,
             money: MoneyFormatter | None = None) -> Allocation:
    engine, run, details = solve(election, utility, variant)
    return outcome_of(election, engine, run, rule, label, details, money)


def outcome_of(election: Election, engine: EqualShares, run: MesRun, rule: str, label: str,
               details: dict, money: MoneyFormatter | None) -> Allocation:
    compiled = engine.compiled
    selected = tuple(compiled.ids[p] for p in run.selected)
    cost = engine.cost_of(run)
    raised = None
    if details.get("variant"):
        raised = {"share_start": details["share_start"], "voters": compiled.total_weight,
                  "budget": election.budget}
    summary = explain.summary(label, len(selected), compiled.num_projects, cost, election.budget, money)
    if details.get("variant"):
        summary += (
            f" Each voter's share was raised from {(money or explain.plain_money)(exact(Fraction(details['share_start'])))}"
            f" to {(money or explain.plain_money)(run.share)}."
        )
    return Allocation(
        rule=rule,
        budget=election.budget,
        selected=selected,
        cost=cost,
        explanations=_explanations(engine, run, money, raised),
        summary=summary,
        details=details,
    )
