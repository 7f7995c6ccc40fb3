"""``flask --app grants export …``: the collective's grants as open data or a spreadsheet.

- ``360giving --collective SLUG --out FILE``: the awarded grants as a 360Giving Data Standard package
  (JSON). Needs ``THREESIXTY_PREFIX`` (and, for a registered funder, ``THREESIXTY_FUNDER_IDS``).
- ``grants-csv --collective SLUG --out FILE``: every grant, one row each (CSV).

``--out -`` writes to standard output; what the command says about it goes to standard error.
"""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup
from sqlmodel import select

from grants.collectives.models import Collective
from grants.db import db
from grants.errors import Refused

export_cli = AppGroup("export", help="Export a collective's grants: 360Giving JSON, CSV.")

OUT = click.Path(dir_okay=False, allow_dash=True, path_type=str)


def _collective(slug: str) -> Collective:
    found = db.session.exec(select(Collective).where(Collective.slug == slug)).first()
    if found is None:
        raise click.BadParameter(f"there is no collective {slug!r}", param_hint="--collective")
    return found


def _write(text: str, out: str) -> None:
    """Write the file once it is complete, so a refused export leaves no file behind."""
    if out == "-":
        click.echo(text, nl=False)
        return
    try:
        Path(out).write_text(text, encoding="utf-8", newline="")
    except OSError as error:
        raise click.ClickException(f"cannot write {out}: {error.strerror or error}") from None


@export_cli.command("360giving")
@click.option("--collective", "slug", required=True, help="The collective's short name.")
@click.option("--out", required=True, type=OUT, help="The file to write (- for standard output).")
def threesixty(slug: str, out: str) -> None:
    """Write the collective's awarded grants as a 360Giving Data Standard package (JSON)."""
    from grants.exports.threesixty import SCHEMA_VERSION, build_package, dumps

    collective = _collective(slug)
    try:
        package = build_package(collective)
    except Refused as error:
        raise click.ClickException(error.message) from None
    _write(dumps(package), out)
    click.echo(f"Wrote {len(package['grants'])} awarded grant(s) of {collective.slug} to {out} "
               f"(360Giving {SCHEMA_VERSION}).", err=True)


@export_cli.command("grants-csv")
@click.option("--collective", "slug", required=True, help="The collective's short name.")
@click.option("--out", required=True, type=OUT, help="The file to write (- for standard output).")
def grants_csv_command(slug: str, out: str) -> None:
    """Write every grant of the collective, one row each (CSV)."""
    from grants.exports.csvfile import csv_text
    from grants.exports.grants_csv import HEADER, grants_table

    collective = _collective(slug)
    lines = grants_table(collective)
    _write(csv_text(HEADER, lines), out)
    click.echo(f"Wrote {len(lines)} grant(s) of {collective.slug} to {out}.", err=True)
