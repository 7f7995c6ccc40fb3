"""Ballots: one per member per round (a database constraint), replaceable until voting closes.

A ballot's *marks* give each proposal a value: 1 for an approval, 0–5 for a score, a number of
points for a cumulative vote. A ballot entered by a facilitator for a member who voted at a
meeting is marked *paper*; online and paper ballots of the same member replace each other, so
only one ever counts. Ballots are secret: pages, exports and logs show aggregates only.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from grants.db import UTCDateTime
from grants.timeutil import utcnow


class Ballot(SQLModel, table=True):
    __tablename__ = "ballot"
    __table_args__ = (sa.UniqueConstraint("round_id", "member_id"),)

    id: int | None = Field(default=None, primary_key=True)
    collective_id: int = Field(foreign_key="collective.id", ondelete="CASCADE", index=True)
    # Looked up through the unique constraint's index (round_id first): no index of its own.
    round_id: int = Field(foreign_key="round.id", ondelete="CASCADE")
    # Empty only once the member was erased (UK GDPR): the count reads marks, never who cast them,
    # so an erased member's ballot goes on counting without pointing at anyone. Unique per round
    # still holds for everyone else (NULLs are distinct), and an erased person can never vote again.
    member_id: int | None = Field(default=None, foreign_key="person.id", ondelete="CASCADE")
    is_paper: bool = Field(default=False, sa_column=sa.Column(sa.Boolean, nullable=False, server_default=sa.false()))
    # A voter of a real election read from a pabulib file (grants.rounds.imports): it never had a
    # member (member_id is empty), unlike an erased member's ballot, which had one.
    is_imported: bool = Field(default=False, sa_column=sa.Column(sa.Boolean, nullable=False, server_default=sa.false()))
    entered_by_id: int | None = Field(default=None, foreign_key="person.id", ondelete="SET NULL")
    created_at: datetime = Field(default_factory=utcnow, sa_column=sa.Column(UTCDateTime, nullable=False))
    updated_at: datetime = Field(default_factory=utcnow, sa_column=sa.Column(UTCDateTime, nullable=False))


class BallotMark(SQLModel, table=True):
    __tablename__ = "ballot_mark"
    __table_args__ = (sa.UniqueConstraint("ballot_id", "proposal_id"),
                      sa.CheckConstraint("value > 0", name="value_positive"))

    id: int | None = Field(default=None, primary_key=True)
    # Looked up through the unique constraint's index (ballot_id first): no index of its own.
    ballot_id: int = Field(foreign_key="ballot.id", ondelete="CASCADE")
    proposal_id: int = Field(foreign_key="proposal.id", ondelete="CASCADE")
    value: int = Field(nullable=False)


class ReminderSent(SQLModel, table=True):
    """A voting reminder sent to one member for one round: the job sends each at most once."""

    __tablename__ = "reminder_sent"
    __table_args__ = (sa.UniqueConstraint("round_id", "member_id", "kind"),)

    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="round.id", ondelete="CASCADE")
    member_id: int = Field(foreign_key="person.id", ondelete="CASCADE")
    kind: str = Field(sa_column=sa.Column(sa.String(30), nullable=False))
    sent_at: datetime = Field(default_factory=utcnow, sa_column=sa.Column(UTCDateTime, nullable=False))
