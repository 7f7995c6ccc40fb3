"""Plain-language sentences for allocation outcomes.

A rule records *facts* about each project (exact numbers, as JSON values) and a reason code; this
module turns (family, reason, facts) into one English sentence (:func:`describe`). A sentence
depends only on its facts, so an app can store them and re-render later with another money
formatter; two-stage explanations (greedy completion after equal shares, the general pot after
a ring-fenced one) join two such sentences (:func:`with_stage`, :func:`with_pot`).

Glossary
--------
family
    Which kind of rule produced the facts: ``greedy``, ``equal_shares`` or ``phragmen``.
money formatter
    A callable from an exact amount (int or Fraction) to text. The default,
    :func:`plain_money`, writes a plain number with thousands separators (``1,234`` or
    ``1,234.50``); the web app passes one that prints pence as pounds (``£12.34``).
share
    Equal shares: the part of the budget each voter starts with (budget / number of voters,
    possibly raised by the add-one completion).
load
    Phragmén: how much money each supporter of the funded projects has so far been charged,
    as if the cost of every funded project were spread evenly over its supporters.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import ROUND_HALF_EVEN, Decimal
from fractions import Fraction
from typing import Any

from grants.allocation.model import Money, exact
from grants.allocation.outcome import (
    COSTS_MORE_THAN_BUDGET,
    DID_NOT_FIT,
    FUNDED,
    FUNDED_BY_COMPLETION,
    NO_SUPPORT,
    RULE_STOPPED,
    SUPPORTERS_COULD_NOT_AFFORD,
    Explanation,
)

MoneyFormatter = Callable[[Money], str]


def fact(value: Any) -> Any:
    """A JSON-able form of ``value``: ints stay ints, other fractions become ``"p/q"`` strings."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int):
        return value
    if isinstance(value, Fraction):
        return value.numerator if value.denominator == 1 else str(value)
    if isinstance(value, Mapping):
        return {str(k): fact(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [fact(v) for v in value]
    raise TypeError(f"{type(value).__name__} is not a plain fact")


def _decimal(value: Money, places: int) -> Decimal:
    value = exact(value)
    if isinstance(value, int):
        return Decimal(value)
    quantum = Decimal(1).scaleb(-places)
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(
        quantum, rounding=ROUND_HALF_EVEN
    )


def plain_money(value: Money) -> str:
    """1234 -> '1,234'; 1234.5 -> '1,234.50'; 1000/3 -> '333.33'."""
    value = exact(value)
    if isinstance(value, int):
        return f"{value:,}"
    return f"{_decimal(value, 2):,.2f}"


def plain_count(value: Any) -> str:
    """A number of voters or points: whole numbers with separators, else up to two decimals."""
    value = exact(value)
    if isinstance(value, int):
        return f"{value:,}"
    return f"{_decimal(value, 2):,.2f}".rstrip("0").rstrip(".")


def ordinal(n: int) -> str:
    if 10 <= n % 100 <= 20:
        suffix = "th"
    else:
        suffix = {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _plural(n: Any, one: str, many: str) -> str:
    return f"{plain_count(n)} {one if exact(n) == 1 else many}"


_GREEDY_BASIS = {
    "supporters": "by number of supporters",
    "supporters_per_cost": "by supporters per unit of cost",
    "points_per_cost": "by points per unit of cost",
}


def _greedy(reason: str, f: Mapping[str, Any], money: MoneyFormatter) -> str:
    cost = money(exact(f["cost"]))
    left = money(exact(f["left"]))
    noun = ("point", "points") if f["basis"] == "points_per_cost" else ("supporter", "supporters")
    basis = _GREEDY_BASIS[f["basis"]]
    funded = reason in (FUNDED, FUNDED_BY_COMPLETION)
    if exact(f["support"]) > 0:
        support = f" with {_plural(f['support'], *noun)}"
    else:
        support = ", as nobody voted for it" if noun[0] == "supporter" else ", as it got no points"
    if f.get("completion"):
        opening = (
            f"Then the money left over was spent {basis}: it came {ordinal(f['rank'])} in that "
            f"queue{support}"
        )
        if funded:
            return f"{opening}, and {left} was still left, enough for its cost of {cost}, so it was funded."
        return f"{opening}, but only {left} was left, less than its cost of {cost}, so it was not funded."
    opening = f"It came {ordinal(f['rank'])} in the queue ({basis}){support}"
    if funded:
        return f"Funded. {opening}, and when its turn came {left} was left, enough for its cost of {cost}."
    return (
        f"Not funded. {opening}, but when its turn came only {left} was left, less than its "
        f"cost of {cost}."
    )


def _equal_shares(reason: str, f: Mapping[str, Any], money: MoneyFormatter) -> str:
    cost = money(exact(f["cost"]))
    share = money(exact(f["share"]))
    if reason == FUNDED:
        if f.get("free"):
            return (
                f"Funded at the start: it costs nothing and "
                f"{_plural(f['supporters'], 'person', 'people')} voted for it."
            )
        per = "per point they gave it" if f["utility"] == "points" else "each"
        notes = []
        if exact(f["paid_all"]) > 0:
            notes.append(f"{_plural(f['paid_all'], 'supporter', 'supporters')} paid all they had left")
        if exact(f.get("had_nothing", 0)) > 0:
            notes.append(f"{plain_count(f['had_nothing'])} had nothing left to give")
        tail = f" ({'; '.join(notes)})" if notes else ""
        if _raised(f):
            return (
                f"Funded in round {f['round']} of equal shares. {_add_one_story(f, money)} Its "
                f"{_plural(f['supporters'], 'supporter', 'supporters')} paid its cost of {cost} "
                f"together, at most {money(exact(f['price']))} {per}{tail}."
            )
        return (
            f"Funded in round {f['round']} of equal shares: every voter started with a share of "
            f"{share}, and its {_plural(f['supporters'], 'supporter', 'supporters')} paid its "
            f"cost of {cost} together, at most {money(exact(f['price']))} {per}{tail}."
        )
    verdict = "Equal shares could not fund it" if f.get("staged") else "Not funded"
    if reason == NO_SUPPORT:
        if f.get("free_ignored"):
            return (
                f"{verdict}: it costs nothing, and with cost-based utility a free project gives "
                f"its supporters no utility, so equal shares never buys it."
            )
        nobody = "nobody gave it any points" if f.get("utility") == "points" else "nobody voted for it"
        return f"{verdict}: {nobody}, so no share of the budget could pay for it."
    if _raised(f):
        return (
            f"{verdict}. {_add_one_story(f, money)} In the end its "
            f"{_plural(f['supporters'], 'supporter', 'supporters')} had only "
            f"{money(exact(f['money_left']))} left between them, less than its cost of {cost}."
        )
    return (
        f"{verdict}: every voter started with a share of {share}, but in the end its "
        f"{_plural(f['supporters'], 'supporter', 'supporters')} had only "
        f"{money(exact(f['money_left']))} left between them, less than its cost of {cost}."
    )


def _raised(f: Mapping[str, Any]) -> bool:
    """Did the add-one completion raise the shares (and do the facts say from what)?"""
    return "share_start" in f and "voters" in f and exact(f["share"]) != exact(f["share_start"])


def _add_one_story(f: Mapping[str, Any], money: MoneyFormatter) -> str:
    """The add-one completion in words a member follows: why the final share is more than the
    budget divided by the number of voters, and why that does not overspend."""
    budget = money(exact(f["budget"]))
    voters = exact(f["voters"])
    share = exact(f["share"])
    story = (
        f"Sharing the {budget} equally gave each of the {_plural(voters, 'voter', 'voters')} "
        f"{money(exact(f['share_start']))}; that left money unspent, so the count was run again "
        f"with every share raised a step at a time (the \u201cadd-one\u201d completion), until "
        f"the money was used as fully as the budget allows: it stopped at {money(share)} each."
    )
    if share * voters > exact(f["budget"]):
        story += (
            f" Together those shares come to {money(share * voters)}, more than the {budget}, but "
            f"nobody spends their whole share: what was funded costs no more than the {budget}."
        )
    return story


def _phragmen(reason: str, f: Mapping[str, Any], money: MoneyFormatter) -> str:
    cost = money(exact(f["cost"]))
    if reason == FUNDED:
        if exact(f["supporters"]) <= 0:
            return (
                f"Funded {ordinal(f['position'])}: nobody voted for it, but every supported "
                f"project had been settled and it still fitted the budget."
            )
        return (
            f"Funded {ordinal(f['position'])}: its "
            f"{_plural(f['supporters'], 'supporter', 'supporters')} could share its cost of "
            f"{cost} once each of them had been charged {money(exact(f['load']))} in all "
            f"(counting projects funded before it)."
        )
    if reason == COSTS_MORE_THAN_BUDGET:
        return (
            f"Not funded: its cost of {cost} is more than the whole budget of "
            f"{money(exact(f['budget']))}."
        )
    if reason == NO_SUPPORT:
        return "Not funded: nobody voted for it."
    if reason == DID_NOT_FIT:
        return (
            f"Not funded: it was next in line (each of its supporters would have been charged "
            f"{money(exact(f['load']))} in all), but only {money(exact(f['left']))} of the budget "
            f"was left, less than its cost of {cost}, so the rule stopped there."
        )
    return (
        f"Not funded: the rule stopped when \u201c{f['stopped_at_name']}\u201d did not fit the "
        f"{money(exact(f['left']))} left; this project would have needed each of its "
        f"{_plural(f['supporters'], 'supporter', 'supporters')} to be charged "
        f"{money(exact(f['load']))} in all."
    )


_FAMILIES: dict[str, Callable[[str, Mapping[str, Any], MoneyFormatter], str]] = {
    "greedy": _greedy,
    "equal_shares": _equal_shares,
    "phragmen": _phragmen,
}

_KNOWN_REASONS = {
    "greedy": {FUNDED, FUNDED_BY_COMPLETION, DID_NOT_FIT, NO_SUPPORT},
    "equal_shares": {FUNDED, SUPPORTERS_COULD_NOT_AFFORD, NO_SUPPORT},
    "phragmen": {FUNDED, DID_NOT_FIT, NO_SUPPORT, COSTS_MORE_THAN_BUDGET, RULE_STOPPED},
}


def describe(family: str, reason: str, facts: Mapping[str, Any], money: MoneyFormatter | None = None) -> str:
    """The sentence for one project, from its facts alone."""
    if reason not in _KNOWN_REASONS[family]:
        raise ValueError(f"{family} rules have no reason {reason!r}")
    return _FAMILIES[family](reason, facts, money or plain_money)


def explanation(
    project_id: str,
    selected: bool,
    reason: str,
    family: str,
    facts: Mapping[str, Any],
    money: MoneyFormatter | None = None,
) -> Explanation:
    plain = fact(dict(facts))
    plain["family"] = family
    return Explanation(project_id, selected, reason, plain, describe(family, reason, plain, money))


def with_stage(first: Explanation, family: str, reason: str, facts: Mapping[str, Any],
               selected: bool, money: MoneyFormatter | None = None) -> Explanation:
    """Add a second stage (greedy completion after equal shares) to a first-stage explanation.

    The reason and ``selected`` become the second stage's; the sentence tells both stages.
    """
    stage = fact(dict(facts))
    stage["family"] = family
    stage["completion"] = True
    combined = dict(first.facts)
    combined["staged"] = True
    opening = describe(combined["family"], first.reason, combined, money)
    combined["completion"] = stage
    sentence = f"{opening} {describe(family, reason, stage, money)}"
    return Explanation(first.project_id, selected, reason, combined, sentence)


def with_pot(expl: Explanation, pot: str, pot_budget: Money, money: MoneyFormatter | None = None,
             earlier: Explanation | None = None) -> Explanation:
    """Say which pot an explanation is about (and, for the general pot, what happened before)."""
    money = money or plain_money
    facts = dict(expl.facts)
    facts["pot"] = pot
    facts["pot_budget"] = fact(pot_budget)
    sentence = f"In the \u201c{pot}\u201d pot ({money(pot_budget)}): {expl.sentence}"
    if earlier is not None:
        facts["earlier_pot"] = earlier.facts.get("pot")
        facts["earlier_reason"] = earlier.reason
        sentence = f"{earlier.sentence} {sentence}"
    return Explanation(expl.project_id, expl.selected, expl.reason, facts, sentence)


def summary(rule_label: str, funded: int, total: int, cost: Money, budget: Money,
            money: MoneyFormatter | None = None) -> str:
    """One line about the whole outcome."""
    money = money or plain_money
    projects = "project" if total == 1 else "projects"
    return (
        f"{rule_label}: funded {funded} of {total} {projects} for {money(cost)} "
        f"of the {money(budget)} budget."
    )
