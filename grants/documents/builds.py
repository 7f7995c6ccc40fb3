"""Building large documents off the request, with progress, cached until their data changes.

The flow (see :mod:`grants.documents.models` for the words):

1. A page shows :func:`status`: the latest build of a document and whether a finished one
   matches the current data (its :func:`fingerprint`).
2. Asking for a build is an operation, :func:`request_build`: it adds a *queued* build, unless
   one is already under way or the finished one is current. The route commits, then calls
   :func:`start_in_background`, so the thread never looks for a row that is not committed.
3. The thread runs :func:`run_build` inside its own app context, so it has its own database
   session: it claims the build (queued → running, compare-and-swap), reads the data, lays the
   pages out and writes the PDF under ``instance/documents/``, committing its progress at each
   stage, and marks the build done, or failed with the error if anything goes wrong.
4. :func:`ready_pdf` serves a done build only while its fingerprint is the current one.

A process that dies mid-build leaves it running; after :data:`~grants.documents.models.STUCK_AFTER`
without progress it counts as failed and can be started again.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from flask import Flask, current_app
from sqlmodel import select

from grants.collectives.models import Collective
from grants.db import db
from grants.documents import _fetcher, registry, render_html
from grants.documents.models import DocumentBuild
from grants.timeutil import utcnow

log = logging.getLogger(__name__)
# Values that change on every load without the document's data changing.
VOLATILE_KEYS = frozenset({"generated_at"})
_threads: dict[int, threading.Thread] = {}


def fingerprint(values: dict) -> str:
    """A hash of what a document shows: equal for equal data, whenever it was read."""
    stable = {key: value for key, value in values.items() if key not in VOLATILE_KEYS}
    return hashlib.sha256(json.dumps(stable, sort_keys=True, default=str).encode()).hexdigest()


def latest_build(kind: str, object_id: int) -> DocumentBuild | None:
    return db.session.exec(select(DocumentBuild).where(DocumentBuild.kind == kind, DocumentBuild.object_id == object_id)
                           .order_by(DocumentBuild.id.desc())).first()


def _current_done(kind: str, object_id: int, current: str) -> DocumentBuild | None:
    build = db.session.exec(select(DocumentBuild).where(
        DocumentBuild.kind == kind, DocumentBuild.object_id == object_id, DocumentBuild.state == "done",
        DocumentBuild.fingerprint == current).order_by(DocumentBuild.id.desc())).first()
    if build is None or not build.path or not (Path(current_app.instance_path) / build.path).is_file():
        return None
    return build


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
        """Finished for the current data, but its file is gone (the instance folder was cleaned)."""
        return (self.ready is None and self.latest is not None and self.latest.state == "done"
                and self.latest.fingerprint == self.fingerprint)


def status(kind: str, object_id: int, current: str) -> BuildStatus:
    latest = latest_build(kind, object_id)
    return BuildStatus(state=latest.effective_state() if latest else "none", latest=latest,
                       ready=_current_done(kind, object_id, current), fingerprint=current)


def current_status(kind: str, object_id: int, current: Callable[[], str]) -> BuildStatus:
    """:func:`status`, reading the document's data (``current()``, its fingerprint) only when the
    answer depends on it: while a build is under way it does not, and a page polls this often."""
    latest = latest_build(kind, object_id)
    state = latest.effective_state() if latest is not None else "none"
    if state in ("queued", "running"):
        return BuildStatus(state=state, latest=latest, ready=None, fingerprint="")
    return status(kind, object_id, current())


def request_build(kind: str, object_id: int, collective_id: int, actor) -> tuple[DocumentBuild, bool]:
    """Queue a build of the document as its data is now. Returns (the build, whether it is new):
    a build already under way, or a finished one of the same data, is returned instead."""
    # One request at a time per collective (PostgreSQL; SQLite's writers queue anyway), so two
    # people pressing the button together queue one build.
    db.session.execute(select(Collective.id).where(Collective.id == collective_id).with_for_update())
    document = registry.get(kind)
    current = fingerprint(document.load(object_id))
    latest = latest_build(kind, object_id)
    if latest is not None and latest.state in ("queued", "running"):
        if not latest.is_stuck():
            return latest, False
        _mark_failed(latest, "It stopped without finishing (no progress for 10 minutes).")
    ready = _current_done(kind, object_id, current)
    if ready is not None:
        return ready, False
    build = DocumentBuild(kind=kind, object_id=object_id, collective_id=collective_id,
                          requested_by_id=getattr(actor, "id", None),
                          fingerprint=current, state="queued", stage="Waiting to start")
    db.session.add(build)
    db.session.flush()
    return build, True


def _mark_failed(build: DocumentBuild, error: str) -> None:
    now = utcnow()
    build.state, build.error, build.finished_at, build.updated_at = "failed", error[:2000], now, now
    build.stage = "Failed"
    db.session.add(build)
    db.session.flush()


def start_in_background(build_id: int) -> threading.Thread:
    """Run the (committed) build in a thread of its own, with its own app context and session."""
    app = current_app._get_current_object()
    thread = threading.Thread(target=_run_in_app, args=(app, build_id), name=f"document-build-{build_id}",
                              daemon=True)
    _threads[build_id] = thread
    thread.start()
    return thread


def _run_in_app(app: Flask, build_id: int) -> None:
    try:
        with app.app_context():
            run_build(build_id)
    except Exception:  # noqa: BLE001 - e.g. the database was unreachable: the build stays queued until stuck
        log.exception("Could not run document build %s", build_id)
    finally:
        _threads.pop(build_id, None)


def wait_for_threads(timeout: float = 60) -> None:
    """Wait for builds running in this process to finish (for shutdown and tests)."""
    for thread in list(_threads.values()):
        thread.join(timeout)


def _progress(build: DocumentBuild, percent: int, stage: str) -> None:
    build.progress, build.stage, build.updated_at = percent, stage, utcnow()
    db.session.add(build)
    db.session.commit()


def run_build(build_id: int) -> None:
    """Render one queued build, committing progress as it goes; never raises."""
    now = utcnow()
    claimed = db.session.execute(
        sa.update(DocumentBuild).where(DocumentBuild.id == build_id, DocumentBuild.state == "queued")
        .values(state="running", started_at=now, updated_at=now, progress=5, stage="Reading the data"))
    db.session.commit()
    if claimed.rowcount != 1:
        return  # another worker took it, or it was given up as stuck
    build = db.session.get(DocumentBuild, build_id)
    try:
        from weasyprint import HTML

        document = registry.get(build.kind)
        values = document.load(build.object_id)
        current = fingerprint(values)
        _progress(build, 20, "Laying out the pages")
        laid_out = HTML(string=render_html(document.template, **values), url_fetcher=_fetcher(),
                        base_url=None).render()
        pages = len(laid_out.pages)
        _progress(build, 80, f"Writing the PDF ({pages} page{'' if pages == 1 else 's'})")
        pdf = laid_out.write_pdf()
        relative = Path("documents") / f"{build.kind}-{build.object_id}-{build.id}-{current[:12]}.pdf"
        target = Path(current_app.instance_path) / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_suffix(".part")
        partial.write_bytes(pdf)
        os.replace(partial, target)
        finished = utcnow()
        build.state, build.progress, build.stage = "done", 100, "Done"
        build.path, build.pages, build.fingerprint = relative.as_posix(), pages, current
        build.finished_at = build.updated_at = finished
        db.session.add(build)
        db.session.commit()
        _remove_older(build)
    except Exception as error:  # noqa: BLE001 - whatever went wrong, the page must say so
        log.exception("Building %s %s failed", build.kind, build.object_id)
        db.session.rollback()
        failed = db.session.get(DocumentBuild, build_id)
        _mark_failed(failed, f"{type(error).__name__}: {error}")
        db.session.commit()


def _remove_older(build: DocumentBuild) -> None:
    """Finished and failed builds before this one are superseded: remove them and their files."""
    older = db.session.exec(select(DocumentBuild).where(
        DocumentBuild.kind == build.kind, DocumentBuild.object_id == build.object_id, DocumentBuild.id < build.id,
        DocumentBuild.state.in_(("done", "failed")))).all()
    for row in older:
        if row.path:
            (Path(current_app.instance_path) / row.path).unlink(missing_ok=True)
        db.session.delete(row)
    db.session.commit()


def ready_pdf(kind: str, object_id: int, current: str) -> tuple[DocumentBuild, bytes] | None:
    """The finished build of the current data and its bytes, or None when it must be built."""
    build = _current_done(kind, object_id, current)
    if build is None:
        return None
    return build, (Path(current_app.instance_path) / build.path).read_bytes()
