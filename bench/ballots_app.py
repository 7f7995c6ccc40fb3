"""The app that ``bench/bench_ballots.py`` serves under gunicorn: the real app plus one bare route.

``build()`` returns ``grants.create_app()`` (configured from the environment, as in production: the bench
sets ``DATABASE_URL`` and ``SECRET_KEY``) with one extra blueprint, ``/bench/insert``: the
*ceiling*. It goes through the same Flask stack as the ballot route (session cookie, CSRF check
on POST, a database session that on SQLite begins with ``BEGIN IMMEDIATE``), then inserts one
row into a tiny table of its own and commits. Nothing here is part of the real app: the table is
created by ``create_ceiling_table`` (the bench calls it before starting gunicorn) and never by a
migration.

    gunicorn --chdir bench 'ballots_app:build()'
"""

from __future__ import annotations

import sys
from pathlib import Path

import sqlalchemy as sa
from flask import Blueprint, request

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from grants import create_app  # noqa: E402
from grants.db import db, make_engine  # noqa: E402

metadata = sa.MetaData()
bench_hit = sa.Table(
    "bench_hit", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("who", sa.Integer, nullable=False),
    sa.Column("n", sa.Integer, nullable=False),
)

bp = Blueprint("bench", __name__, url_prefix="/bench")


@bp.post("/insert")
def insert_one():
    """One insert per request, committed: the most a write route can do through this stack."""
    db.session.execute(bench_hit.insert().values(who=int(request.form.get("who", "0")),
                                                 n=int(request.form.get("n", "0"))))
    db.session.commit()
    return "", 204


def create_ceiling_table(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        metadata.drop_all(engine)
        metadata.create_all(engine)
    finally:
        engine.dispose()


def build():
    application = create_app()
    application.register_blueprint(bp)
    return application
