"""A round's review by the locality partnership.

- *ratification*: one reviewer's agreement with the current allocation; the round is ratified when
  ``ratifications_needed`` reviewers agree. Ratifications belong to one count: when the allocation
  is returned and counted again, earlier ratifications no longer apply.
- *exchange*: what was said between the partnership and the facilitators (a return with its
  reasons, the facilitators' response when they resubmit), kept with the round.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from grants.db import UTCDateTime
from grants.timeutil import utcnow


class Ratification(SQLModel, table=True):
    __tablename__ = "ratification"
    __table_args__ = (sa.UniqueConstraint("count_id", "reviewer_id"),)

    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="round.id", ondelete="CASCADE", index=True)
    count_id: int = Field(foreign_key="count.id", ondelete="CASCADE")
    reviewer_id: int = Field(foreign_key="person.id", ondelete="CASCADE")
    note: str = Field(default="", sa_column=sa.Column(sa.Text, nullable=False, server_default=""))
    at: datetime = Field(default_factory=utcnow, sa_column=sa.Column(UTCDateTime, nullable=False))


class ReviewMessage(SQLModel, table=True):
    __tablename__ = "review_message"
    __table_args__ = (sa.CheckConstraint("kind IN ('returned', 'response', 'ratified')", name="kind_known"),)

    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="round.id", ondelete="CASCADE", index=True)
    author_id: int | None = Field(default=None, foreign_key="person.id", ondelete="SET NULL")
    author_label: str = Field(sa_column=sa.Column(sa.String(120), nullable=False))
    kind: str = Field(sa_column=sa.Column(sa.String(20), nullable=False))
    text: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    at: datetime = Field(default_factory=utcnow, sa_column=sa.Column(UTCDateTime, nullable=False))
