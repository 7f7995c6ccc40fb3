"""The app that ``bench/bench_ballots.py`` serves under gunicorn: the real app plus two ceiling routes.

``build()`` returns ``grants.create_app()`` (configured from the environment, as in production: the bench
sets ``DATABASE_URL`` and ``SECRET_KEY``) with one extra blueprint of two routes, each inserting one
row into a tiny table of its own and committing:

- ``/bench/insert``: the bare *ceiling*. It goes through the same Flask stack as the ballot route
  (session cookie, CSRF check on POST, a database session that on SQLite begins with
  ``BEGIN IMMEDIATE``) and answers 204.
- ``/bench/c/<slug>/rounds/<id>/saved``: the *signed-in ceiling*, what the ballot POST does minus
  the ballot: Flask-Login loads the member from the session (``login_required``), the app's
  checks before a collective's page run (its URL names the collective, as the ballot's does: does
  it ask this member for two-factor sign-in?), one row is inserted and committed, the ballot's own "saved" message is flashed (so the session cookie is
  signed again) and the answer redirects to the ballot page, as the ballot route does.

Nothing here is part of the real app: the table is created by ``create_ceiling_table`` (the bench
calls it before starting gunicorn) and never by a migration.

    gunicorn --chdir bench 'ballots_app:build()'
"""

from __future__ import annotations

import sys
from pathlib import Path

import sqlalchemy as sa
from flask import Blueprint, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from grants import create_app  # noqa: E402
from grants.db import db, make_engine  # noqa: E402
from grants.timeutil import format_datetime, utcnow  # noqa: E402

metadata = sa.MetaData()
bench_hit = sa.Table(
    "bench_hit", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("who", sa.Integer, nullable=False),
    sa.Column("n", sa.Integer, nullable=False),
    sa.Column("route", sa.String(10), nullable=False),   # "insert" or "saved": which ceiling wrote it
)

bp = Blueprint("bench", __name__, url_prefix="/bench")


@bp.post("/insert")
def insert_one():
    """One insert per request, committed: the most a write route can do through this stack."""
    db.session.execute(bench_hit.insert().values(who=int(request.form.get("who", "0")),
                                                 n=int(request.form.get("n", "0")), route="insert"))
    db.session.commit()
    return "", 204


@bp.post("/c/<slug>/rounds/<id:round_id>/saved")
@login_required
def saved_and_redirected(slug: str, round_id: int):
    """Sign-in, one insert, a flash and a redirect: the most the ballot POST can do, being a signed-in form."""
    db.session.execute(bench_hit.insert().values(who=current_user.id, n=int(request.form.get("n", "0")),
                                                 route="saved"))
    db.session.commit()
    flash(_("Your ballot is saved. You can change it until voting closes on %(closes)s.",
            closes=format_datetime(utcnow())), "success")
    return redirect(url_for("voting.ballot", slug=slug, round_id=round_id))


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
