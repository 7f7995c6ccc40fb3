"""``flask --app grants pabulib import-round --round ID FILE``: an operator imports a real election.

The command joins the ``pabulib`` group (``grants.allocation.cli``, which stays free of Flask and
the database) when the app registers its commands. It calls the same operation as a facilitator
would (``grants.rounds.imports.import_election``), as the operator (``cli`` in the audit log), and
commits it whole or not at all. Its output is for the operator, in English.
"""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from grants.db import db


@click.command("import-round")
@with_appcontext
@click.option("--round", "round_id", type=int, required=True, help="The id of the draft round to import into.")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_round(round_id: int, file: Path) -> None:
    """Import a pabulib .pb file into a draft round: its projects as proposals, its voters as ballots."""
    from grants.errors import Refused
    from grants.rounds.imports import import_election
    from grants.rounds.models import Round

    round_ = db.session.get(Round, round_id)
    if round_ is None:
        raise click.ClickException(f"there is no round {round_id}")
    try:
        done = import_election(round_, file.read_bytes(), "cli", filename=file.name)
    except Refused as refusal:
        db.session.rollback()
        raise click.ClickException(f"{file.name}: {refusal.message}. Nothing was imported.") from None
    db.session.commit()
    click.echo(f"Imported {file.name} into round {round_.id} ({round_.name}): {done.proposals} proposals in the "
               f"vote, {done.ballots} {done.vote_type} ballots with {done.marks} marks, budget {done.budget}.")
