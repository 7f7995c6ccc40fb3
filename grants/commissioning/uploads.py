"""Evidence files too large to import in the request, imported by the worker.

A file up to ``EVIDENCE_IMPORT_IN_REQUEST_BYTES`` is checked and imported while the person waits,
as before. A larger one is kept in the database (:class:`~grants.commissioning.models.EvidenceUpload`,
by :func:`grants.commissioning.operations.queue_import`) and :func:`import_upload` imports it in the
worker: it claims the upload (:mod:`grants.claims`), checks every line and imports the file in one
transaction, all or nothing, with the same operations and line-numbered problems as the page, and
records the result on the upload in that same transaction, only while its claim holds. So a
worker killed half-way imported nothing, and the sweep (:func:`requeue_stalled_uploads`) gives
the upload to another; an import is made once. The file itself is dropped once the upload is
done or has failed: the imported rows are the evidence.
"""

from __future__ import annotations

import io
import logging
from datetime import timedelta

from flask import current_app
from flask_babel import force_locale

from grants import claims, queue
from grants.auth.models import Person
from grants.collectives.models import Collective
from grants.commissioning import operations
from grants.commissioning.models import EvidenceUpload
from grants.db import db
from grants.errors import message_of
from grants.i18n import DEFAULT, supported
from grants.timeutil import utcnow
from grants.views import REFUSALS
from workflows.i18n import N_

log = logging.getLogger(__name__)
STUCK_AFTER = timedelta(minutes=10)
MAX_ATTEMPTS = 3
# Stored in English (the sweep acts for nobody in particular) and translated on the page; the number
# is MAX_ATTEMPTS, written out so that the message is one fixed text to translate.
STALLED = N_("The import stopped without finishing 3 times. Nothing was imported: try again, or tell the site "
             "administrator.")
# Stages are stored in English and translated where they are shown.
CHECKING, NOT_IMPORTED, IMPORTED = N_("Checking every line and importing"), N_("Not imported"), N_("Imported")


def in_request(size: int) -> bool:
    """Whether a file of ``size`` bytes is small enough to import while the person waits."""
    return size <= current_app.config["EVIDENCE_IMPORT_IN_REQUEST_BYTES"]


@queue.task(retries=6, retry_delay=30)
def import_upload(upload_id: int) -> None:
    """Import one queued upload, all or nothing; an upload someone else has, or that is done, is left alone."""
    token = claims.claim(EvidenceUpload, upload_id, progress=10, stage=CHECKING)
    if token is not None:
        import_claimed(upload_id, token)


def import_claimed(upload_id: int, token: str) -> None:
    """Import the upload this run has claimed, in one transaction with its result."""
    upload = db.session.get(EvidenceUpload, upload_id)
    collective = db.session.get(Collective, upload.collective_id)
    actor = db.session.get(Person, upload.uploaded_by_id) if upload.uploaded_by_id else None
    operation = operations.import_usage if upload.kind == "usage" else operations.import_population
    # The problems are kept as text, so they are written in the language of the person who uploaded the file.
    language = supported(getattr(actor, "preferred_language", None)) or DEFAULT
    try:
        try:
            with force_locale(language):
                record = operation(collective, io.BytesIO(upload.content), actor=actor, filename=upload.filename)
        except REFUSALS as error:
            db.session.rollback()
            with force_locale(language):
                error_text = message_of(error)
                problems = [str(p) for p in getattr(error, "problems", [])]
            claims.while_claimed(EvidenceUpload, upload_id, token, state="failed", progress=100, stage=NOT_IMPORTED,
                                 error=error_text, problems=problems, content=None, finished_at=utcnow())
            return
        claims.while_claimed(EvidenceUpload, upload_id, token, state="done", progress=100, stage=IMPORTED,
                             import_id=record.id, content=None, finished_at=utcnow())
    except claims.Superseded:
        log.warning("evidence upload %s was given to another run while this one worked: nothing imported by it",
                    upload_id)


@queue.periodic_task(every_minutes=1)
def requeue_stalled_uploads() -> int:
    """Queue again every upload whose worker stopped (or whose queue message was lost)."""
    queued = 0
    for upload in claims.stalled(EvidenceUpload, STUCK_AFTER):
        log.warning("evidence upload %s has had no progress since %s: queuing it again", upload.id,
                    upload.updated_at.isoformat())
        queued += claims.give_back(upload, import_upload, max_attempts=MAX_ATTEMPTS, gave_up=STALLED)
        db.session.commit()
    return queued
