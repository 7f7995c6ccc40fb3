"""A real election uploaded from the import page, imported by the worker.

The page keeps the file in the database (:class:`~grants.rounds.models.ElectionImport`, by
:func:`grants.rounds.imports.queue_import`) and :func:`import_upload` imports it in the worker,
whatever its size (one way for every file): it claims the row (:mod:`grants.claims`), reads,
checks and saves the election in one transaction with
:func:`grants.rounds.imports.import_election`, and records the result on the row in that same
transaction, only while its claim holds. So nothing is ever half-imported: a refusal (with the
file's line) rolls everything back and is kept on the row, in the uploader's language, for the
page to show beside the file field; a worker killed half-way imported nothing, and the sweep
(:func:`requeue_stalled_imports`) gives the row to another run; a row that is done is never
imported again, and the round's version (``grants.versions``) refuses a second import. The file
is dropped once the row is done or has failed.

*How far it has got.* The import is one transaction, so what it has done so far cannot be
committed on the row while it runs (and on SQLite no other connection may write while it holds
the write lock). The worker tells its progress — reading the file, checking its voters, saving N
of M ballots — through the queue's own storage instead (``huey.put``: Redis for several hosts, the
queue's SQLite file on one), under :func:`progress_key`; the page reads it while the row is
running, and the row's committed stage otherwise. It is a hint that may be lost, never a record.
"""

from __future__ import annotations

import logging
from datetime import timedelta

import sqlalchemy as sa
from flask_babel import force_locale

from grants import claims, queue
from grants.auth.models import Person
from grants.db import db
from grants.errors import message_of
from grants.i18n import DEFAULT, supported
from grants.rounds.models import ElectionImport, Round
from grants.timeutil import utcnow
from grants.views import REFUSALS
from workflows.i18n import N_

log = logging.getLogger(__name__)
STUCK_AFTER = timedelta(minutes=10)
MAX_ATTEMPTS = 3
# Stored in English (the sweep acts for nobody in particular) and translated on the page; the
# number is MAX_ATTEMPTS, written out so that the message is one fixed text to translate.
STALLED = N_("The import stopped without finishing 3 times. Nothing was imported: try again, or tell the site "
             "administrator.")
# The row's committed milestones, stored in English and translated where they are shown.
WAITING, READING, IMPORTED, NOT_IMPORTED = (N_("Waiting to start"), N_("Reading the file"), N_("Done"),
                                            N_("Not imported"))


def progress_key(import_id: int) -> str:
    return f"commonpot-election-import-{import_id}"


def live_progress(import_id: int) -> dict | None:
    """What the worker last said about a running import (``stage``, ``done``, ``total``), or None."""
    try:
        return queue.huey_of().get(progress_key(import_id), peek=True)
    except Exception:  # noqa: BLE001 - a hint: the page falls back on the row's stage
        log.warning("could not read the progress of election import %s", import_id, exc_info=True)
        return None


def _tell(import_id: int):
    huey = queue.huey_of()

    def tell(stage: str, done: int, total: int) -> None:
        try:
            huey.put(progress_key(import_id), {"stage": stage, "done": done, "total": total})
        except Exception:  # noqa: BLE001 - progress is a hint; the import goes on without it
            log.warning("could not store the progress of election import %s", import_id, exc_info=True)

    return tell


@queue.task(retries=6, retry_delay=30)
def import_upload(import_id: int) -> None:
    """Import one queued file, all or nothing; a row someone else has, or that is done, is left alone."""
    token = claims.claim(ElectionImport, import_id, progress=5, stage=READING)
    if token is not None:
        import_claimed(import_id, token)


def import_claimed(import_id: int, token: str) -> None:
    """Import the file this run has claimed, in one transaction with its result."""
    from grants.rounds.imports import import_election

    row = db.session.get(ElectionImport, import_id)
    content, filename, language = row.content, row.filename, supported(row.language) or DEFAULT
    round_ = db.session.get(Round, row.round_id)
    actor = db.session.get(Person, row.uploaded_by_id) if row.uploaded_by_id else None
    tell = _tell(import_id)
    try:
        try:
            # The refusal is kept as text, so it is written in the language the file was uploaded in.
            with force_locale(language):
                done = import_election(round_, content or b"", actor, filename=filename, progress=tell)
        except REFUSALS as error:
            db.session.rollback()
            with force_locale(language):
                text = message_of(error)
            claims.while_claimed(ElectionImport, import_id, token, state="failed", progress=100, stage=NOT_IMPORTED,
                                 error=text, error_line=getattr(error, "line", None), content=None,
                                 finished_at=utcnow())
            return
        except Exception:
            # The database went away, say: nothing was imported. Give the row back at once so that
            # the queue's retry (with back-off) can claim it again, then let the queue retry.
            db.session.rollback()
            _give_back(import_id, token)
            raise
        claims.while_claimed(ElectionImport, import_id, token, state="done", progress=100, stage=IMPORTED,
                             proposals=done.proposals, ballots=done.ballots, content=None, finished_at=utcnow())
    except claims.Superseded:
        log.warning("election import %s was given to another run while this one worked: nothing imported by it",
                    import_id)
    finally:
        try:
            queue.huey_of().delete(progress_key(import_id))
        except Exception:  # noqa: BLE001 - a stale hint is harmless: the page reads it only while running
            log.debug("could not forget the progress of election import %s", import_id, exc_info=True)


def _give_back(import_id: int, token: str) -> None:
    try:
        db.session.execute(sa.update(ElectionImport).where(claims.claimed_by(ElectionImport, import_id, token))
                           .values(state="queued", claim=None, progress=0, stage=WAITING, updated_at=utcnow()))
        db.session.commit()
    except Exception:  # noqa: BLE001 - then the sweep gives it back once it has stalled
        db.session.rollback()
        log.warning("could not give election import %s back to the queue", import_id, exc_info=True)


@queue.periodic_task(every_minutes=1)
def requeue_stalled_imports() -> int:
    """Queue again every import whose worker stopped (or whose queue message was lost)."""
    queued = 0
    for row in claims.stalled(ElectionImport, STUCK_AFTER):
        log.warning("election import %s has had no progress since %s: queuing it again", row.id,
                    row.updated_at.isoformat())
        queued += claims.give_back(row, import_upload, max_attempts=MAX_ATTEMPTS, gave_up=STALLED)
        db.session.commit()
    return queued
