"""``flask --app grants commissioning …``: import evidence and report the gaps from the command line.

- ``import-usage --collective SLUG FILE``: import a service-use CSV
  (``service,period,area,ethnic_group,count``); each service and period in it replaces the old one.
- ``import-population --collective SLUG FILE``: import a population baseline CSV
  (``area,ethnic_group,population``); each area in it replaces the old one.
- ``gaps --collective SLUG [--json]``: the gaps table; with ``--json``, one JSON list of objects
  with ``service, period, area, ethnic_group, users, population, ratio, ci_low, ci_high,
  under_served``.

Imports are all-or-nothing: a file with problems prints each one (line and column) and exits
with status 1, having changed nothing.
"""

from __future__ import annotations

import json
from pathlib import Path

import click
from flask.cli import AppGroup
from sqlmodel import select

from grants.collectives.models import Collective
from grants.commissioning import csvfiles, operations, queries
from grants.db import db

commissioning_cli = AppGroup("commissioning", help="Reverse commissioning: import evidence, report gaps.")


def _collective(slug: str) -> Collective:
    found = db.session.exec(select(Collective).where(Collective.slug == slug)).first()
    if found is None:
        raise click.BadParameter(f"there is no collective {slug!r}", param_hint="--collective")
    return found


def _import(operation, slug: str, path: Path) -> None:
    collective = _collective(slug)
    try:
        with path.open("rb") as stream:
            record = operation(collective, stream, actor="cli", filename=path.name)
        db.session.commit()
    except csvfiles.FileProblems as error:
        db.session.rollback()
        click.echo(f"{path.name}: nothing was imported. {len(error.problems)} problem(s):", err=True)
        for problem in error.problems:
            click.echo(f"  {problem}", err=True)
        raise SystemExit(1) from None
    what = (f"{len(record.services)} service(s), {len(record.periods)} period(s)" if record.kind == "usage"
            else f"{len(record.areas)} area(s)")
    replaced = f"; replaced: {', '.join(record.replaced)}" if record.replaced else ""
    click.echo(f"Imported {record.rows:,} rows from {path.name} into {collective.slug} ({what}) "
               f"in {record.milliseconds / 1000:.2f} s{replaced}.")


FILE = click.Path(exists=True, dir_okay=False, path_type=Path)


@commissioning_cli.command("import-usage")
@click.option("--collective", "slug", required=True, help="The collective's short name.")
@click.argument("file", type=FILE)
def import_usage(slug: str, file: Path) -> None:
    """Import service-use data (service,period,area,ethnic_group,count) from FILE."""
    _import(operations.import_usage, slug, file)


@commissioning_cli.command("import-population")
@click.option("--collective", "slug", required=True, help="The collective's short name.")
@click.argument("file", type=FILE)
def import_population(slug: str, file: Path) -> None:
    """Import a population baseline (area,ethnic_group,population) from FILE."""
    _import(operations.import_population, slug, file)


@commissioning_cli.command("gaps")
@click.option("--collective", "slug", required=True, help="The collective's short name.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON list of objects.")
def gaps(slug: str, as_json: bool) -> None:
    """The gaps: representation ratios with 95% intervals, and who is under-served."""
    collective = _collective(slug)
    rows = [gap for found in queries.gaps(collective) for gap in found.gaps]
    if as_json:
        click.echo(json.dumps([gap.as_json() for gap in rows], ensure_ascii=False, indent=1))
        return
    if not rows:
        click.echo("No service-use data yet.")
        return
    for gap in rows:
        ratio = "—" if gap.ratio is None else f"{gap.ratio:.2f} ({gap.ci_low:.2f}–{gap.ci_high:.2f})"
        flag = "  UNDER-SERVED" if gap.under_served else ""
        click.echo(f"{gap.service} | {gap.period} | {gap.area} | {gap.label}: users {'no data' if gap.no_data else f'{gap.users:,}'}, "
                   f"population {'—' if gap.population is None else f'{gap.population:,}'}, ratio {ratio}{flag}")
