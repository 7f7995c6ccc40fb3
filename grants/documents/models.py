"""Builds of large documents, made off the request and kept until the data they show changes.

Glossary
- *build*: one run that renders one document (a kind from :mod:`grants.documents.registry` and
  the id of its object, e.g. the proposal pack of round 3) into a PDF file under
  ``instance/documents/``. A build is *queued* when asked for, *running* while a background
  thread renders it (``progress`` 0–100 with a ``stage`` in words), then *done* (``path`` names
  the file) or *failed* (``error`` says why).
- *fingerprint*: a hash of the values the document was rendered from. A done build whose
  fingerprint equals the current data's is served as it is; when the data changes the
  fingerprint differs and the document must be built again.
- *stuck*: a build still queued or running after :data:`STUCK_AFTER` (the process that ran it
  died) counts as failed, and may be started again.

A build's state is a job's state, not a domain workflow: nobody decides anything by moving it,
so it is not a workflow definition and is not audited.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from grants.db import UTCDateTime
from grants.timeutil import utcnow

BUILD_STATES = ("queued", "running", "done", "failed")
STUCK_AFTER = timedelta(minutes=10)


class DocumentBuild(SQLModel, table=True):
    __tablename__ = "document_build"
    __table_args__ = (
        sa.CheckConstraint("state IN ('queued', 'running', 'done', 'failed')", name="state_known"),
        sa.CheckConstraint("progress >= 0 AND progress <= 100", name="progress_in_range"),
        sa.Index("ix_document_build_kind_object", "kind", "object_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(sa_column=sa.Column(sa.String(40), nullable=False))
    object_id: int = Field(nullable=False)
    collective_id: int = Field(foreign_key="collective.id", ondelete="CASCADE", index=True)
    requested_by_id: int | None = Field(default=None, foreign_key="person.id", ondelete="SET NULL")
    fingerprint: str = Field(sa_column=sa.Column(sa.String(64), nullable=False))
    state: str = Field(default="queued", sa_column=sa.Column(sa.String(20), nullable=False, server_default="queued"))
    progress: int = Field(default=0, sa_column=sa.Column(sa.Integer, nullable=False, server_default="0"))
    stage: str = Field(default="", sa_column=sa.Column(sa.String(200), nullable=False, server_default=""))
    path: str = Field(default="", sa_column=sa.Column(sa.String(300), nullable=False, server_default=""))
    pages: int | None = Field(default=None)
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


__all__ = ["BUILD_STATES", "STUCK_AFTER", "DocumentBuild"]
