"""The ``pabulib`` command group: run allocation rules on ``.pb`` files and check them.

Plain click (no Flask import); the app registers it with ``app.cli.add_command(pabulib)`` so it
runs as ``flask --app grants pabulib ...``. It also runs on its own:
``python -m grants.allocation.cli allocate FILE.pb --rule mes_cost_add1_greedy``.

Glossary
--------
allocate
    Runs one or more rules (``--rule``, repeatable; ``greedy_cost`` when none is given). With
    ``--json`` it prints exactly one JSON object ``{rule: {"selected": [ids, sorted],
    "cost": int or "p/q", "seconds": rule time}}``; otherwise a table of every project with its
    outcome and the reason in plain English. With ``--pots`` the file's categories with a
    ``budget_per_category`` are counted as ring-fenced pots first (as Commonpot's count does; see
    ``grants.allocation.pots``), then the rest with the money left.
check
    Validates a file: ``OK: N projects, M voters, <vote type>, budget B`` (exit 0), or the
    line number and what is wrong (exit 1).

Every expected failure (malformed file, rule not applicable to the ballots) ends with a one-line
error and a non-zero exit code, never a traceback.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import click

from grants.allocation.explain import fact, plain_money
from grants.allocation.model import Election
from grants.allocation.pabulib import PabulibError, format_number, read_pb
from grants.allocation.pots import allocate_with_pots, pots_in
from grants.allocation.registry import RULES, RuleNotApplicable, run_rule

DEFAULT_RULE = "greedy_cost"


def _read(path: Path) -> Election:
    try:
        return read_pb(path)
    except PabulibError as exc:
        raise click.ClickException(f"line {exc.line}: {exc.message}") from None
    except OSError as exc:
        raise click.ClickException(f"{path}: {exc.strerror or exc}") from None


def _describe(election: Election) -> str:
    kind = election.meta.get("vote_type", election.kind.value)
    return (
        f"{len(election.projects)} projects, {len(election.ballots)} voters, {kind}, "
        f"budget {format_number(election.budget)}"
    )


@click.group(name="pabulib")
def pabulib() -> None:
    """Read pabulib .pb files and run the allocation rules on them."""


@pabulib.command("allocate")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--rule", "rules", multiple=True, type=click.Choice(list(RULES)), metavar="NAME",
    help=f"Rule to run (repeatable): {', '.join(RULES)}. Default: {DEFAULT_RULE}.",
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead of a table.")
@click.option("--pots", "with_pots", is_flag=True,
              help="Count the categories with a budget_per_category as ring-fenced pots first.")
def allocate(path: Path, rules: tuple[str, ...], as_json: bool, with_pots: bool) -> None:
    """Run allocation rules on the pabulib file PATH."""
    election = _read(path)
    try:
        pots = pots_in(election) if with_pots else []
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    results = {}
    for name in dict.fromkeys(rules or (DEFAULT_RULE,)):
        started = time.perf_counter()
        try:
            allocation = allocate_with_pots(election, name, pots) if pots else run_rule(name, election)
        except (RuleNotApplicable, ValueError) as exc:
            raise click.ClickException(str(exc)) from None
        results[name] = (allocation, time.perf_counter() - started)
    if as_json:
        click.echo(json.dumps({
            name: {
                "selected": sorted(allocation.selected),
                "cost": fact(allocation.cost),
                "seconds": round(seconds, 6),
            }
            for name, (allocation, seconds) in results.items()
        }))
        return
    click.echo(f"{path.name}: {_describe(election)}")
    for name, (allocation, seconds) in results.items():
        click.echo("")
        click.echo(f"{name} ({seconds:.3f} s) - {allocation.summary}")
        id_width = max([len("project")] + [len(p.id) for p in election.projects])
        cost_width = max([len("cost")] + [len(plain_money(p.cost)) for p in election.projects])
        click.echo(f"  {'project':<{id_width}}  {'cost':>{cost_width}}  {'outcome':<10}  reason")
        for project in election.projects:
            why = allocation.explanations[project.id]
            outcome = "funded" if why.selected else "not funded"
            click.echo(
                f"  {project.id:<{id_width}}  {plain_money(project.cost):>{cost_width}}  "
                f"{outcome:<10}  {why.sentence}"
            )


@pabulib.command("check")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def check(path: Path) -> None:
    """Check that PATH is a well-formed pabulib file."""
    election = _read(path)
    click.echo(f"OK: {_describe(election)}")


if __name__ == "__main__":
    pabulib()
