"""Collectives (tenants) and the people in them.

Glossary
- *collective*: a group of grassroots organisations that shares a fund. Everything that belongs to
  a collective carries its id, and every query is scoped by it.
- *theme*: one of the collective's issue-based subgroups (building trust; primary care access; ...).
  Rounds fund themes; proposals and reports name one. Retired themes are kept for history.
- *outcome*: a line of the collective's theory of change, short, medium or long term.
- *membership*: a person in a collective, with one or more roles (member, facilitator, reviewer,
  applicant) and, optionally, the organisation they act for. A member never votes on a proposal of
  their own organisation.
- *join request*: an organisation asking to join; a facilitator approves or declines it (with a
  reason). Membership is free: there is no fee anywhere.
- *invitation*: a single-use, expiring link a facilitator sends to an email address with roles.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext
from sqlmodel import Field, SQLModel

from grants.db import UTCDateTime
from grants.timeutil import utcnow
from grants.workflow.models import WorkflowFields
from workflows.i18n import N_

#: Each role as a word in a list ("facilitator, member"), translated where shown.
ROLE_WORDS = {"member": N_("member"), "facilitator": N_("facilitator"), "reviewer": N_("reviewer"),
              "applicant": N_("applicant")}


def role_words(roles) -> str:
    """Roles as people read them, in the reader's language: "facilitator, member"."""
    return ", ".join(gettext(ROLE_WORDS[role]) if role in ROLE_WORDS else role for role in sorted(roles))


class Collective(SQLModel, table=True):
    __tablename__ = "collective"

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(sa_column=sa.Column(sa.String(60), nullable=False, unique=True))
    name: str = Field(sa_column=sa.Column(sa.String(120), nullable=False))
    locality: str = Field(default="", sa_column=sa.Column(sa.String(120), nullable=False, server_default=""))
    description: str = Field(default="", sa_column=sa.Column(sa.Text, nullable=False, server_default=""))
    # The collective's letterhead on its letters (the award letter): where it is and how to reach it.
    postal_address: str = Field(default="", sa_column=sa.Column(sa.Text, nullable=False, server_default=""))
    contact_email: str = Field(default="", sa_column=sa.Column(sa.String(254), nullable=False, server_default=""))
    contact_phone: str = Field(default="", sa_column=sa.Column(sa.String(40), nullable=False, server_default=""))
    # Its facilitators and reviewers must use two-factor sign-in (grants.auth.twofactor).
    requires_two_factor: bool = Field(default=False, sa_column=sa.Column(sa.Boolean, nullable=False,
                                                                         server_default=sa.false()))
    # The small changes to a grant a facilitator approves alone (grants.variations): moving at most
    # this share of the grant between its budget lines, and moving dates by at most this many months.
    variation_move_percent: int = Field(default=20, sa_column=sa.Column(sa.Integer, nullable=False,
                                                                        server_default="20"))
    variation_date_months: int = Field(default=3, sa_column=sa.Column(sa.Integer, nullable=False,
                                                                      server_default="3"))
    created_at: datetime = Field(default_factory=utcnow, sa_column=sa.Column(UTCDateTime, nullable=False))


class Theme(SQLModel, table=True):
    __tablename__ = "theme"
    __table_args__ = (sa.UniqueConstraint("collective_id", "name"),)

    id: int | None = Field(default=None, primary_key=True)
    collective_id: int = Field(foreign_key="collective.id", ondelete="CASCADE", index=True)
    name: str = Field(sa_column=sa.Column(sa.String(120), nullable=False))
    description: str = Field(default="", sa_column=sa.Column(sa.Text, nullable=False, server_default=""))
    position: int = Field(default=0)
    retired: bool = Field(default=False, sa_column=sa.Column(sa.Boolean, nullable=False, server_default=sa.false()))


class Outcome(SQLModel, table=True):
    __tablename__ = "outcome"
    __table_args__ = (sa.CheckConstraint("term IN ('short', 'medium', 'long')", name="term_known"),)

    id: int | None = Field(default=None, primary_key=True)
    collective_id: int = Field(foreign_key="collective.id", ondelete="CASCADE", index=True)
    term: str = Field(sa_column=sa.Column(sa.String(10), nullable=False))
    text: str = Field(sa_column=sa.Column(sa.String(300), nullable=False))
    position: int = Field(default=0)
    retired: bool = Field(default=False, sa_column=sa.Column(sa.Boolean, nullable=False, server_default=sa.false()))


class Membership(SQLModel, table=True):
    __tablename__ = "membership"
    __table_args__ = (sa.UniqueConstraint("collective_id", "person_id"),)

    id: int | None = Field(default=None, primary_key=True)
    collective_id: int = Field(foreign_key="collective.id", ondelete="CASCADE", index=True)
    person_id: int = Field(foreign_key="person.id", ondelete="CASCADE", index=True)
    organisation_id: int | None = Field(default=None, foreign_key="organisation.id", ondelete="SET NULL")
    is_member: bool = Field(default=False, sa_column=sa.Column(sa.Boolean, nullable=False, server_default=sa.false()))
    is_facilitator: bool = Field(default=False, sa_column=sa.Column(sa.Boolean, nullable=False, server_default=sa.false()))
    is_reviewer: bool = Field(default=False, sa_column=sa.Column(sa.Boolean, nullable=False, server_default=sa.false()))
    is_applicant: bool = Field(default=False, sa_column=sa.Column(sa.Boolean, nullable=False, server_default=sa.false()))
    joined_at: datetime = Field(default_factory=utcnow, sa_column=sa.Column(UTCDateTime, nullable=False))

    @property
    def roles(self) -> frozenset[str]:
        return frozenset(
            role
            for role in ("member", "facilitator", "reviewer", "applicant")
            if getattr(self, f"is_{role}")
        )

    @property
    def roles_text(self) -> str:
        return role_words(self.roles)

    def set_roles(self, roles) -> None:
        for role in ("member", "facilitator", "reviewer", "applicant"):
            setattr(self, f"is_{role}", role in roles)


class JoinRequest(WorkflowFields, table=True):
    """Follows the ``join_request`` workflow: pending → approved | declined | withdrawn."""

    __tablename__ = "join_request"
    __workflows__ = ("join_request",)
    __table_args__ = (
        sa.CheckConstraint("state != 'declined' OR decision_reason != ''", name="declined_has_reason"),
    )

    id: int | None = Field(default=None, primary_key=True)
    collective_id: int = Field(foreign_key="collective.id", ondelete="CASCADE", index=True)
    person_id: int = Field(foreign_key="person.id", ondelete="CASCADE", index=True)
    organisation_id: int = Field(foreign_key="organisation.id", ondelete="CASCADE")
    message: str = Field(default="", sa_column=sa.Column(sa.Text, nullable=False, server_default=""))
    state: str = Field(default="pending", max_length=40, index=True)
    decision_reason: str = Field(default="", sa_column=sa.Column(sa.Text, nullable=False, server_default=""))
    decided_by_id: int | None = Field(default=None, foreign_key="person.id", ondelete="SET NULL")
    created_at: datetime = Field(default_factory=utcnow, sa_column=sa.Column(UTCDateTime, nullable=False))
    decided_at: datetime | None = Field(default=None, sa_column=sa.Column(UTCDateTime, nullable=True))

    def actor_roles(self, person) -> set[str]:
        from grants import permissions

        roles = {"facilitator"} & permissions.roles_in(person, self.collective_id)
        if person.id == self.person_id:
            roles.add("applicant")
        return roles


class Invitation(WorkflowFields, table=True):
    """Follows the ``invitation`` workflow: sent → accepted | revoked | expired (by the scheduler)."""

    __tablename__ = "invitation"
    __workflows__ = ("invitation",)

    id: int | None = Field(default=None, primary_key=True)
    collective_id: int = Field(foreign_key="collective.id", ondelete="CASCADE", index=True)
    email: str = Field(sa_column=sa.Column(sa.String(254), nullable=False))
    roles: list[str] = Field(sa_column=sa.Column(sa.JSON, nullable=False))
    organisation_id: int | None = Field(default=None, foreign_key="organisation.id", ondelete="SET NULL")
    # Only a hash of the token is stored: a leaked database does not leak usable links.
    token_hash: str = Field(sa_column=sa.Column(sa.String(64), nullable=False, unique=True))
    invited_by_id: int | None = Field(default=None, foreign_key="person.id", ondelete="SET NULL")
    created_at: datetime = Field(default_factory=utcnow, sa_column=sa.Column(UTCDateTime, nullable=False))
    expires_at: datetime = Field(sa_column=sa.Column(UTCDateTime, nullable=False))
    state: str = Field(default="sent", max_length=40, index=True)
    accepted_at: datetime | None = Field(default=None, sa_column=sa.Column(UTCDateTime, nullable=True))
    accepted_by_id: int | None = Field(default=None, foreign_key="person.id", ondelete="SET NULL")

    @property
    def roles_text(self) -> str:
        """The roles offered, in the order the facilitator chose them, as people read them."""
        return ", ".join(gettext(ROLE_WORDS[role]) if role in ROLE_WORDS else role for role in self.roles)

    def actor_roles(self, person) -> set[str]:
        from grants import permissions

        roles = {"facilitator"} & permissions.roles_in(person, self.collective_id)
        if person.email == self.email:
            roles |= set(self.roles)  # the invited person, for this invitation only
        return roles
