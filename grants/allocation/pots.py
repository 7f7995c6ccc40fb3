"""Ring-fenced pots: part of the budget kept for a set of projects (a theme).

Glossary
--------
pot
    A name, a budget and the projects it may fund (:class:`Pot`, or a plain
    ``(name, budget, project_ids)`` tuple). A project belongs to at most one pot.
ring-fenced run
    The rule runs once per pot, in the order given, on a *restricted election*: the pot's
    budget, the pot's projects, and the same voters (ballots keep only the pot's projects; a
    voter who chose none of them still holds a share of the pot's money under equal shares).
general pot
    Then the rule runs once more with what is left of the total budget (total − money spent
    in the ring-fenced pots) over every project not yet funded, including pot projects the pot
    could not fund. Unspent pot money therefore flows back into the general pot.

Each pot run respects its own budget, so the combined cost never exceeds any pot nor the total.

In a ``.pb`` file
    The pots travel as pabulib categories: META ``categories`` names them, ``budget_per_category``
    gives their budgets in the same order, and each project's ``category`` column names its pot
    (projects without one are only in the general pot). :func:`pots_in` reads them back. Some
    pabulib files (Amsterdam's) use ``budget_per_category`` for a cap per category rather than a
    ring-fenced pot, so reading pots from a file is always the caller's choice.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from workflows.i18n import gettext as _, ngettext

from grants.allocation import explain
from grants.allocation.explain import MoneyFormatter
from grants.allocation.model import Election, Money, exact
from grants.allocation.outcome import Allocation, Explanation
from grants.allocation.registry import RULES, RuleNotApplicable, UnknownRule

GENERAL_POT = "general"


@dataclass(frozen=True)
class Pot:
    name: str
    budget: Money
    project_ids: tuple[str, ...]

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.strip():
            raise ValueError("a pot needs a name")
        object.__setattr__(self, "budget", exact(self.budget))
        if self.budget < 0:
            raise ValueError(f"pot {self.name!r}: the budget must not be negative")
        object.__setattr__(self, "project_ids", tuple(self.project_ids))


@dataclass(frozen=True)
class PotResult:
    name: str
    budget: Money
    allocation: Allocation


@dataclass(frozen=True)
class PotsAllocation:
    """Ring-fenced pots then the general pot; ``pots`` lists them in that order."""

    rule: str
    budget: Money
    selected: tuple[str, ...]
    cost: Money
    explanations: Mapping[str, Explanation]
    pots: tuple[PotResult, ...]
    summary: str

    def pot_of(self, project_id: str) -> str | None:
        """The pot that funded the project, or None if it was not funded."""
        for pot in self.pots:
            if project_id in pot.allocation.selected:
                return pot.name
        return None

    def as_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "budget": explain.fact(self.budget),
            "selected": list(self.selected),
            "cost": explain.fact(self.cost),
            "summary": self.summary,
            "pots": [
                {"name": p.name, "budget": explain.fact(p.budget), "allocation": p.allocation.as_dict()}
                for p in self.pots
            ],
            "explanations": {pid: e.as_dict() for pid, e in self.explanations.items()},
        }


def _as_pot(value: Pot | tuple | list) -> Pot:
    if isinstance(value, Pot):
        return value
    try:
        name, budget, project_ids = value
    except (TypeError, ValueError):
        raise ValueError("a pot is (name, budget, project ids)") from None
    if isinstance(project_ids, str):
        raise ValueError(f"pot {name!r}: give the project ids as a list, not one string")
    return Pot(name, budget, tuple(project_ids))


def pots_in(election: Election) -> list[Pot]:
    """The ring-fenced pots a ``.pb`` file carries (META ``categories`` + ``budget_per_category``).

    Raises ``ValueError`` when the two lists are not the same length or a budget is not a number.
    """
    names = [n.strip() for n in election.meta.get("categories", "").split(",") if n.strip()]
    budgets = [b.strip() for b in election.meta.get("budget_per_category", "").split(",") if b.strip()]
    if not budgets:
        return []
    if len(names) != len(budgets):
        raise ValueError(f"META lists {len(names)} categories but {len(budgets)} budgets per category")
    pots = []
    for name, budget in zip(names, budgets):
        try:
            amount = exact(budget)
        except (TypeError, ValueError):
            raise ValueError(f"the budget of category {name!r} ({budget!r}) is not a number") from None
        pots.append(Pot(name, amount, tuple(p.id for p in election.projects if name in p.categories)))
    return pots


def allocate_with_pots(
    election: Election,
    rule_name: str,
    pots: Iterable[Pot | tuple],
    format_money: MoneyFormatter | None = None,
) -> PotsAllocation:
    """Run ``rule_name`` per ring-fenced pot, then over the rest with the money left."""
    try:
        rule = RULES[rule_name]
    except KeyError:
        raise UnknownRule(rule_name) from None
    if not rule.supports(election.kind):
        raise RuleNotApplicable(rule.name, election.kind, rule.kinds)
    pot_list = [_as_pot(p) for p in pots]
    names: set[str] = set()
    owner: dict[str, str] = {}
    for pot in pot_list:
        if pot.name == GENERAL_POT or pot.name in names:
            raise ValueError(f"pot name {pot.name!r} is already taken")
        names.add(pot.name)
        for pid in pot.project_ids:
            election.project(pid)  # raises KeyError for an unknown project
            if pid in owner:
                raise ValueError(f"project {pid} is in both {owner[pid]!r} and {pot.name!r}")
            owner[pid] = pot.name
    ring_fenced = exact(sum((p.budget for p in pot_list), 0))
    if ring_fenced > election.budget:
        raise ValueError("the ring-fenced pots add up to more than the whole budget")

    money = format_money
    results: list[PotResult] = []
    explanations: dict[str, Explanation] = {}
    for pot in pot_list:
        allocation = rule(election.restricted(pot.budget, pot.project_ids), money)
        results.append(PotResult(pot.name, pot.budget, allocation))
        for pid, why in allocation.explanations.items():
            explanations[pid] = explain.with_pot(why, pot.name, pot.budget, money)
    spent = exact(sum((r.allocation.cost for r in results), 0))
    funded = {pid for r in results for pid in r.allocation.selected}
    general_budget = election.budget - spent
    rest = [p.id for p in election.projects if p.id not in funded]
    general = rule(election.restricted(general_budget, rest), money)
    results.append(PotResult(GENERAL_POT, general_budget, general))
    for pid, why in general.explanations.items():
        explanations[pid] = explain.with_pot(why, GENERAL_POT, general_budget, money,
                                             earlier=explanations.get(pid))

    selected = tuple(pid for r in results for pid in r.allocation.selected)
    cost = exact(spent + general.cost)
    fmt = money or explain.plain_money
    parts = "; ".join(
        _("%(pot)s: %(funded)d for %(cost)s of %(budget)s",
          pot=_("general") if r.name == GENERAL_POT else r.name, funded=len(r.allocation.selected),
          cost=fmt(r.allocation.cost), budget=fmt(r.budget))
        for r in results
    )
    summary = ngettext(
        "%(rule)s with ring-fenced pots: funded %(funded)d of %(num)d project for %(cost)s of the "
        "%(budget)s budget (%(parts)s).",
        "%(rule)s with ring-fenced pots: funded %(funded)d of %(num)d projects for %(cost)s of the "
        "%(budget)s budget (%(parts)s).",
        len(election.projects), rule=_(rule.label), funded=len(selected), cost=fmt(cost),
        budget=fmt(election.budget), parts=parts)
    return PotsAllocation(
        rule=rule.name,
        budget=election.budget,
        selected=selected,
        cost=cost,
        explanations={p.id: explanations[p.id] for p in election.projects},
        pots=tuple(results),
        summary=summary,
    )
