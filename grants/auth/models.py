"""People: the accounts that sign in, and the record of their sign-ins.

A person's email is stored lower-cased, so uniqueness is case-insensitive. Passwords are hashed
with scrypt (Werkzeug's default KDF). ``is_admin`` marks a site administrator, who manages
collectives and accounts; every other power comes from a membership of a collective.

- *email verified*: an account made by registering can sign in only once its owner has followed
  the link emailed to the address (``email_verified_at``); accounts made from an invitation, by
  an operator or by a password reset are verified by that email.
- *session version*: a number copied into every sign-in's session. Changing the password,
  resetting it, or "sign out everywhere" increases it, and every session holding an older number
  ends at its next request (``grants.auth.sessions``).
- *sign-in event*: one attempt to sign in, successful or not, with the network address it came
  from; the person's account page lists their recent ones. Kept apart from the audit log, which
  belongs to collectives: a sign-in belongs to no collective.

``must_change_password`` sends a person to "choose a new password" before any other page
(except on localhost, where the demo runs on one's own machine).
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask import current_app, has_app_context
from flask_login import UserMixin
from sqlmodel import Field, SQLModel
from werkzeug.security import check_password_hash, generate_password_hash

from grants.db import UTCDateTime
from grants.timeutil import utcnow


# Werkzeug's default KDF and cost (scrypt, N=2**15, r=8, p=1: about 0.1 s of CPU a hash), pinned
# so a Werkzeug upgrade cannot lower it unnoticed. ``PASSWORD_HASH_METHOD`` (grants.config) is only
# ever changed by the tests, which hash a password for every person they make and check one at
# every sign-in: there a cheap cost saves minutes of CPU and proves nothing less (the code path is
# the same). A stored hash names its own method, so checking one never depends on the setting.
STRONG_PASSWORD_METHOD = "scrypt:32768:8:1"  # nosec B105  # a KDF and its cost, not a password


def password_method() -> str:
    if has_app_context():
        return current_app.config.get("PASSWORD_HASH_METHOD", STRONG_PASSWORD_METHOD)
    return STRONG_PASSWORD_METHOD


def spend_password_time(password: str) -> None:
    """Hash ``password`` exactly as a real check or registration would (same method and cost) and
    throw the result away: paths that have no account to check spend the same time, so response
    times do not reveal which addresses have accounts."""
    generate_password_hash(password, method=password_method())


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
    # When a site admin erased this person (UK GDPR): the row stays, pseudonymised (grants.privacy).
    erased_at: datetime | None = Field(default=None, sa_column=sa.Column(UTCDateTime, nullable=True))
    email_verified_at: datetime | None = Field(default=None, sa_column=sa.Column(UTCDateTime, nullable=True))
    session_version: int = Field(default=1, sa_column=sa.Column(sa.Integer, nullable=False, server_default="1"))

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password, method=password_method())

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive accounts
        return self.active


class SignInEvent(SQLModel, table=True):
    """An attempt to sign in. Never the password; for an address with no account, only a keyed digest
    of what was typed (people type passwords into the email box), enough to see one address tried
    again and again."""

    __tablename__ = "sign_in_event"
    __table_args__ = (sa.Index("ix_sign_in_event_person_at", "person_id", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, sa_column=sa.Column(UTCDateTime, nullable=False))
    person_id: int | None = Field(default=None, foreign_key="person.id", ondelete="CASCADE")
    succeeded: bool = Field(sa_column=sa.Column(sa.Boolean, nullable=False))
    outcome: str = Field(sa_column=sa.Column(sa.String(40), nullable=False))
    address: str = Field(default="", sa_column=sa.Column(sa.String(45), nullable=False, server_default=""))
    email_digest: str | None = Field(default=None, sa_column=sa.Column(sa.String(64), nullable=True))
