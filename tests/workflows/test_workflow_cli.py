"""The ``workflows`` click group: list, show, check, diagram."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

import workflows
from workflows.cli import workflows as workflows_cli


@pytest.fixture
def cli_runner() -> CliRunner:
    return CliRunner()


def test_it_is_a_plain_click_group_named_workflows() -> None:
    assert isinstance(workflows_cli, click.Group)
    assert workflows_cli.name == "workflows"
    assert set(workflows_cli.commands) == {"list", "show", "check", "diagram"}


def test_list(cli_runner: CliRunner) -> None:
    result = cli_runner.invoke(workflows_cli, ["list"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split() == ["name", "states", "transitions", "initial", "state"]
    rows = {line.split()[0]: line.split()[1:] for line in lines[1:]}
    assert rows["round"] == ["12", "13", "draft"]
    assert rows["round_light"] == ["11", "12", "draft"]
    assert set(rows) == set(workflows.WORKFLOWS)
    for name, workflow in workflows.WORKFLOWS.items():
        assert rows[name] == [
            str(len(workflow.used_states)),
            str(len(workflow.transitions)),
            workflow.initial_state.value,
        ]


def test_show(cli_runner: CliRunner) -> None:
    result = cli_runner.invoke(workflows_cli, ["show", "round"])
    assert result.exit_code == 0, result.output
    out = result.output
    assert out.startswith("round: Grant round (standard)\n")
    assert "  draft               Draft (public: Being prepared)  [initial]" in out
    assert "  closed              Closed (public: Closed)  [final]" in out
    assert "  close_voting — “Close voting”\n    voting → counting\n" in out
    assert (
        "    timed: the scheduler fires it once voting_closes_at has passed; "
        "a facilitator may fire it early"
    ) in out
    assert (
        "    guard enough_ratifications: Enough reviewers have ratified the allocation "
        "(reads subject.ratifications_count, subject.ratifications_needed)"
    ) in out
    assert "    guard reason_given: A reason is given (reads ctx.data['reason'])" in out
    assert "    effects: create_grants" in out
    assert "    roles: reviewer" in out


def test_show_every_workflow_mentions_every_state_and_transition(cli_runner: CliRunner) -> None:
    for name, workflow in workflows.WORKFLOWS.items():
        result = cli_runner.invoke(workflows_cli, ["show", name])
        assert result.exit_code == 0, result.output
        for state in workflow.used_states:
            assert f"  {state.value} " in result.output
        for transition in workflow.transitions:
            assert f"  {transition.name} — " in result.output


def test_show_light_variant_says_what_it_omits(cli_runner: CliRunner) -> None:
    result = cli_runner.invoke(workflows_cli, ["show", "round_light"])
    assert "Omits: eligibility_check" in result.output


def test_show_unknown_workflow(cli_runner: CliRunner) -> None:
    result = cli_runner.invoke(workflows_cli, ["show", "rounds"])
    assert result.exit_code == 2
    assert "no workflow 'rounds' (known: commissioning, grant, invitation" in result.output


def test_check_passes(cli_runner: CliRunner) -> None:
    result = cli_runner.invoke(workflows_cli, ["check"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"{len(workflows.WORKFLOWS)} workflows are valid: round, round_light, proposal")


def test_check_fails_with_the_problem(cli_runner: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(workflows.WORKFLOWS, "rounds", workflows.get("round"))
    result = cli_runner.invoke(workflows_cli, ["check"])
    assert result.exit_code == 1
    assert "rounds: registered under 'rounds' but named 'round'" in result.output


def test_check_reports_definition_problems(cli_runner: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    # A definition that broke after loading (problems() re-validates from scratch).
    broken = workflows.get("report")
    monkeypatch.setattr(type(broken), "problems", lambda self: ["state 'x' is broken"] if self is broken else [])
    result = cli_runner.invoke(workflows_cli, ["check"])
    assert result.exit_code == 1
    assert "report: state 'x' is broken" in result.output


@pytest.mark.parametrize("suffix", [".mmd", ".svg", ".SVG"])
def test_diagram_writes_the_file(cli_runner: CliRunner, tmp_path: Path, suffix: str) -> None:
    out = tmp_path / f"round{suffix}"
    result = cli_runner.invoke(workflows_cli, ["diagram", "round", "--out", str(out)])
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    if suffix == ".mmd":
        assert text == workflows.to_mermaid(workflows.get("round"))
    else:
        assert text == workflows.to_svg(workflows.get("round"))
        ET.fromstring(text)


def test_diagram_refuses_other_suffixes(cli_runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "round.png"
    result = cli_runner.invoke(workflows_cli, ["diagram", "round", "--out", str(out)])
    assert result.exit_code == 2
    assert "must end in .mmd (Mermaid) or .svg (SVG)" in result.output
    assert not out.exists()


def test_diagram_needs_out(cli_runner: CliRunner) -> None:
    result = cli_runner.invoke(workflows_cli, ["diagram", "round"])
    assert result.exit_code == 2
    assert "--out" in result.output


def test_diagram_unknown_workflow(cli_runner: CliRunner, tmp_path: Path) -> None:
    result = cli_runner.invoke(workflows_cli, ["diagram", "nope", "--out", str(tmp_path / "x.svg")])
    assert result.exit_code == 2
    assert "no workflow 'nope'" in result.output
