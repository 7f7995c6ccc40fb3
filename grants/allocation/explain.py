"""Plain-language sentences for allocation outcomes.

A rule records *facts* about each project (exact numbers, as JSON values) and a reason code; this
module turns (family, reason, facts) into one sentence (:func:`describe`). A sentence depends only
on its facts, so an app stores the facts and tells the sentence again when it is read
(:func:`retell`), in the reader's language (the messages go through :mod:`workflows.i18n`, English
unless the app installed its translations) and with the reader's money formatter; two-stage
explanations (greedy completion after equal shares, the general pot after a ring-fenced one) join
two such sentences (:func:`with_stage`, :func:`with_pot`), and keep what is needed to tell both
again (``first_reason``; ``earlier`` and ``earlier_reason``).

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

from workflows.i18n import N_, gettext as _, ngettext

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
    """1 -> '1st', 2 -> '2nd', 11 -> '11th' in English; each language writes its own ordinal."""
    if 10 <= n % 100 <= 20:
        # Translators: an ordinal number (1st, 2nd...) ending in "th" in English; %(n)s is the number.
        return _("%(n)sth", n=n)
    if n % 10 == 1:
        # Translators: an ordinal number ending in "st" in English (1st, 21st); %(n)s is the number.
        return _("%(n)sst", n=n)
    if n % 10 == 2:
        # Translators: an ordinal number ending in "nd" in English (2nd, 22nd); %(n)s is the number.
        return _("%(n)snd", n=n)
    if n % 10 == 3:
        # Translators: an ordinal number ending in "rd" in English (3rd, 23rd); %(n)s is the number.
        return _("%(n)srd", n=n)
    return _("%(n)sth", n=n)


def _many(n: Any) -> int:
    """The number that picks a plural form: whole numbers as they are, fractions as 'many'."""
    value = exact(n)
    return value if isinstance(value, int) else 2


def _supporters(n: Any) -> str:
    return ngettext("%(count)s supporter", "%(count)s supporters", _many(n), count=plain_count(n))


def _points(n: Any) -> str:
    return ngettext("%(count)s point", "%(count)s points", _many(n), count=plain_count(n))


_GREEDY_BASIS = {
    "supporters": N_("by number of supporters"),
    "supporters_per_cost": N_("by supporters per unit of cost"),
    "points_per_cost": N_("by points per unit of cost"),
}


def _greedy(reason: str, f: Mapping[str, Any], money: MoneyFormatter) -> str:
    points = f["basis"] == "points_per_cost"
    values = {"cost": money(exact(f["cost"])), "left": money(exact(f["left"])),
              "basis": _(_GREEDY_BASIS[f["basis"]]), "rank": ordinal(f["rank"])}
    funded = reason in (FUNDED, FUNDED_BY_COMPLETION)
    if exact(f["support"]) > 0:
        values["support"] = _points(f["support"]) if points else _supporters(f["support"])
        support = "some"
    else:
        support = "no points" if points else "nobody"
    if f.get("completion"):
        if funded:
            message = {
                "some": N_("Then the money left over was spent %(basis)s: it came %(rank)s in that queue with "
                           "%(support)s, and %(left)s was still left, enough for its cost of %(cost)s, so it "
                           "was funded."),
                "nobody": N_("Then the money left over was spent %(basis)s: it came %(rank)s in that queue, as "
                             "nobody voted for it, and %(left)s was still left, enough for its cost of "
                             "%(cost)s, so it was funded."),
                "no points": N_("Then the money left over was spent %(basis)s: it came %(rank)s in that queue, "
                                "as it got no points, and %(left)s was still left, enough for its cost of "
                                "%(cost)s, so it was funded."),
            }[support]
            return _(message, **values)
        message = {
            "some": N_("Then the money left over was spent %(basis)s: it came %(rank)s in that queue with "
                       "%(support)s, but only %(left)s was left, less than its cost of %(cost)s, so it was "
                       "not funded."),
            "nobody": N_("Then the money left over was spent %(basis)s: it came %(rank)s in that queue, as "
                         "nobody voted for it, but only %(left)s was left, less than its cost of %(cost)s, so "
                         "it was not funded."),
            "no points": N_("Then the money left over was spent %(basis)s: it came %(rank)s in that queue, as "
                            "it got no points, but only %(left)s was left, less than its cost of %(cost)s, so "
                            "it was not funded."),
        }[support]
        return _(message, **values)
    if funded:
        message = {
            "some": N_("Funded. It came %(rank)s in the queue (%(basis)s) with %(support)s, and when its turn "
                       "came %(left)s was left, enough for its cost of %(cost)s."),
            "nobody": N_("Funded. It came %(rank)s in the queue (%(basis)s), as nobody voted for it, and when "
                         "its turn came %(left)s was left, enough for its cost of %(cost)s."),
            "no points": N_("Funded. It came %(rank)s in the queue (%(basis)s), as it got no points, and when "
                            "its turn came %(left)s was left, enough for its cost of %(cost)s."),
        }[support]
        return _(message, **values)
    message = {
        "some": N_("Not funded. It came %(rank)s in the queue (%(basis)s) with %(support)s, but when its turn "
                   "came only %(left)s was left, less than its cost of %(cost)s."),
        "nobody": N_("Not funded. It came %(rank)s in the queue (%(basis)s), as nobody voted for it, but when "
                     "its turn came only %(left)s was left, less than its cost of %(cost)s."),
        "no points": N_("Not funded. It came %(rank)s in the queue (%(basis)s), as it got no points, but when "
                        "its turn came only %(left)s was left, less than its cost of %(cost)s."),
    }[support]
    return _(message, **values)


# Funded by equal shares: (raised by add-one?, points?, with notes?) -> the sentence.
_EQUAL_SHARES_FUNDED = {
    (False, False, False): N_("Funded in round %(round)s of equal shares: every voter started with a share "
                              "of %(share)s, and its %(supporters)s paid its cost of %(cost)s together, at "
                              "most %(price)s each."),
    (False, False, True): N_("Funded in round %(round)s of equal shares: every voter started with a share "
                             "of %(share)s, and its %(supporters)s paid its cost of %(cost)s together, at "
                             "most %(price)s each (%(notes)s)."),
    (False, True, False): N_("Funded in round %(round)s of equal shares: every voter started with a share "
                             "of %(share)s, and its %(supporters)s paid its cost of %(cost)s together, at "
                             "most %(price)s per point they gave it."),
    (False, True, True): N_("Funded in round %(round)s of equal shares: every voter started with a share "
                            "of %(share)s, and its %(supporters)s paid its cost of %(cost)s together, at "
                            "most %(price)s per point they gave it (%(notes)s)."),
    (True, False, False): N_("Funded in round %(round)s of equal shares. %(story)s Its %(supporters)s paid "
                             "its cost of %(cost)s together, at most %(price)s each."),
    (True, False, True): N_("Funded in round %(round)s of equal shares. %(story)s Its %(supporters)s paid "
                            "its cost of %(cost)s together, at most %(price)s each (%(notes)s)."),
    (True, True, False): N_("Funded in round %(round)s of equal shares. %(story)s Its %(supporters)s paid "
                            "its cost of %(cost)s together, at most %(price)s per point they gave it."),
    (True, True, True): N_("Funded in round %(round)s of equal shares. %(story)s Its %(supporters)s paid "
                           "its cost of %(cost)s together, at most %(price)s per point they gave it "
                           "(%(notes)s)."),
}

# Not funded by equal shares: (case, staged before a second stage?) -> the sentence.
_EQUAL_SHARES_NOT_FUNDED = {
    ("free", False): N_("Not funded: it costs nothing, and with cost-based utility a free project gives its "
                        "supporters no utility, so equal shares never buys it."),
    ("free", True): N_("Equal shares could not fund it: it costs nothing, and with cost-based utility a free "
                       "project gives its supporters no utility, so equal shares never buys it."),
    ("no points", False): N_("Not funded: nobody gave it any points, so no share of the budget could pay for "
                             "it."),
    ("no points", True): N_("Equal shares could not fund it: nobody gave it any points, so no share of the "
                            "budget could pay for it."),
    ("nobody", False): N_("Not funded: nobody voted for it, so no share of the budget could pay for it."),
    ("nobody", True): N_("Equal shares could not fund it: nobody voted for it, so no share of the budget "
                         "could pay for it."),
    ("raised", False): N_("Not funded. %(story)s In the end its %(supporters)s had only %(left)s left between "
                          "them, less than its cost of %(cost)s."),
    ("raised", True): N_("Equal shares could not fund it. %(story)s In the end its %(supporters)s had only "
                         "%(left)s left between them, less than its cost of %(cost)s."),
    ("short", False): N_("Not funded: every voter started with a share of %(share)s, but in the end its "
                         "%(supporters)s had only %(left)s left between them, less than its cost of "
                         "%(cost)s."),
    ("short", True): N_("Equal shares could not fund it: every voter started with a share of %(share)s, but "
                        "in the end its %(supporters)s had only %(left)s left between them, less than its "
                        "cost of %(cost)s."),
}


def _equal_shares(reason: str, f: Mapping[str, Any], money: MoneyFormatter) -> str:
    cost = money(exact(f["cost"]))
    share = money(exact(f["share"]))
    if reason == FUNDED:
        if f.get("free"):
            return ngettext("Funded at the start: it costs nothing and %(count)s person voted for it.",
                            "Funded at the start: it costs nothing and %(count)s people voted for it.",
                            _many(f["supporters"]), count=plain_count(f["supporters"]))
        notes = []
        if exact(f["paid_all"]) > 0:
            notes.append(ngettext("%(count)s supporter paid all they had left",
                                  "%(count)s supporters paid all they had left",
                                  _many(f["paid_all"]), count=plain_count(f["paid_all"])))
        if exact(f.get("had_nothing", 0)) > 0:
            notes.append(_("%(count)s had nothing left to give", count=plain_count(f["had_nothing"])))
        raised = _raised(f)
        message = _EQUAL_SHARES_FUNDED[(raised, f["utility"] == "points", bool(notes))]
        return _(message, round=f["round"], share=share, supporters=_supporters(f["supporters"]), cost=cost,
                 price=money(exact(f["price"])), notes="; ".join(notes),
                 story=_add_one_story(f, money) if raised else "")
    staged = bool(f.get("staged"))
    if reason == NO_SUPPORT:
        if f.get("free_ignored"):
            return _(_EQUAL_SHARES_NOT_FUNDED[("free", staged)])
        nobody = "no points" if f.get("utility") == "points" else "nobody"
        return _(_EQUAL_SHARES_NOT_FUNDED[(nobody, staged)])
    raised = _raised(f)
    return _(_EQUAL_SHARES_NOT_FUNDED[("raised" if raised else "short", staged)],
             story=_add_one_story(f, money) if raised else "", supporters=_supporters(f["supporters"]),
             left=money(exact(f["money_left"])), cost=cost, share=share)


def _raised(f: Mapping[str, Any]) -> bool:
    """Did the add-one completion raise the shares (and do the facts say from what)?"""
    return "share_start" in f and "voters" in f and exact(f["share"]) != exact(f["share_start"])


def _add_one_story(f: Mapping[str, Any], money: MoneyFormatter) -> str:
    """The add-one completion in words a member follows: why the final share is more than the
    budget divided by the number of voters, and why that does not overspend."""
    budget = money(exact(f["budget"]))
    voters = exact(f["voters"])
    share = exact(f["share"])
    story = ngettext(
        "Sharing the %(budget)s equally gave each of the %(count)s voter %(start)s; that left money unspent, "
        "so the count was run again with every share raised a step at a time (the \u201cadd-one\u201d "
        "completion), until the money was used as fully as the budget allows: it stopped at %(share)s each.",
        "Sharing the %(budget)s equally gave each of the %(count)s voters %(start)s; that left money "
        "unspent, so the count was run again with every share raised a step at a time (the "
        "\u201cadd-one\u201d completion), until the money was used as fully as the budget allows: it "
        "stopped at %(share)s each.",
        _many(voters), count=plain_count(voters), budget=budget, start=money(exact(f["share_start"])),
        share=money(share))
    if share * voters > exact(f["budget"]):
        more = _("Together those shares come to %(total)s, more than the %(budget)s, but nobody spends their "
                 "whole share: what was funded costs no more than the %(budget)s.",
                 total=money(share * voters), budget=budget)
        story = f"{story} {more}"
    return story


def _phragmen(reason: str, f: Mapping[str, Any], money: MoneyFormatter) -> str:
    cost = money(exact(f["cost"]))
    if reason == FUNDED:
        if exact(f["supporters"]) <= 0:
            return _("Funded %(position)s: nobody voted for it, but every supported project had been settled "
                     "and it still fitted the budget.", position=ordinal(f["position"]))
        return ngettext(
            "Funded %(position)s: its %(count)s supporter could share its cost of %(cost)s once each of them "
            "had been charged %(load)s in all (counting projects funded before it).",
            "Funded %(position)s: its %(count)s supporters could share its cost of %(cost)s once each of them "
            "had been charged %(load)s in all (counting projects funded before it).",
            _many(f["supporters"]), count=plain_count(f["supporters"]), position=ordinal(f["position"]),
            cost=cost, load=money(exact(f["load"])))
    if reason == COSTS_MORE_THAN_BUDGET:
        return _("Not funded: its cost of %(cost)s is more than the whole budget of %(budget)s.",
                 cost=cost, budget=money(exact(f["budget"])))
    if reason == NO_SUPPORT:
        return _("Not funded: nobody voted for it.")
    if reason == DID_NOT_FIT:
        return _("Not funded: it was next in line (each of its supporters would have been charged %(load)s in "
                 "all), but only %(left)s of the budget was left, less than its cost of %(cost)s, so the rule "
                 "stopped there.", load=money(exact(f["load"])), left=money(exact(f["left"])), cost=cost)
    return ngettext(
        "Not funded: the rule stopped when \u201c%(project)s\u201d did not fit the %(left)s left; this "
        "project would have needed each of its %(count)s supporter to be charged %(load)s in all.",
        "Not funded: the rule stopped when \u201c%(project)s\u201d did not fit the %(left)s left; this "
        "project would have needed each of its %(count)s supporters to be charged %(load)s in all.",
        _many(f["supporters"]), count=plain_count(f["supporters"]), project=f["stopped_at_name"],
        left=money(exact(f["left"])), load=money(exact(f["load"])))


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


_POT_FACTS = ("pot", "pot_budget", "earlier_pot", "earlier_reason", "earlier")


def retell(reason: str, facts: Mapping[str, Any], money: MoneyFormatter | None = None) -> str:
    """The whole sentence of an explanation again, from its reason and stored facts (with the
    stages and pots it went through), in the language and money of whoever reads it now.

    Raises ``KeyError`` (or ``ValueError``) for facts stored before they carried enough to be told
    again: the caller then shows the sentence it stored.
    """
    if "pot" in facts:
        inner = {k: v for k, v in facts.items() if k not in _POT_FACTS}
        sentence = _in_pot(facts["pot"], facts["pot_budget"], retell(reason, inner, money), money)
        if facts.get("earlier_reason") is not None:
            earlier = retell(facts["earlier_reason"], facts["earlier"], money)
            sentence = f"{earlier} {sentence}"
        return sentence
    if isinstance(facts.get("completion"), Mapping):
        stage = facts["completion"]
        first = {k: v for k, v in facts.items() if k not in ("completion", "first_reason")}
        opening = describe(first["family"], facts["first_reason"], first, money)
        return f"{opening} {describe(stage['family'], reason, stage, money)}"
    return describe(facts["family"], reason, facts, money)


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

    The reason and ``selected`` become the second stage's; the sentence tells both stages (the
    first stage's reason is kept as ``first_reason``).
    """
    stage = fact(dict(facts))
    stage["family"] = family
    stage["completion"] = True
    combined = dict(first.facts)
    combined["staged"] = True
    combined["completion"] = stage
    combined["first_reason"] = first.reason
    return Explanation(first.project_id, selected, reason, combined, retell(reason, combined, money))


def _in_pot(pot: str, budget: Money, sentence: str, money: MoneyFormatter | None) -> str:
    money = money or plain_money
    if pot == "general":  # pots.GENERAL_POT: its name is a word of ours, translated
        return _("In the \u201cgeneral\u201d pot (%(budget)s): %(sentence)s",
                 budget=money(exact(budget)), sentence=sentence)
    return _("In the \u201c%(pot)s\u201d pot (%(budget)s): %(sentence)s",
             pot=pot, budget=money(exact(budget)), sentence=sentence)


def with_pot(expl: Explanation, pot: str, pot_budget: Money, money: MoneyFormatter | None = None,
             earlier: Explanation | None = None) -> Explanation:
    """Say which pot an explanation is about (and, for the general pot, what happened before)."""
    facts = dict(expl.facts)
    facts["pot"] = pot
    facts["pot_budget"] = fact(pot_budget)
    if earlier is not None:
        facts["earlier_pot"] = earlier.facts.get("pot")
        facts["earlier_reason"] = earlier.reason
        facts["earlier"] = dict(earlier.facts)
    return Explanation(expl.project_id, expl.selected, expl.reason, facts, retell(expl.reason, facts, money))


def summary(rule_label: str, funded: int, total: int, cost: Money, budget: Money,
            money: MoneyFormatter | None = None) -> str:
    """One line about the whole outcome (``rule_label`` as declared, translated here)."""
    money = money or plain_money
    return ngettext("%(rule)s: funded %(funded)d of %(num)d project for %(cost)s of the %(budget)s budget.",
                    "%(rule)s: funded %(funded)d of %(num)d projects for %(cost)s of the %(budget)s budget.",
                    total, rule=_(rule_label), funded=funded, cost=money(cost), budget=money(budget))
