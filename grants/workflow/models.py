"""Stored workflow state (a mixin) and the state history table."""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

import sqlalchemy as sa
from flask_babel import gettext
from sqlmodel import Field, SQLModel

from grants.append_only import protect
from grants.db import UTCDateTime
from grants.timeutil import utcnow


class WorkflowFields(SQLModel):
    """Columns of every workflow-driven row.

    ``version`` goes up by one with every transition; firing updates the row only if it still has
    the state and version it was read with, so of two people (or processes) moving the same row at
    once exactly one wins.
    """

    # The workflow names this table's rows may follow (a round chooses its variant).
    __workflows__: ClassVar[tuple[str, ...]] = ()

    state: str = Field(max_length=40, index=True)
    version: int = Field(default=1)

    @property
    def workflow_name(self) -> str:
        return self.__workflows__[0]

    @property
    def state_label(self) -> str:
        """The row's state in words, as staff read it, in the reader's language ("Open for proposals")."""
        import workflows  # the registry imports the definitions, which know nothing of the app

        return gettext(workflows.get(self.workflow_name).coerce_state(self.state).staff_label)

    @property
    def public_state_label(self) -> str:
        """The row's state in words, as the public reads it, in the reader's language."""
        import workflows

        return gettext(workflows.get(self.workflow_name).coerce_state(self.state).public_label)

    # Every table using this mixin defines ``actor_roles(person) -> set[str]``: the workflow roles
    # the person holds *for this row* (tests/test_workflow_app.py checks each table has one).


class StateHistory(SQLModel, table=True):
    """One transition of one workflow-driven row. Append-only, in the database too (``grants.append_only``)."""

    __tablename__ = "state_history"
    __append_only__: ClassVar[bool] = True
    __table_args__ = (sa.Index("ix_state_history_object", "object_type", "object_id", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    collective_id: int | None = Field(default=None, foreign_key="collective.id", index=True)
    workflow: str = Field(sa_column=sa.Column(sa.String(40), nullable=False))
    object_type: str = Field(sa_column=sa.Column(sa.String(40), nullable=False))
    object_id: int = Field(nullable=False)
    transition: str = Field(sa_column=sa.Column(sa.String(60), nullable=False))
    from_state: str = Field(sa_column=sa.Column(sa.String(40), nullable=False))
    to_state: str = Field(sa_column=sa.Column(sa.String(40), nullable=False))
    actor_id: int | None = Field(default=None, foreign_key="person.id")
    actor_label: str = Field(sa_column=sa.Column(sa.String(120), nullable=False))
    at: datetime = Field(default_factory=utcnow, sa_column=sa.Column(UTCDateTime, nullable=False))
    reason: str = Field(default="", sa_column=sa.Column(sa.Text, nullable=False, server_default=""))
    payload: dict[str, Any] = Field(default_factory=dict, sa_column=sa.Column(sa.JSON, nullable=False))
    # Set when the person who fired the transition was erased (UK GDPR); see grants.append_only.
    erased_at: datetime | None = Field(default=None, sa_column=sa.Column(UTCDateTime, nullable=True))


protect(StateHistory.__table__, identity=("id", "at", "collective_id", "workflow", "object_type", "object_id",
                                          "transition", "from_state", "to_state"))
