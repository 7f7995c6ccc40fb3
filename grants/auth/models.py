"""People: the accounts that sign in.

A person's email is stored lower-cased, so uniqueness is case-insensitive. Passwords are hashed
with scrypt (Werkzeug's default KDF). ``is_admin`` marks a site administrator, who manages
collectives and accounts; every other power comes from a membership of a collective.
``must_change_password`` sends a person to "choose a new password" before any other page
(except on localhost, where the demo runs on one's own machine).
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask_login import UserMixin
from sqlmodel import Field, SQLModel
from werkzeug.security import check_password_hash, generate_password_hash

from grants.db import UTCDateTime
from grants.timeutil import utcnow


def normalise_email(email: str) -> str:
    return email.strip().lower()


class Person(UserMixin, SQLModel, table=True):
    __tablename__ = "person"

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(sa_column=sa.Column(sa.String(254), nullable=False, unique=True))
    name: str = Field(sa_column=sa.Column(sa.String(120), nullable=False))
    password_hash: str = Field(sa_column=sa.Column(sa.String(255), nullable=False))
    active: bool = Field(default=True, sa_column=sa.Column(sa.Boolean, nullable=False, server_default=sa.true()))
    is_admin: bool = Field(default=False, sa_column=sa.Column(sa.Boolean, nullable=False, server_default=sa.false()))
    preferred_language: str = Field(default="en", sa_column=sa.Column(sa.String(8), nullable=False, server_default="en"))
    wants_reminders: bool = Field(default=True, sa_column=sa.Column(sa.Boolean, nullable=False, server_default=sa.true()))
    # Their password is known to others (the demo admin's is published): choose a new one first.
    must_change_password: bool = Field(default=False, sa_column=sa.Column(sa.Boolean, nullable=False,
                                                                          server_default=sa.false()))
    created_at: datetime = Field(default_factory=utcnow, sa_column=sa.Column(UTCDateTime, nullable=False))

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive accounts
        return self.active
