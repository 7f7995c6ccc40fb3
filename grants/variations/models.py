"""Variations: a grantee's requests to change an accepted grant (the ``variation`` workflow).

A variation holds the whole change asked for, as the grant would be after it, beside the grant as
it was when asked (``before``), so the page and the letter show one against the other:

- ``lines``: every budget line after the change, ``[{"id": <grant_budget_line id or null for a
  new line>, "description": …, "amount": pence}]``; they add up to the grant less what is returned;
- ``due_dates``: ``{report id: ISO date}`` for each report whose due date changes;
- ``purpose`` and ``outcome_ids``: the grant's purpose and outcomes after the change;
- ``returned``: money handed back (pence), never more than the part not paid yet plus what the
  group has paid back (``paid_back``, recorded as a repayment when the variation is approved).

``needs_partnership`` is decided when the request is sent (``grants.variations.operations.size``):
a change of purpose or outcomes, more than the collective's share of the grant moved between lines,
or a date moved by more than its number of months goes to the partnership's reviewers.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel, func, select

from grants.db import UTCDateTime, db
from grants.timeutil import utcnow
from grants.workflow.models import WorkflowFields

REASON_LIMIT = 2000


class Variation(WorkflowFields, table=True):
    __tablename__ = "variation"
    __workflows__ = ("variation",)
    __table_args__ = (sa.CheckConstraint("returned >= 0 AND paid_back >= 0 AND paid_back <= returned",
                                         name="money_back_consistent"),)

    id: int | None = Field(default=None, primary_key=True)
    collective_id: int = Field(foreign_key="collective.id", ondelete="CASCADE", index=True)
    grant_id: int = Field(foreign_key="grant.id", ondelete="CASCADE", index=True)
    state: str = Field(default="draft", max_length=40, index=True)
    requested_by_id: int | None = Field(default=None, foreign_key="person.id", ondelete="SET NULL")
    reason: str = Field(default="", sa_column=sa.Column(sa.Text, nullable=False, server_default=""))
    lines: list[dict] = Field(default_factory=list, sa_column=sa.Column(sa.JSON, nullable=False))
    due_dates: dict[str, str] = Field(default_factory=dict, sa_column=sa.Column(sa.JSON, nullable=False))
    purpose: str = Field(default="", sa_column=sa.Column(sa.Text, nullable=False, server_default=""))
    outcome_ids: list[int] = Field(default_factory=list, sa_column=sa.Column(sa.JSON, nullable=False))
    returned: int = Field(default=0, sa_column=sa.Column(sa.BigInteger, nullable=False, server_default="0"))
    paid_back: int = Field(default=0, sa_column=sa.Column(sa.BigInteger, nullable=False, server_default="0"))
    paid_back_reference: str = Field(default="", sa_column=sa.Column(sa.String(80), nullable=False,
                                                                     server_default=""))
    # The grant as it was when the request was sent: lines, due dates, purpose, outcomes, money.
    before: dict = Field(default_factory=dict, sa_column=sa.Column(sa.JSON, nullable=False))
    needs_partnership: bool = Field(default=False, sa_column=sa.Column(sa.Boolean, nullable=False,
                                                                       server_default=sa.false()))
    approvals_needed: int = Field(default=1)
    decision_reason: str = Field(default="", sa_column=sa.Column(sa.Text, nullable=False, server_default=""))
    created_at: datetime = Field(default_factory=utcnow, sa_column=sa.Column(UTCDateTime, nullable=False))
    decided_at: datetime | None = Field(default=None, sa_column=sa.Column(UTCDateTime, nullable=True))

    def actor_roles(self, person) -> set[str]:
        from grants import permissions
        from grants.awards.models import Grant

        grant = db.session.get(Grant, self.grant_id)
        roles = grant.actor_roles(person) if grant is not None else set()
        if permissions.can_review(person, self.collective_id):
            roles.add("reviewer")
        return roles

    # -- the variation workflow's subject protocol ---------------------------------------------

    @property
    def approvals_count(self) -> int:
        return db.session.exec(select(func.count()).select_from(VariationApproval)
                               .where(VariationApproval.variation_id == self.id)).one()

    @property
    def is_open(self) -> bool:
        return self.state in ("requested", "with_partnership", "more_information")


class VariationApproval(SQLModel, table=True):
    """One reviewer's approval of a variation that needs the partnership (once per reviewer)."""

    __tablename__ = "variation_approval"
    __table_args__ = (sa.UniqueConstraint("variation_id", "reviewer_id"),)

    id: int | None = Field(default=None, primary_key=True)
    variation_id: int = Field(foreign_key="variation.id", ondelete="CASCADE", index=True)
    reviewer_id: int | None = Field(default=None, foreign_key="person.id", ondelete="SET NULL")
    note: str = Field(default="", sa_column=sa.Column(sa.Text, nullable=False, server_default=""))
    at: datetime = Field(default_factory=utcnow, sa_column=sa.Column(UTCDateTime, nullable=False))
