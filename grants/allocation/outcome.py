"""What a rule returns: the selection, its exact cost, and an explanation for every project.

Glossary
--------
allocation
    The outcome of one rule on one election: the projects selected, in the order the rule chose
    them, their exact total cost, and one :class:`Explanation` per project of the election.
explanation
    Why one project was or was not selected: a short stable ``reason`` code (for code and
    templates), ``facts`` (plain JSON values: ints, strings, booleans, lists and dicts; an amount
    that is not whole is written as the string of a fraction, ``"1655677/2"``) and a
    ``sentence`` in plain words for the people who voted (English, or the language the app
    installed in :mod:`workflows.i18n`; ``explain.retell`` tells it again from the facts).
reason codes
    ``funded``, ``funded_by_completion`` (bought with leftover money after equal shares),
    ``did_not_fit`` (not enough money left when its turn came), ``supporters_could_not_afford``
    (equal shares: its supporters' remaining shares did not add up to its cost), ``no_support``
    (nobody voted for it), ``costs_more_than_budget`` (Phragmén drops these first) and
    ``rule_stopped`` (Phragmén stopped before reaching it).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from grants.allocation.model import Money

FUNDED = "funded"
FUNDED_BY_COMPLETION = "funded_by_completion"
DID_NOT_FIT = "did_not_fit"
SUPPORTERS_COULD_NOT_AFFORD = "supporters_could_not_afford"
NO_SUPPORT = "no_support"
COSTS_MORE_THAN_BUDGET = "costs_more_than_budget"
RULE_STOPPED = "rule_stopped"

REASONS = (
    FUNDED,
    FUNDED_BY_COMPLETION,
    DID_NOT_FIT,
    SUPPORTERS_COULD_NOT_AFFORD,
    NO_SUPPORT,
    COSTS_MORE_THAN_BUDGET,
    RULE_STOPPED,
)


@dataclass(frozen=True, slots=True)
class Explanation:
    project_id: str
    selected: bool
    reason: str
    facts: Mapping[str, Any]
    sentence: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "project_id": self.project_id,
            "selected": self.selected,
            "reason": self.reason,
            "facts": dict(self.facts),
            "sentence": self.sentence,
        }


@dataclass(frozen=True)
class Allocation:
    """The outcome of a rule. ``selected`` is in selection order; ``cost`` is exact."""

    rule: str
    budget: Money
    selected: tuple[str, ...]
    cost: Money
    explanations: Mapping[str, Explanation]
    summary: str = ""
    details: Mapping[str, Any] = field(default_factory=dict)

    @property
    def selected_sorted(self) -> list[str]:
        return sorted(self.selected)

    def as_dict(self) -> dict[str, Any]:
        from grants.allocation.explain import fact

        return {
            "rule": self.rule,
            "budget": fact(self.budget),
            "selected": list(self.selected),
            "cost": fact(self.cost),
            "summary": self.summary,
            "details": dict(self.details),
            "explanations": {pid: e.as_dict() for pid, e in self.explanations.items()},
        }
