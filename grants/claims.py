"""Rows of work a worker claims: a document build, an evidence file to import.

Glossary
- *job row*: a row with ``state`` (``queued``, ``running``, then ``done`` or ``failed``),
  ``claim``, ``attempts``, ``stage``, ``error``, ``finished_at`` and ``updated_at``.
- *claim*: :func:`claim` takes a queued row for one run with a compare-and-swap (queued →
  running) that writes a fresh token and counts the attempt; a row someone else holds, or that is
  done, is not claimed. Every later write of that run goes through :func:`while_claimed`, which
  changes the row only while it still carries the run's token and raises :class:`Superseded`
  otherwise: a run whose claim was taken back writes nothing.
- *heartbeat*: ``updated_at``, written by every :func:`while_claimed`.
- *stalled*: queued or running with no heartbeat for ``stuck_after``: its worker was killed (or
  its queue message lost). :func:`give_back` queues it again under no claim, compare-and-swap on
  the claim it had, or fails it once it has had ``max_attempts`` runs. The sweeps that call it
  run in every worker at once, safely.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import timedelta

import sqlalchemy as sa
from sqlmodel import select
from workflows.i18n import N_

from grants import queue
from grants.db import db
from grants.timeutil import utcnow


class Superseded(Exception):
    """This run's claim on a row was taken back (its heartbeat stopped): it must write nothing."""


def claim(model, row_id: int, **values) -> str | None:
    """Take a queued row for this run and commit: its new claim token, or None if it is not ours."""
    token, now = uuid.uuid4().hex, utcnow()
    claimed = db.session.execute(
        sa.update(model).where(model.id == row_id, model.state == "queued")
        .values(state="running", claim=token, attempts=model.attempts + 1, updated_at=now, error="", **values))
    db.session.commit()
    return token if claimed.rowcount == 1 else None


def claimed_by(model, row_id: int, token: str):
    return sa.and_(model.id == row_id, model.state == "running", model.claim == token)


def while_claimed(model, row_id: int, token: str, *, commit: bool = True, **values) -> None:
    """Write ``values`` (and the heartbeat) while this run's claim holds; raise Superseded if not."""
    changed = db.session.execute(sa.update(model).where(claimed_by(model, row_id, token))
                                 .values(updated_at=utcnow(), **values))
    if changed.rowcount != 1:
        db.session.rollback()
        raise Superseded(f"{model.__tablename__} {row_id}: claim {token} was superseded")
    if commit:
        db.session.commit()


def stalled(model, stuck_after: timedelta) -> list:
    return list(db.session.exec(select(model).where(
        model.state.in_(("queued", "running")), model.updated_at < utcnow() - stuck_after)).all())


def give_back(row, task: Callable, *, max_attempts: int, gave_up: str) -> bool:
    """Queue a stalled row again for ``task(row.id)``, or fail it with ``gave_up`` once it has had
    its runs; a compare-and-swap on the state and claim it was read with. True when queued again."""
    model, now = type(row), utcnow()
    if row.attempts >= max_attempts:
        values = {"state": "failed", "error": gave_up, "stage": N_("Failed"), "finished_at": now, "updated_at": now}
    else:
        values = {"state": "queued", "claim": None, "progress": 0, "stage": N_("Waiting to start again"),
                  "updated_at": now}
    held = model.claim.is_(None) if row.claim is None else model.claim == row.claim
    changed = db.session.execute(sa.update(model).where(model.id == row.id, model.state == row.state, held)
                                 .values(**values)).rowcount == 1
    queued = changed and values["state"] == "queued"
    if queued:
        queue.enqueue(task, row.id)
    return queued
