"""Hand-worked elections: the facts and sentences each rule gives, the registry, and pots."""

from __future__ import annotations

import json
from fractions import Fraction

import pytest

from grants.allocation import (
    RULES,
    Ballot,
    BallotKind,
    Election,
    Project,
    RuleNotApplicable,
    UnknownRule,
    allocate_with_pots,
    plain_money,
    run_rule,
)


def approval(budget, costs: dict[str, int], votes: list[str]) -> Election:
    projects = tuple(Project(pid, cost, name=f"Project {pid}") for pid, cost in costs.items())
    ballots = tuple(Ballot(f"v{i}", tuple(v)) for i, v in enumerate(votes))
    return Election(budget, projects, ballots)


def pounds(pence) -> str:
    return "£" + plain_money(Fraction(pence) / 100)


def test_registry_describes_every_rule() -> None:
    for name, rule in RULES.items():
        assert rule.name == name
        assert rule.label and rule.description.endswith(".")
    assert RULES["phragmen"].supports("approval")
    assert not RULES["phragmen"].supports(BallotKind.ORDINAL)
    assert RULES["mes_points"].supports("scoring") and not RULES["mes_points"].supports("approval")
    assert all(RULES[r].supports(k) for r in ("greedy_cost", "mes_cost_add1_greedy") for k in BallotKind)


def test_rules_that_do_not_apply_say_so() -> None:
    e = approval(10, {"a": 5}, ["a"])
    with pytest.raises(RuleNotApplicable, match="does not apply to approval ballots"):
        run_rule("mes_points", e)
    ordinal = Election(10, (Project("a", 5),), (Ballot("v", ("a",)),), BallotKind.ORDINAL)
    with pytest.raises(RuleNotApplicable) as caught:
        RULES["phragmen"](ordinal)
    assert caught.value.rule == "phragmen" and caught.value.kind == BallotKind.ORDINAL
    with pytest.raises(UnknownRule, match="no allocation rule called 'best'"):
        run_rule("best", e)
    assert run_rule("greedy_cost", ordinal).selected == ("a",)


def test_greedy_facts_and_sentences() -> None:
    e = approval(100, {"A": 60, "B": 50, "C": 30, "D": 10}, ["ABC", "AB", "A"])
    result = run_rule("greedy_cost", e)
    assert result.selected == ("A", "C", "D")
    assert result.cost == 100
    b = result.explanations["B"]
    assert (b.selected, b.reason) == (False, "did_not_fit")
    assert b.facts == {"basis": "supporters", "rank": 2, "support": 2, "cost": 50, "left": 40,
                       "fits": False, "family": "greedy"}
    assert b.sentence == (
        "Not funded. It came 2nd in the queue (by number of supporters) with 2 supporters, but when "
        "its turn came only 40 was left, less than its cost of 50."
    )
    d = result.explanations["D"]
    assert d.reason == "funded" and d.facts["support"] == 0
    assert "nobody voted for it" in d.sentence and "10 was left, enough" in d.sentence
    assert result.summary == "Most votes first: funded 3 of 4 projects for 100 of the 100 budget."


def test_money_formatter_is_used_in_sentences() -> None:
    e = approval(100_000, {"A": 60_000, "B": 50_000}, ["AB", "A"])
    result = run_rule("greedy_cost", e, format_money=pounds)
    assert "only £400 was left, less than its cost of £500" in result.explanations["B"].sentence
    assert "£1,000" in result.summary


def test_equal_shares_facts_and_sentences() -> None:
    # Four voters, share 25 each. Z (all four) costs 7.50 each; then X's two supporters have
    # 17.50 each, 35 in all, less than its 40; Y's have 35 against 60.
    e = approval(100, {"X": 40, "Y": 60, "Z": 30, "W": 5}, ["XZ", "XZ", "YZ", "YZ"])
    result = run_rule("mes_cost", e)
    assert result.selected == ("Z",)
    z = result.explanations["Z"]
    assert z.facts["round"] == 1 and z.facts["price"] == "15/2" and z.facts["supporters"] == 4
    assert z.sentence == (
        "Funded in round 1 of equal shares: every voter started with a share of 25, and its "
        "4 supporters paid its cost of 30 together, at most 7.50 each."
    )
    x = result.explanations["X"]
    assert x.reason == "supporters_could_not_afford"
    assert x.facts["money_left"] == 35
    assert x.sentence == (
        "Not funded: every voter started with a share of 25, but in the end its 2 supporters had "
        "only 35 left between them, less than its cost of 40."
    )
    w = result.explanations["W"]
    assert w.reason == "no_support" and "nobody voted for it" in w.sentence


def test_equal_shares_add_one_and_completion() -> None:
    e = approval(100, {"X": 40, "Y": 60, "Z": 30, "W": 5}, ["XZ", "XZ", "YZ", "YZ"])
    add1 = run_rule("mes_cost_add1", e)
    assert add1.details["variant"] == "add1"
    assert add1.details["share_start"] == 25
    assert Fraction(add1.details["share_final"]) >= 25
    assert "share was raised from 25 to" in add1.summary
    completed = run_rule("mes_cost_add1_greedy", e)
    assert completed.cost <= 100
    assert completed.selected[: len(add1.selected)] == add1.selected
    left = 100 - completed.cost
    assert all(e.project(p).cost > left for p in e.project_ids if p not in completed.selected)
    for pid in completed.selected[len(add1.selected):]:
        why = completed.explanations[pid]
        assert why.reason == "funded_by_completion"
        assert why.sentence.startswith("Equal shares could not fund it")
        assert "Then the money left over was spent by number of supporters" in why.sentence
        assert why.facts["completion"]["family"] == "greedy"


def test_equal_shares_by_points() -> None:
    e = Election(
        12, (Project("a", 6), Project("b", 6)),
        (Ballot("v1", ("a", "b"), (3, 1)), Ballot("v2", ("a",), (1,)), Ballot("v3", ("b",), (2,))),
        BallotKind.CUMULATIVE,
    )
    result = run_rule("mes_points", e)
    assert set(result.selected) <= {"a", "b"}
    for pid in result.selected:
        assert "per point they gave it" in result.explanations[pid].sentence


def test_phragmen_facts_and_sentences() -> None:
    e = approval(100, {"A": 50, "B": 60, "C": 200, "D": 10}, ["AC", "A", "B"])
    result = run_rule("phragmen", e)
    assert result.selected == ("A",)
    a = result.explanations["A"]
    assert a.facts["load"] == 25 and a.facts["position"] == 1
    assert a.sentence == (
        "Funded 1st: its 2 supporters could share its cost of 50 once each of them had been "
        "charged 25 in all (counting projects funded before it)."
    )
    b = result.explanations["B"]
    assert b.reason == "did_not_fit" and b.facts["load"] == 60 and b.facts["left"] == 50
    assert "so the rule stopped there" in b.sentence
    assert result.explanations["C"].reason == "costs_more_than_budget"
    assert result.explanations["D"].reason == "no_support"


def test_phragmen_rule_stopped_before_other_projects() -> None:
    # Loads: A 25, H 30 are bought; then E (55) is lowest but does not fit: the rule stops,
    # and F (its supporter already carries 30, so 70) is never reached.
    e = approval(100, {"A": 50, "E": 55, "F": 40, "H": 30}, ["A", "A", "E", "FH"])
    result = run_rule("phragmen", e)
    assert result.selected == ("A", "H")
    assert result.explanations["E"].reason == "did_not_fit"
    f = result.explanations["F"]
    assert f.reason == "rule_stopped" and f.facts["load"] == 70 and f.facts["stopped_at"] == "E"
    assert "the rule stopped when \u201cProject E\u201d did not fit the 20 left" in f.sentence


def test_every_fact_is_plain_json() -> None:
    e = approval(Fraction(201, 2), {"A": 60, "B": 50, "C": 30}, ["ABC", "AB", "A", "C"])
    for rule in RULES:
        if RULES[rule].supports(e.kind):
            result = run_rule(rule, e)
            json.dumps(result.as_dict())


# -- ring-fenced pots -----------------------------------------------------------------------


def pot_election() -> Election:
    return approval(100, {"A": 30, "B": 20, "C": 50, "D": 40}, ["AC", "AC", "A", "BD"])


def test_pots_then_general_pot() -> None:
    result = allocate_with_pots(pot_election(), "greedy_cost", [("Health", 40, ["A", "B"])])
    assert [p.name for p in result.pots] == ["Health", "general"]
    assert result.pots[0].allocation.selected == ("A",)
    assert result.pots[1].budget == 70
    assert result.pots[1].allocation.selected == ("C", "B")
    assert result.selected == ("A", "C", "B")
    assert result.cost == 100
    assert result.pot_of("B") == "general" and result.pot_of("A") == "Health"
    assert result.pot_of("D") is None
    a = result.explanations["A"]
    assert a.facts["pot"] == "Health" and a.sentence.startswith("In the \u201cHealth\u201d pot (40): Funded.")
    b = result.explanations["B"]
    assert b.facts["pot"] == "general" and b.facts["earlier_pot"] == "Health"
    assert b.facts["earlier_reason"] == "did_not_fit"
    assert "In the \u201cHealth\u201d pot" in b.sentence and "In the \u201cgeneral\u201d pot (70)" in b.sentence
    assert "ring-fenced pots" in result.summary
    json.dumps(result.as_dict())


def test_pots_accept_pot_objects_and_every_rule() -> None:
    from grants.allocation import Pot

    for rule in ("mes_cost", "mes_cost_add1_greedy", "phragmen", "greedy_card"):
        result = allocate_with_pots(pot_election(), rule, [Pot("Health", 40, ("A", "B"))])
        assert result.cost <= 100 and result.pots[0].allocation.cost <= 40


@pytest.mark.parametrize(("pots", "error"), [
    ([("H", 40, ["A"]), ("K", 20, ["A"])], "in both"),
    ([("H", 40, ["Z"])], "no project"),
    ([("H", 80, ["A"]), ("K", 30, ["B"])], "more than the whole budget"),
    ([("general", 10, ["A"])], "already taken"),
    ([("H", 10, ["A"]), ("H", 10, ["B"])], "already taken"),
    ([("H", 10, "AB")], "as a list"),
    ([("H", -1, ["A"])], "negative"),
])
def test_pots_are_validated(pots, error) -> None:
    with pytest.raises((ValueError, KeyError), match=error):
        allocate_with_pots(pot_election(), "greedy_cost", pots)


def test_pots_refuse_an_unknown_or_inapplicable_rule() -> None:
    with pytest.raises(UnknownRule):
        allocate_with_pots(pot_election(), "nope", [])
    with pytest.raises(RuleNotApplicable):
        allocate_with_pots(pot_election(), "mes_points", [])
