"""Building documents in the worker, with progress, kept in the database until their data changes.

The flow (see :mod:`grants.documents.models` for the words):

1. A page shows :func:`status`: the latest build of a document and whether a finished one
   matches the current data (its :func:`fingerprint`).
2. Asking for a build is an operation, :func:`request_build`: it adds a *queued* build, unless
   one is already under way or the finished one is current, and queues :func:`build_document`
   for after the commit (:func:`grants.queue.enqueue`), so the worker never looks for a row that
   is not committed. A download that finds nothing current calls :func:`prepare`, which does the
   same at most once however many people ask (and not again soon after a failed build).
3. The worker runs :func:`build_document`: it claims the build (queued → running with a new
   claim token, compare-and-swap), reads the data, lays the pages out and writes the PDF into the
   row, committing its progress (the heartbeat) at each stage while its claim holds, and marks the
   build done, or failed with the error if rendering goes wrong.
4. :func:`ready_pdf` serves a done build only while its fingerprint is the current one, from any
   web host: the bytes are in the database.

A build is in one *language*: its words, dates and money. The worker reads the values and lays
the pages out inside ``flask_babel.force_locale(language)``, and the fingerprint is read in the
same language (:func:`document_values`: sentences a loader writes are in it), so a document in
Urdu and the same one in English are two builds, each current on its own.

A worker killed mid-build leaves the build running with a heartbeat that stops. The sweep every
worker runs, :func:`requeue_stalled_builds`, gives it back to the queue under a new claim once the
heartbeat is :data:`~grants.documents.models.STUCK_AFTER` old (and fails it after
:data:`~grants.documents.models.MAX_ATTEMPTS` runs); whatever the killed run would still write is
refused, because its claim token is no longer the row's. A document is finished once.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa
from flask import Response
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlmodel import select

from grants import claims, i18n, queue
from grants.collectives.models import Collective
from grants.db import db
from grants.documents import _fetcher, registry, render_html
from grants.documents.models import MAX_ATTEMPTS, STUCK_AFTER, DocumentBuild
from grants.documents.registry import DocumentKind
from grants.timeutil import utcnow

log = logging.getLogger(__name__)
# Values that change on every load without the document's data changing.
VOLATILE_KEYS = frozenset({"generated_at"})
STALLED = (f"It stopped without finishing {MAX_ATTEMPTS} times (no progress for "
           f"{int(STUCK_AFTER.total_seconds() // 60)} minutes each time).")


def fingerprint(values: dict) -> str:
    """A hash of what a document shows: equal for equal data, whenever it was read."""
    stable = {key: value for key, value in values.items() if key not in VOLATILE_KEYS}
    return hashlib.sha256(json.dumps(stable, sort_keys=True, default=str).encode()).hexdigest()


def language_code(language: str | None) -> str:
    """A language a document can be built in: one of the interface's, else English."""
    return i18n.supported(language) or i18n.DEFAULT


def document_values(document: DocumentKind, object_id: int, variant: str = "", language: str = i18n.DEFAULT) -> dict:
    """The document's values as read in ``language``: what its loader words (sentences, labels)
    comes out in that language, so the fingerprint of a build is the fingerprint of its language."""
    with force_locale(language_code(language)):
        return document.values(object_id, variant)


def _of(kind: str, object_id: int, variant: str, language: str):
    return (DocumentBuild.kind == kind, DocumentBuild.object_id == object_id, DocumentBuild.variant == variant,
            DocumentBuild.language == language_code(language))


def latest_build(kind: str, object_id: int, variant: str = "", language: str = i18n.DEFAULT) -> DocumentBuild | None:
    return db.session.exec(select(DocumentBuild).where(*_of(kind, object_id, variant, language))
                           .order_by(DocumentBuild.id.desc())).first()


def _current_done(kind: str, object_id: int, variant: str, current: str,
                  language: str = i18n.DEFAULT) -> DocumentBuild | None:
    return db.session.exec(select(DocumentBuild).where(
        *_of(kind, object_id, variant, language), DocumentBuild.state == "done", DocumentBuild.fingerprint == current,
        DocumentBuild.content.is_not(None)).order_by(DocumentBuild.id.desc())).first()


# What the worker writes in ``stage`` (kept in English, for logs), shown in the reader's language.
STAGES = {"Waiting to start": _l("Waiting to start"), "Waiting to start again": _l("Waiting to start again"),
          "Reading the data": _l("Reading the data"), "Laying out the pages": _l("Laying out the pages"),
          "Done": _l("Done"), "Failed": _l("Failed")}


def stage_text(build: DocumentBuild | None) -> str:
    """The stage a build has reached, in words, in the page's language."""
    if build is None:
        return ""
    if build.stage.startswith("Writing the PDF") and build.pages:
        return ngettext("Writing the PDF (%(num)d page)", "Writing the PDF (%(num)d pages)", build.pages)
    known = STAGES.get(build.stage)
    return str(known) if known is not None else build.stage


@dataclass(frozen=True)
class BuildStatus:
    """What a page shows about a document's builds.

    ``state`` is ``none`` (never built), ``queued``, ``running``, ``done`` or ``failed`` (a stuck
    build counts as failed); ``ready`` is a done build of the current data with its file, ready to
    download; ``stale`` says the latest finished build is of data that has changed since.
    """

    state: str
    latest: DocumentBuild | None
    ready: DocumentBuild | None
    fingerprint: str

    @property
    def under_way(self) -> bool:
        return self.state in ("queued", "running")

    @property
    def stale(self) -> bool:
        return (self.ready is None and self.latest is not None and self.latest.state == "done"
                and self.latest.fingerprint != self.fingerprint)

    @property
    def file_missing(self) -> bool:
        """Finished for the current data, but its file is not kept (built before files were kept
        in the database)."""
        return (self.ready is None and self.latest is not None and self.latest.state == "done"
                and self.latest.fingerprint == self.fingerprint)


def status(kind: str, object_id: int, current: str, variant: str = "", language: str = i18n.DEFAULT) -> BuildStatus:
    latest = latest_build(kind, object_id, variant, language)
    return BuildStatus(state=latest.effective_state() if latest else "none", latest=latest,
                       ready=_current_done(kind, object_id, variant, current, language), fingerprint=current)


def current_status(kind: str, object_id: int, current: Callable[[], str], variant: str = "",
                   language: str = i18n.DEFAULT) -> BuildStatus:
    """:func:`status`, reading the document's data (``current()``, its fingerprint) only when the
    answer depends on it: while a build is under way it does not, and a page polls this often."""
    latest = latest_build(kind, object_id, variant, language)
    state = latest.effective_state() if latest is not None else "none"
    if state in ("queued", "running"):
        return BuildStatus(state=state, latest=latest, ready=None, fingerprint="")
    return status(kind, object_id, current(), variant, language)


def _lock_collective(collective_id: int) -> None:
    # One request at a time per collective (PostgreSQL; SQLite's writers queue anyway), so two
    # people asking together queue one build.
    db.begin_write()
    db.session.execute(select(Collective.id).where(Collective.id == collective_id).with_for_update())


def request_build(kind: str, object_id: int, collective_id: int, actor, variant: str = "",
                  language: str = i18n.DEFAULT) -> tuple[DocumentBuild, bool]:
    """Queue a build of the document as its data is now. Returns (the build, whether it is new):
    a build already under way, or a finished one of the same data, is returned instead.

    A build stuck under way (no heartbeat for :data:`STUCK_AFTER`) is queued again, as the sweep
    would: asking is the person's way of not waiting for it.
    """
    language = language_code(language)
    _lock_collective(collective_id)
    document = registry.get(kind)
    current = fingerprint(document_values(document, object_id, variant, language))
    latest = latest_build(kind, object_id, variant, language)
    if latest is not None and latest.state in ("queued", "running"):
        if not latest.is_stuck():
            return latest, False
        if _requeue(latest):
            return latest, True
    ready = _current_done(kind, object_id, variant, current, language)
    if ready is not None:
        return ready, False
    build = DocumentBuild(kind=kind, object_id=object_id, variant=variant, language=language, collective_id=collective_id,
                          requested_by_id=getattr(actor, "id", None),
                          fingerprint=current, state="queued", stage="Waiting to start")
    db.session.add(build)
    db.session.flush()
    queue.enqueue(build_document, build.id)
    return build, True


def prepare(document: DocumentKind, object_id: int, collective_id: int, values: dict,
            variant: str = "", language: str = i18n.DEFAULT) -> BuildStatus:
    """For a download: the status of the document's builds, queuing a build when nothing current
    is ready and none is under way. Safe under any number of requests (anonymous ones too): they
    queue one build between them, and after a failed build of the same data none for
    :data:`STUCK_AFTER`, so a document that cannot be built is not rendered on every request.
    ``values`` are the document's as read in ``language`` (:func:`document_values`)."""
    language = language_code(language)
    current = fingerprint(values)
    found = status(document.name, object_id, current, variant, language)
    if found.ready is not None or found.under_way or _failed_lately(found.latest, current):
        return found
    _lock_collective(collective_id)
    found = status(document.name, object_id, current, variant, language)
    if found.ready is None and not found.under_way and not _failed_lately(found.latest, current):
        build = DocumentBuild(kind=document.name, object_id=object_id, variant=variant, language=language,
                              collective_id=collective_id, fingerprint=current, state="queued",
                              stage="Waiting to start")
        db.session.add(build)
        db.session.flush()
        queue.enqueue(build_document, build.id)
    db.session.commit()
    # With HUEY_IMMEDIATE (the tests) the build has run by now, in a session of its own.
    db.session.expire_all()
    return status(document.name, object_id, current, variant, language)


def _failed_lately(build: DocumentBuild | None, current: str) -> bool:
    return (build is not None and build.state == "failed" and build.fingerprint == current
            and utcnow() - build.updated_at < STUCK_AFTER)


def _requeue(build: DocumentBuild) -> bool:
    return claims.give_back(build, build_document, max_attempts=MAX_ATTEMPTS, gave_up=STALLED)


@queue.periodic_task(every_minutes=1)
def requeue_stalled_builds() -> int:
    """Put back in the queue every build whose worker stopped (no heartbeat for STUCK_AFTER), and
    queue again those whose queue message was lost. Safe in any number of workers at once: each
    change is a compare-and-swap on the build's state and claim. Returns how many were queued."""
    queued = 0
    for build in claims.stalled(DocumentBuild, STUCK_AFTER):
        log.warning("document build %s (%s %s) has had no progress since %s: queuing it again",
                    build.id, build.kind, build.object_id, build.updated_at.isoformat())
        queued += _requeue(build)
        db.session.commit()
    return queued


# -- the worker's side ------------------------------------------------------------------------

def _claim(build_id: int) -> str | None:
    """Take a queued build for this run: a new claim token, or None if it is not ours to run."""
    return claims.claim(DocumentBuild, build_id, started_at=utcnow(), progress=5, stage="Reading the data")


def _while_claimed(build_id: int, claim: str, **values) -> None:
    claims.while_claimed(DocumentBuild, build_id, claim, **values)


@queue.task(retries=6, retry_delay=30)
def build_document(build_id: int) -> None:
    """Claim one queued build and render it; a build someone else has, or that is done, is left alone.

    Rendering errors fail the build with the reason (building the same data again fails the same
    way; a person can ask again). Anything else, e.g. the database unreachable, raises, and the
    queue retries with back-off; a claim it left behind is the sweep's to give back.
    """
    claim = _claim(build_id)
    if claim is None:
        return
    try:
        run_claimed(build_id, claim)
    except claims.Superseded:
        log.warning("document build %s was given to another run while this one worked: its result is dropped",
                    build_id)


def run_claimed(build_id: int, claim: str) -> None:
    build = db.session.get(DocumentBuild, build_id)
    try:
        from weasyprint import HTML

        document = registry.get(build.kind)
        # Words, dates and money in the build's language, whoever's request queued it.
        with force_locale(language_code(build.language)):
            values = document.values(build.object_id, build.variant)
            current = fingerprint(values)
            _while_claimed(build_id, claim, progress=20, stage="Laying out the pages")
            laid_out = HTML(string=render_html(document.template, **values), url_fetcher=_fetcher(),
                            base_url=None).render()
        pages = len(laid_out.pages)
        _while_claimed(build_id, claim, progress=80, pages=pages,
                       stage=f"Writing the PDF ({pages} page{'' if pages == 1 else 's'})")
        pdf = laid_out.write_pdf()
        now = utcnow()
        _while_claimed(build_id, claim, state="done", progress=100, stage="Done", content=pdf, size=len(pdf),
                       pages=pages, fingerprint=current, finished_at=now)
    except claims.Superseded:
        raise
    except Exception as error:  # noqa: BLE001 - whatever went wrong, the page must say so
        log.exception("Building %s %s failed", build.kind, build.object_id)
        db.session.rollback()
        _while_claimed(build_id, claim, state="failed", stage="Failed", error=f"{type(error).__name__}: {error}"[:2000],
                       finished_at=utcnow())
        return
    _remove_older(build)


def _remove_older(build: DocumentBuild) -> None:
    """Finished and failed builds before this one are superseded: remove them and their files."""
    db.session.execute(sa.delete(DocumentBuild).where(
        *_of(build.kind, build.object_id, build.variant, build.language), DocumentBuild.id < build.id,
        DocumentBuild.state.in_(("done", "failed"))))
    db.session.commit()


# -- serving ----------------------------------------------------------------------------------

def ready_pdf(kind: str, object_id: int, current: str, variant: str = "",
              language: str = i18n.DEFAULT) -> tuple[DocumentBuild, bytes] | None:
    """The finished build of the current data and its bytes, or None when it must be built."""
    build = _current_done(kind, object_id, variant, current, language)
    if build is None:
        return None
    return build, build.content


def pdf_response(pdf: bytes, filename: str) -> Response:
    """A PDF download, through the one download helper (``filename`` plus ``filename*``)."""
    from grants.views import download

    return download(pdf, filename, "application/pdf")
