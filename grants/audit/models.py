"""The audit log: an append-only record of who changed what, when, in which collective.

Rows are written by ``grants.audit.record`` in the same transaction as the change they describe,
so a rolled-back change leaves no audit row and a committed one always has one. The ORM refuses
to update or delete them (see ``grants.audit``), and so does the database (``grants.append_only``):
the only change it allows is erasing a person, which pseudonymises the row and stamps ``erased_at``.
No foreign key cascades into the log: a person or collective it names cannot be deleted.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from grants.append_only import protect
from grants.db import UTCDateTime
from grants.timeutil import utcnow


class AuditEvent(SQLModel, table=True):
    __tablename__ = "audit_event"
    __append_only__: ClassVar[bool] = True
    __table_args__ = (sa.Index("ix_audit_event_collective_at", "collective_id", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, sa_column=sa.Column(UTCDateTime, nullable=False))
    actor_id: int | None = Field(default=None, foreign_key="person.id")
    actor_label: str = Field(sa_column=sa.Column(sa.String(120), nullable=False))
    collective_id: int | None = Field(default=None, foreign_key="collective.id")
    action: str = Field(sa_column=sa.Column(sa.String(80), nullable=False))
    object_type: str = Field(sa_column=sa.Column(sa.String(40), nullable=False))
    object_id: int | None = Field(default=None)
    summary: str = Field(sa_column=sa.Column(sa.String(500), nullable=False))
    before: dict[str, Any] | None = Field(default=None, sa_column=sa.Column(sa.JSON, nullable=True))
    after: dict[str, Any] | None = Field(default=None, sa_column=sa.Column(sa.JSON, nullable=True))
    # Set when the person the row names was erased (UK GDPR): the row then says "a former member".
    erased_at: datetime | None = Field(default=None, sa_column=sa.Column(UTCDateTime, nullable=True))


protect(AuditEvent.__table__, identity=("id", "at", "collective_id", "action", "object_type", "object_id"))
