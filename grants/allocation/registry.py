"""The rule registry: every allocation rule under a stable name.

A round stores the rule's *name* (``RULES`` key), so names never change. Each name reproduces
one pabutools 1.2.3 call exactly (see ``shared/pabulib/reference.json`` → ``rules``), always
with lexicographic tie-breaking by project id string:

=========================  ==================================================================
``greedy_cost``            greedy by number of supporters (``Cost_Sat``)
``greedy_card``            greedy by supporters per unit of cost (``Cardinality_Sat``)
``greedy_points``          greedy by points per unit of cost (``Additive_Cardinal_Sat``)
``mes_cost``               equal shares, cost utility, no completion
``mes_cost_add1``          equal shares with the add-one completion (``voter_budget_increment=1``)
``mes_cost_add1_greedy``   ``mes_cost_add1``, then leftover money by ``greedy_cost``
                           (``completion_by_rule_combination``)
``mes_cost_add1_noexh``    add-one without the exhaustiveness stop (equalshares.net's default)
``mes_points``             equal shares, points utility
``mes_points_add1``        ``mes_points`` with the add-one completion
``mes_points_add1_greedy`` ``mes_points_add1``, then ``greedy_points``
``phragmen``               sequential Phragmén (approval ballots only)
=========================  ==================================================================

Glossary
--------
rule
    A callable object: ``RULES[name](election, format_money=None) -> Allocation``. It has a
    ``name``, a short ``label`` for people, a ``description`` and ``supports(kind)``. The label and
    description are English, marked with ``N_``: show them translated (``_(rule.label)``).
not applicable
    A rule that cannot read a ballot kind (points rules on approval ballots, Phragmén on
    anything but approval) raises :class:`RuleNotApplicable` instead of guessing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from workflows.i18n import N_, gettext as _

from grants.allocation import equal_shares, explain, greedy, phragmen
from grants.allocation.explain import MoneyFormatter
from grants.allocation.model import BallotKind, Election
from grants.allocation.outcome import Allocation
from grants.allocation.profile import compile_profile


class RuleNotApplicable(ValueError):
    """The rule cannot be used with this kind of ballot."""

    def __init__(self, rule: str, kind: BallotKind, supported: Iterable[BallotKind]) -> None:
        self.rule = rule
        self.kind = BallotKind(kind)
        self.supported = tuple(sorted(BallotKind(k).value for k in supported))
        super().__init__(
            f"the rule {rule!r} does not apply to {self.kind.value} ballots "
            f"(it needs {' or '.join(self.supported)} ballots)"
        )


class UnknownRule(LookupError):
    def __init__(self, name: str) -> None:
        self.name = name
        super().__init__(f"no allocation rule called {name!r}; known rules: {', '.join(RULES)}")

    def __str__(self) -> str:
        return str(self.args[0])


ALL_KINDS = frozenset(BallotKind)
POINTS_KINDS = frozenset({BallotKind.CUMULATIVE, BallotKind.SCORING})
APPROVAL_ONLY = frozenset({BallotKind.APPROVAL})


@dataclass(frozen=True)
class Rule:
    name: str
    label: str
    description: str
    kinds: frozenset[BallotKind]
    compute: Callable[[Election, Rule, MoneyFormatter | None], Allocation]

    def supports(self, ballot_kind: BallotKind | str) -> bool:
        return BallotKind(ballot_kind) in self.kinds

    def __call__(self, election: Election, format_money: MoneyFormatter | None = None) -> Allocation:
        if not self.supports(election.kind):
            raise RuleNotApplicable(self.name, election.kind, self.kinds)
        return self.compute(election, self, format_money)


def _greedy(basis: str):
    def compute(election: Election, rule: Rule, money: MoneyFormatter | None) -> Allocation:
        return greedy.allocate(election, rule.name, rule.label, basis, money)

    return compute


def _equal_shares(utility: str, variant: str | None = None):
    def compute(election: Election, rule: Rule, money: MoneyFormatter | None) -> Allocation:
        return equal_shares.allocate(election, rule.name, rule.label, utility, variant, money)

    return compute


def _equal_shares_then_greedy(utility: str, basis: str):
    """pabutools' ``completion_by_rule_combination([MES add1, greedy])``."""

    def compute(election: Election, rule: Rule, money: MoneyFormatter | None) -> Allocation:
        engine, run, details = equal_shares.solve(election, utility, "add1")
        first = equal_shares.outcome_of(election, engine, run, rule.name, rule.label, details, money)
        compiled = compile_profile(election)
        chosen = run.selected
        left = election.budget - first.cost
        taken = set(chosen)
        exhaustive = not any(
            compiled.costs[p] <= left for p in range(compiled.num_projects) if p not in taken
        )
        details = dict(details, completion=basis, completed=not exhaustive)
        if exhaustive:
            return Allocation(rule.name, election.budget, first.selected, first.cost,
                              first.explanations, first.summary, details)
        steps = greedy.greedy_steps(compiled, basis, election.budget, already=chosen)
        explanations = dict(first.explanations)
        for step in steps:
            pid = compiled.ids[step.project]
            explanations[pid] = explain.with_stage(
                first.explanations[pid], "greedy", greedy.step_reason(step, completion=True),
                greedy.step_facts(compiled, basis, step), step.funded, money,
            )
        added = [s.project for s in steps if s.funded]
        selected = first.selected + tuple(compiled.ids[p] for p in added)
        cost = first.cost + sum((compiled.costs[p] for p in added), 0)
        summary = explain.summary(rule.label, len(selected), compiled.num_projects, cost,
                                  election.budget, money)
        more = _("Equal shares funded %(first)d; the money left over then funded %(added)d more.",
                 first=len(first.selected), added=len(added))
        summary = f"{summary} {more}"
        return Allocation(rule.name, election.budget, selected, cost, explanations, summary, details)

    return compute


def _phragmen(election: Election, rule: Rule, money: MoneyFormatter | None) -> Allocation:
    return phragmen.allocate(election, rule.name, rule.label, money)



RULES: dict[str, Rule] = {
    rule.name: rule
    for rule in (
        Rule(
            "greedy_cost", N_("Most votes first"),
            N_("Projects are taken in order of their number of supporters; each is funded if its "
               "cost still fits the money left, otherwise it is skipped."),
            ALL_KINDS, _greedy("supporters"),
        ),
        Rule(
            "greedy_card", N_("Most votes per pound first"),
            N_("Projects are taken in order of supporters per unit of cost, so cheaper projects with "
               "the same support come first; each is funded if it still fits."),
            ALL_KINDS, _greedy("supporters_per_cost"),
        ),
        Rule(
            "greedy_points", N_("Most points per pound first"),
            N_("Projects are taken in order of points per unit of cost; each is funded if it still "
               "fits."),
            POINTS_KINDS, _greedy("points_per_cost"),
        ),
        Rule(
            "mes_cost", N_("Equal shares"),
            N_("Every voter gets an equal share of the budget; a project is bought when its "
               "supporters can pay for it together, cheapest price per supporter first, so every "
               "group of voters gets a fair part of the budget. Often leaves money unspent."),
            ALL_KINDS, _equal_shares("cost"),
        ),
        Rule(
            "mes_cost_add1", N_("Equal shares (add-one)"),
            N_("Equal shares, as in mes_cost. Every voter's share is then raised one unit at a time (the "
               "add-one completion) and the rule rerun, stopping at the first outcome that leaves no "
               "supported project affordable, or keeping the previous outcome if the next one would "
               "overspend."),
            ALL_KINDS, _equal_shares("cost", "add1"),
        ),
        Rule(
            "mes_cost_add1_greedy", N_("Equal shares (add-one, then most votes)"),
            N_("Equal shares with the add-one completion; any money still left is then spent on "
               "the remaining projects with the most votes that fit."),
            ALL_KINDS, _equal_shares_then_greedy("cost", "supporters"),
        ),
        Rule(
            "mes_cost_add1_noexh", N_("Equal shares (raise while affordable)"),
            N_("Equal shares; every voter's share is raised one unit at a time for as long as the "
               "outcome stays within the budget, and the last affordable outcome is kept "
               "(equalshares.net's default completion)."),
            ALL_KINDS, _equal_shares("cost", "add1_noexh"),
        ),
        Rule(
            "mes_points", N_("Equal shares by points"),
            N_("Equal shares where a supporter's stake in a project is the points they gave it."),
            POINTS_KINDS, _equal_shares("points"),
        ),
        Rule(
            "mes_points_add1", N_("Equal shares by points (add-one)"),
            N_("Equal shares by points. Every voter's share is then raised one unit at a time (the "
               "add-one completion) and the rule rerun, stopping at the first outcome that leaves no "
               "supported project affordable, or keeping the previous outcome if the next one would "
               "overspend."),
            POINTS_KINDS, _equal_shares("points", "add1"),
        ),
        Rule(
            "mes_points_add1_greedy", N_("Equal shares by points (add-one, then most points)"),
            N_("Equal shares by points with the add-one completion; money still left is then spent "
               "by points per unit of cost."),
            POINTS_KINDS, _equal_shares_then_greedy("points", "points_per_cost"),
        ),
        Rule(
            "phragmen", N_("Phragmén"),
            N_("Projects are funded one at a time, each time the one whose supporters' shared load "
               "stays lowest; stops at the first project that no longer fits."),
            APPROVAL_ONLY, _phragmen,
        ),
    )
}


def run_rule(name: str, election: Election, format_money: MoneyFormatter | None = None) -> Allocation:
    try:
        rule = RULES[name]
    except KeyError:
        raise UnknownRule(name) from None
    return rule(election, format_money)
