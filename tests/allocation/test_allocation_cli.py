"""The ``pabulib`` click group, through click's test runner."""

from __future__ import annotations

import json

from click.testing import CliRunner
from allocation_shared import INSTANCES, reference

from grants.allocation.cli import pabulib

SMALL = "Netherlands_Assen_2024.pb"
CUMULATIVE = "Poland_Czestochowa_2020_Grabowka.pb"


def invoke(*args: str):
    return CliRunner().invoke(pabulib, list(args))


def test_allocate_json_matches_the_reference() -> None:
    rules = ["greedy_cost", "mes_cost", "mes_cost_add1", "mes_cost_add1_greedy", "phragmen"]
    args = ["allocate", str(INSTANCES / SMALL), "--json"]
    for rule in rules:
        args += ["--rule", rule]
    result = invoke(*args)
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1
    out = json.loads(lines[0])
    assert list(out) == rules
    for rule in rules:
        expected = reference()[SMALL][rule]
        assert out[rule]["selected"] == sorted(expected["selected"])
        assert out[rule]["cost"] == expected["cost"]
        assert isinstance(out[rule]["seconds"], float)


def test_allocate_defaults_to_greedy_cost() -> None:
    result = invoke("allocate", str(INSTANCES / SMALL), "--json")
    assert result.exit_code == 0, result.output
    assert list(json.loads(result.output)) == ["greedy_cost"]


def test_fractional_cost_is_a_string_in_json(tmp_path) -> None:
    path = tmp_path / "half.pb"
    path.write_text(
        "META\nkey;value\nbudget;10\nvote_type;approval\nPROJECTS\nproject_id;cost\n"
        "a;2.5\nb;3\nVOTES\nvoter_id;vote\n1;a,b\n2;a\n",
        encoding="utf-8",
    )
    out = json.loads(invoke("allocate", str(path), "--json").output)
    assert out == {"greedy_cost": {"selected": ["a", "b"], "cost": "11/2",
                                   "seconds": out["greedy_cost"]["seconds"]}}


def test_allocate_table_explains_every_project() -> None:
    result = invoke("allocate", str(INSTANCES / SMALL), "--rule", "mes_cost_add1_greedy")
    assert result.exit_code == 0, result.output
    assert "14 projects, 84 voters, approval, budget 100000" in result.output
    assert "mes_cost_add1_greedy" in result.output
    body = [line for line in result.output.splitlines() if line.startswith("  ") and "funded" in line]
    assert len(body) == 14
    assert "Funded in round 1 of equal shares" in result.output


def test_rule_that_does_not_apply_is_a_clean_error() -> None:
    result = invoke("allocate", str(INSTANCES / CUMULATIVE), "--rule", "phragmen")
    assert result.exit_code != 0
    assert "does not apply to cumulative ballots" in result.output
    assert "Traceback" not in result.output


def test_unknown_rule_and_missing_file() -> None:
    result = invoke("allocate", str(INSTANCES / SMALL), "--rule", "best_rule")
    assert result.exit_code == 2
    assert "best_rule" in result.output
    result = invoke("check", "/nonexistent/file.pb")
    assert result.exit_code == 2
    assert "does not exist" in result.output


def test_check_ok() -> None:
    result = invoke("check", str(INSTANCES / "Poland_Wroclaw_2015_150_-_500.pb"))
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "OK: 197 projects, 131778 voters, choose-1, budget 7500000"


def test_check_malformed_file_gives_line_and_message(tmp_path) -> None:
    path = tmp_path / "bad.pb"
    path.write_text(
        "META\nkey;value\nbudget;10\nvote_type;approval\nPROJECTS\nproject_id;cost\na;2\n"
        "VOTES\nvoter_id;vote\n1;a,zz\n",
        encoding="utf-8",
    )
    result = invoke("check", str(path))
    assert result.exit_code == 1
    assert "line 10: the vote names unknown project 'zz'" in result.output
    assert "Traceback" not in result.output
    result = invoke("allocate", str(path), "--json")
    assert result.exit_code == 1
    assert "line 10:" in result.output
