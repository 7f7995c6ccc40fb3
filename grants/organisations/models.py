"""Organisations of a collective: the grassroots groups that propose projects and hold grants.

Communities served are stored as codes of the ONS 2021 ethnic categories (``grants.reference``);
languages as short codes. Equality data is special-category personal data: only the
organisation's declared communities are stored here, never anything about individuals.
An organisation is *pending* while its join request is undecided, *active* once approved.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from grants.db import UTCDateTime
from grants.timeutil import utcnow


class Organisation(SQLModel, table=True):
    __tablename__ = "organisation"
    __table_args__ = (
        sa.UniqueConstraint("collective_id", "name"),
        sa.CheckConstraint("status IN ('pending', 'active', 'declined', 'left')", name="status_known"),
    )

    id: int | None = Field(default=None, primary_key=True)
    collective_id: int = Field(foreign_key="collective.id", ondelete="CASCADE", index=True)
    name: str = Field(sa_column=sa.Column(sa.String(160), nullable=False))
    kind: str = Field(sa_column=sa.Column(sa.String(30), nullable=False))
    registration_number: str = Field(default="", sa_column=sa.Column(sa.String(40), nullable=False, server_default=""))
    postcode: str = Field(sa_column=sa.Column(sa.String(10), nullable=False))
    ward: str = Field(default="", sa_column=sa.Column(sa.String(120), nullable=False, server_default=""))
    communities_served: list[str] = Field(default_factory=list, sa_column=sa.Column(sa.JSON, nullable=False))
    partner_type: str = Field(default="", sa_column=sa.Column(sa.String(30), nullable=False, server_default=""))
    languages: list[str] = Field(default_factory=list, sa_column=sa.Column(sa.JSON, nullable=False))
    contact_name: str = Field(sa_column=sa.Column(sa.String(120), nullable=False))
    contact_email: str = Field(sa_column=sa.Column(sa.String(254), nullable=False))
    contact_phone: str = Field(default="", sa_column=sa.Column(sa.String(40), nullable=False, server_default=""))
    description: str = Field(default="", sa_column=sa.Column(sa.Text, nullable=False, server_default=""))
    status: str = Field(default="pending", sa_column=sa.Column(sa.String(20), nullable=False, server_default="pending"))
    created_at: datetime = Field(default_factory=utcnow, sa_column=sa.Column(UTCDateTime, nullable=False))
    # goes up by one with every save from the edit form (``grants.versions``)
    version: int = Field(default=1, sa_column=sa.Column(sa.Integer, nullable=False, server_default="1"))
