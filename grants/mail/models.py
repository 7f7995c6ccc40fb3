"""The mail outbox: every email is a row, written in the transaction of the change that causes it.

Glossary
- *outbox message*: one email to one recipient. It is *queued* when the change that causes it is
  committed (a rollback leaves no row), *sending* while a worker has claimed it and talks to the
  SMTP server, then *sent* (``last_answer`` keeps the server's answer) or back to *queued* with a
  ``next_attempt_at`` after a back-off when the server was unreachable or said "try later", or
  *failed* when it refused the message for good or the attempts ran out. A person may put a
  failed message back to *queued* (audited).
- *claim*: a worker moves rows from queued to sending with one compare-and-swap update that
  stamps them with its ``claim`` token; only rows it stamped are sent by it, and only a row still
  stamped with its token is marked sent. Two workers never send the same row.
- *Message-ID*: made when the row is queued and sent unchanged on every attempt, so a resend
  after a worker died mid-send is recognisable as the same message.

The state is a job's state, not a domain workflow: nobody decides anything by moving it, so it has
no workflow definition; the one thing a person does to it (retrying) is audited.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from grants.db import UTCDateTime
from grants.timeutil import utcnow

OUTBOX_STATES = ("queued", "sending", "sent", "failed")


class OutboxMessage(SQLModel, table=True):
    __tablename__ = "outbox_message"
    __table_args__ = (
        sa.CheckConstraint("state IN ('queued', 'sending', 'sent', 'failed')", name="state_known"),
        sa.CheckConstraint("attempts >= 0", name="attempts_not_negative"),
        # what the sweep looks for: queued rows that are due, sending rows that are stuck
        sa.Index("ix_outbox_message_state_next_attempt", "state", "next_attempt_at"),
        # what the facilitators' page looks for
        sa.Index("ix_outbox_message_collective_state", "collective_id", "state"),
    )

    id: int | None = Field(default=None, primary_key=True)
    message_id: str = Field(sa_column=sa.Column(sa.String(250), nullable=False, unique=True))
    collective_id: int | None = Field(default=None, foreign_key="collective.id", ondelete="CASCADE")
    recipient: str = Field(sa_column=sa.Column(sa.String(320), nullable=False))
    subject: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    body: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    state: str = Field(default="queued", sa_column=sa.Column(sa.String(20), nullable=False, server_default="queued"))
    attempts: int = Field(default=0, sa_column=sa.Column(sa.Integer, nullable=False, server_default="0"))
    next_attempt_at: datetime = Field(default_factory=utcnow, sa_column=sa.Column(UTCDateTime, nullable=False))
    claim: str | None = Field(default=None, sa_column=sa.Column(sa.String(32), nullable=True))
    claimed_at: datetime | None = Field(default=None, sa_column=sa.Column(UTCDateTime, nullable=True))
    last_answer: str = Field(default="", sa_column=sa.Column(sa.Text, nullable=False, server_default=""))
    created_at: datetime = Field(default_factory=utcnow, sa_column=sa.Column(UTCDateTime, nullable=False))
    updated_at: datetime = Field(default_factory=utcnow, sa_column=sa.Column(UTCDateTime, nullable=False))
    sent_at: datetime | None = Field(default=None, sa_column=sa.Column(UTCDateTime, nullable=True))


__all__ = ["OUTBOX_STATES", "OutboxMessage"]
