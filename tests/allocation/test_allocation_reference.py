"""Every rule on every shared pabulib instance gives exactly pabutools 1.2.3's outcome.

The reference (``shared/pabulib/reference.json``) was produced by pabutools itself; a pair is
checked whenever its status there is ``ok``: same selected project ids, same exact cost, and the
same selection order where pabutools records one. Pairs pabutools needed over 10 s for are
marked ``slow`` (they still run in the default run).
"""

from __future__ import annotations

import pytest
from allocation_shared import election, instance_names, reference

from grants.allocation import RULES, run_rule
from grants.allocation.explain import fact

SLOW_REFERENCE_SECONDS = 10


def _cases():
    ref = reference()
    for name in instance_names():
        for rule, entry in ref[name].items():
            if entry["status"] != "ok":
                continue
            marks = [pytest.mark.slow] if (entry.get("seconds") or 0) > SLOW_REFERENCE_SECONDS else []
            yield pytest.param(name, rule, id=f"{name.removesuffix('.pb')}-{rule}", marks=marks)


CASES = list(_cases())


def test_every_reference_rule_is_registered():
    assert set(reference()["rules"]) <= set(RULES)


def test_the_reference_covers_all_instances_and_rules():
    assert len(instance_names()) == 44
    assert len(CASES) >= 300


@pytest.mark.parametrize(("name", "rule"), CASES)
def test_rule_matches_pabutools(name: str, rule: str) -> None:
    expected = reference()[name][rule]
    allocation = run_rule(rule, election(name))
    assert sorted(allocation.selected) == sorted(expected["selected"])
    assert str(allocation.cost) == expected["cost_exact"]
    assert fact(allocation.cost) == expected["cost"] or isinstance(expected["cost"], float)
    if "selection_order" in expected:
        assert list(allocation.selected) == expected["selection_order"]
    assert allocation.cost <= allocation.budget
    assert set(allocation.explanations) == {p.id for p in election(name).projects}
