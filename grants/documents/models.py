"""Builds of documents, made by the worker and kept, in the database, until the data they show changes.

Glossary
- *build*: one run that renders one document (a kind from :mod:`grants.documents.registry`, the
  id of its object and, for kinds that need one, a ``variant`` such as a financial year: e.g.
  the proposal pack of round 3) and a ``language`` (``en``, ``ur``, ``pa``, ``bn``: the words,
  dates and money of the file are in it) into PDF bytes kept in the row itself (``content``, a BLOB /
  ``bytea``, loaded only when a file is downloaded). A build is *queued* when asked for,
  *running* while a worker renders it (``progress`` 0–100 with a ``stage`` in words), then
  *done* (``content`` holds the PDF) or *failed* (``error`` says why).
- *claim*: a worker takes a queued build with a compare-and-swap (queued → running) that writes
  a fresh ``claim`` token and counts the ``attempts``. Every later write of that run, its
  progress and its result, is made only while the row still carries its token: a run whose
  claim was taken back (see *stalled*) can finish its work but changes nothing.
- *heartbeat*: ``updated_at``, written with each stage of a running build.
- *stalled*: a build running with no heartbeat for :data:`STUCK_AFTER` (its worker was killed,
  or its host lost): the worker's sweep puts it back in the queue, under a new claim, up to
  :data:`MAX_ATTEMPTS` runs; then it has failed. A queued build whose queue message was lost is
  queued again by the same sweep.
- *fingerprint*: a hash of the values the document was rendered from. A done build whose
  fingerprint equals the current data's is served as it is; when the data changes the
  fingerprint differs and the document must be built again. A done build without its
  ``content`` (one built before documents moved into the database) is built again.

A build's state is a job's state, not a domain workflow: nobody decides anything by moving it,
so it is not a workflow definition and is not audited.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import deferred
from sqlmodel import Field, SQLModel

from grants.db import UTCDateTime
from grants.timeutil import utcnow

BUILD_STATES = ("queued", "running", "done", "failed")
STUCK_AFTER = timedelta(minutes=10)
MAX_ATTEMPTS = 3
# The PDF itself: deferred, so listing or polling builds never reads a file's bytes.
_CONTENT = sa.Column("content", sa.LargeBinary, nullable=True)


class DocumentBuild(SQLModel, table=True):
    __tablename__ = "document_build"
    __mapper_args__ = {"properties": {"content": deferred(_CONTENT)}}
    __table_args__ = (
        sa.CheckConstraint("state IN ('queued', 'running', 'done', 'failed')", name="state_known"),
        sa.CheckConstraint("progress >= 0 AND progress <= 100", name="progress_in_range"),
        sa.Index("ix_document_build_kind_object", "kind", "object_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(sa_column=sa.Column(sa.String(40), nullable=False))
    object_id: int = Field(nullable=False)
    variant: str = Field(default="", sa_column=sa.Column(sa.String(40), nullable=False, server_default=""))
    language: str = Field(default="en", sa_column=sa.Column(sa.String(8), nullable=False, server_default="en"))
    collective_id: int = Field(foreign_key="collective.id", ondelete="CASCADE", index=True)
    requested_by_id: int | None = Field(default=None, foreign_key="person.id", ondelete="SET NULL")
    fingerprint: str = Field(sa_column=sa.Column(sa.String(64), nullable=False))
    state: str = Field(default="queued", sa_column=sa.Column(sa.String(20), nullable=False, server_default="queued"))
    progress: int = Field(default=0, sa_column=sa.Column(sa.Integer, nullable=False, server_default="0"))
    stage: str = Field(default="", sa_column=sa.Column(sa.String(200), nullable=False, server_default=""))
    content: bytes | None = Field(default=None, sa_column=_CONTENT)
    size: int = Field(default=0, sa_column=sa.Column(sa.Integer, nullable=False, server_default="0"))
    pages: int | None = Field(default=None)
    claim: str | None = Field(default=None, sa_column=sa.Column(sa.String(32), nullable=True))
    attempts: int = Field(default=0, sa_column=sa.Column(sa.Integer, nullable=False, server_default="0"))
    error: str = Field(default="", sa_column=sa.Column(sa.Text, nullable=False, server_default=""))
    created_at: datetime = Field(default_factory=utcnow, sa_column=sa.Column(UTCDateTime, nullable=False))
    started_at: datetime | None = Field(default=None, sa_column=sa.Column(UTCDateTime, nullable=True))
    finished_at: datetime | None = Field(default=None, sa_column=sa.Column(UTCDateTime, nullable=True))
    updated_at: datetime = Field(default_factory=utcnow, sa_column=sa.Column(UTCDateTime, nullable=False))

    def is_stuck(self, now: datetime | None = None) -> bool:
        return self.state in ("queued", "running") and (now or utcnow()) - self.updated_at > STUCK_AFTER

    def effective_state(self, now: datetime | None = None) -> str:
        """The state as people should see it: a stuck build has failed."""
        return "failed" if self.is_stuck(now) else self.state


__all__ = ["BUILD_STATES", "MAX_ATTEMPTS", "STUCK_AFTER", "DocumentBuild"]
