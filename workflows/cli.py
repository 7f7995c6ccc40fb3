"""``flask --app grants workflows …``: inspect, check and draw the workflow definitions.

The group is plain ``click`` (no Flask import); the app registers it with
``app.cli.add_command(workflows)``.

``list``
    One line per workflow: name, number of states and transitions, initial state.
``show NAME``
    The definition in words: states with labels and flags; transitions with source → target,
    roles, guards and what they check, the date a timed transition waits for, effects.
``check``
    Validates every registered workflow again (and the registry itself); prints each problem and
    exits with status 1 if there is any.
``diagram NAME --out FILE``
    Writes a diagram: ``.mmd`` for Mermaid text, ``.svg`` for a drawn SVG.
"""

from __future__ import annotations

from pathlib import Path

import click

from workflows import WORKFLOWS, to_mermaid, to_svg
from workflows.engine import Role, Workflow
from workflows.text import join_words


def _workflow(name: str) -> Workflow:
    try:
        return WORKFLOWS[name]
    except KeyError:
        known = ", ".join(sorted(WORKFLOWS))
        raise click.BadParameter(
            f"no workflow {name!r} (known: {known})", param_hint="NAME"
        ) from None


@click.group("workflows")
def workflows() -> None:
    """Inspect, check and draw the workflow definitions."""


@workflows.command("list")
def list_workflows() -> None:
    """List the workflows: name, states, transitions, initial state."""
    rows = [
        (w.name, str(len(w.used_states)), str(len(w.transitions)), w.initial_state.value)
        for w in WORKFLOWS.values()
    ]
    header = ("name", "states", "transitions", "initial state")
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    for row in [header, *rows]:
        click.echo("  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip())


def _roles_text(roles: frozenset[Role | str]) -> str:
    return ", ".join(role.value for role in Role if role in roles)


@workflows.command("show")
@click.argument("name")
def show(name: str) -> None:
    """Show one workflow's states and transitions in words."""
    workflow = _workflow(name)
    click.echo(f"{workflow.name}: {workflow.label}")
    if workflow.description:
        click.echo(workflow.description)
    click.echo(
        f"States from {workflow.states.__name__}, read from the subject's "
        f"{workflow.state_attribute!r} attribute."
    )
    if workflow.omit:
        omitted = ", ".join(s.value for s in workflow.states if s in workflow.omit)
        click.echo(f"Omits: {omitted}")

    click.echo("\nStates")
    value_width = max(len(state.value) for state in workflow.used_states)
    for state in workflow.used_states:
        flags = [flag for flag, on in (("initial", state.initial), ("final", state.final)) if on]
        flag_text = f"  [{', '.join(flags)}]" if flags else ""
        click.echo(
            f"  {state.value.ljust(value_width)}  {state.staff_label} "
            f"(public: {state.public_label}){flag_text}"
        )

    click.echo("\nTransitions")
    for transition in workflow.transitions:
        sources = ", ".join(s.value for s in transition.source)
        click.echo(f"  {transition.name} — “{transition.label}”")
        click.echo(f"    {sources} → {transition.target.value}")
        if transition.description:
            click.echo(f"    {transition.description}")
        click.echo(f"    roles: {_roles_text(transition.roles)}")
        if transition.timed:
            early = join_words([role.with_article for role in transition.human_roles], "or")
            early_text = f"; {early} may fire it early" if early else ""
            click.echo(
                f"    timed: the scheduler fires it once {transition.timed_by} has passed"
                f"{early_text}"
            )
        for guard in transition.guards:
            inputs = [f"subject.{name}" for name in guard.reads]
            inputs += [f"ctx.data[{key!r}]" for key in guard.data_keys]
            reads = f" (reads {', '.join(inputs)})" if inputs else ""
            click.echo(f"    guard {guard.name}: {guard.description}{reads}")
        if transition.effects:
            click.echo(f"    effects: {', '.join(transition.effects)}")


@workflows.command("check")
def check() -> None:
    """Validate every workflow; exit with status 1 on any problem."""
    problems: list[str] = []
    for key, workflow in WORKFLOWS.items():
        if key != workflow.name:
            problems.append(f"{key}: registered under {key!r} but named {workflow.name!r}")
        problems.extend(f"{workflow.name}: {problem}" for problem in workflow.problems())
    if problems:
        for problem in problems:
            click.echo(problem, err=True)
        raise click.exceptions.Exit(1)
    click.echo(f"{len(WORKFLOWS)} workflows are valid: {', '.join(WORKFLOWS)}")


@workflows.command("diagram")
@click.argument("name")
@click.option(
    "--out",
    "out",
    required=True,
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="File to write: .mmd for Mermaid text, .svg for an SVG drawing.",
)
def diagram(name: str, out: Path) -> None:
    """Write a diagram of one workflow to a .mmd or .svg file."""
    workflow = _workflow(name)
    suffix = out.suffix.lower()
    if suffix == ".mmd":
        text = to_mermaid(workflow)
    elif suffix == ".svg":
        text = to_svg(workflow)
    else:
        raise click.BadParameter(
            f"{out.name!r} must end in .mmd (Mermaid) or .svg (SVG)", param_hint="--out"
        )
    out.write_text(text, encoding="utf-8")
    click.echo(f"Wrote {out}")
