"""Grants and payments.

A *grant* is made for each proposal the partnership ratified, when the facilitator issues the
awards: it is *offered* until the organisation accepts (naming who accepts and confirming the
conditions) or declines, or until the offer expires. Payments are recorded against it; the total
paid never exceeds the amount awarded. Reports are owed in proportion to the amount (see
``grants.reporting``); the grant closes when every report is accepted.
"""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel, func, select

from grants.db import UTCDateTime, db, pence_column, sum_pence
from grants.timeutil import utcnow
from grants.workflow.models import WorkflowFields
from workflows.i18n import N_

CONDITIONS = (
    N_("Spend the grant on the project described in your proposal, as in its budget."),
    N_("Tell the collective's facilitator promptly if plans change or you cannot spend the money."),
    N_("Keep receipts for what you spend for a year after the grant ends."),
    N_("File the reports listed in this letter by their due dates."),
    N_("Return any money you do not spend on the project."),
)


class Grant(WorkflowFields, table=True):
    __tablename__ = "grant"
    __workflows__ = ("grant",)
    __table_args__ = (sa.CheckConstraint("amount > 0", name="amount_positive"),
                      sa.CheckConstraint("returned >= 0 AND returned <= amount", name="returned_within_amount"))

    id: int | None = Field(default=None, primary_key=True)
    collective_id: int = Field(foreign_key="collective.id", ondelete="CASCADE", index=True)
    round_id: int = Field(foreign_key="round.id", ondelete="CASCADE", index=True)
    proposal_id: int = Field(foreign_key="proposal.id", ondelete="CASCADE", unique=True)
    organisation_id: int = Field(foreign_key="organisation.id", ondelete="CASCADE", index=True)
    state: str = Field(default="offered", max_length=40, index=True)
    amount: int = Field(sa_column=pence_column())
    offered_at: datetime = Field(default_factory=utcnow, sa_column=sa.Column(UTCDateTime, nullable=False))
    offer_expires_at: datetime = Field(sa_column=sa.Column(UTCDateTime, nullable=False))
    accepted_by_name: str = Field(default="", sa_column=sa.Column(sa.String(120), nullable=False, server_default=""))
    accepted_at: datetime | None = Field(default=None, sa_column=sa.Column(UTCDateTime, nullable=True))
    declined_reason: str = Field(default="", sa_column=sa.Column(sa.Text, nullable=False, server_default=""))
    reporting_starts_at: datetime | None = Field(default=None, sa_column=sa.Column(UTCDateTime, nullable=True))
    # What the grant is for, copied from the proposal at the award: a variation may change it (and
    # the budget lines below) while the proposal stays as the members voted on it.
    purpose: str = Field(default="", sa_column=sa.Column(sa.Text, nullable=False, server_default=""))
    outcome_ids: list[int] = Field(default_factory=list, sa_column=sa.Column(sa.JSON, nullable=False))
    # Money the group handed back through approved variations: the grant is now ``amount - returned``
    # (``net_amount``), its budget lines add up to that, and no more than that is ever paid.
    returned: int = Field(default=0, sa_column=sa.Column(sa.BigInteger, nullable=False, server_default="0"))

    @property
    def net_amount(self) -> int:
        return self.amount - self.returned

    def actor_roles(self, person) -> set[str]:
        from grants import permissions

        return permissions.organisation_roles(person, self.collective_id, self.organisation_id)

    @property
    def reports_outstanding(self) -> int:
        from grants.reporting.models import Report

        return db.session.exec(select(func.count()).select_from(Report).where(
            Report.grant_id == self.id, Report.state.not_in(("accepted", "waived")))).one()

    @property
    def total_paid(self) -> int:
        return db.session.exec(select(sum_pence(Payment.amount))
                               .where(Payment.grant_id == self.id)).one()


class GrantBudgetLine(SQLModel, table=True):
    """A line of the grant's budget: the proposal's lines, copied at the award, as varied since.

    The lines of a grant always add up to its amount. A line's money may all move to other lines
    (amount 0): the line stays, so spending already reported against it keeps its line.
    """

    __tablename__ = "grant_budget_line"
    __table_args__ = (sa.CheckConstraint("amount >= 0", name="amount_not_negative"),)

    id: int | None = Field(default=None, primary_key=True)
    grant_id: int = Field(foreign_key="grant.id", ondelete="CASCADE", index=True)
    position: int = Field(default=0)
    description: str = Field(sa_column=sa.Column(sa.String(200), nullable=False))
    amount: int = Field(sa_column=pence_column())


def grant_lines(grant: Grant) -> list[GrantBudgetLine]:
    return list(db.session.exec(select(GrantBudgetLine).where(GrantBudgetLine.grant_id == grant.id)
                                .order_by(GrantBudgetLine.position, GrantBudgetLine.id)).all())


class Payment(SQLModel, table=True):
    """A payment to the grantee, the reversal of one, or money the grantee paid back.

    Payments are never edited or deleted: a payment recorded wrongly is corrected by a *reversal*,
    a new row with the opposite (negative) amount that points at the payment it reverses
    (``reverses_id``, at most one reversal per payment) and says why. Money the group paid back
    when it handed unspent money back is a negative row of the variation that recorded it
    (``variation_id``). Every sum of ``amount`` is therefore the net amount paid.
    """

    __tablename__ = "payment"
    __table_args__ = (
        sa.CheckConstraint("(reverses_id IS NULL AND variation_id IS NULL AND amount > 0) OR "
                           "(reverses_id IS NOT NULL AND variation_id IS NULL AND amount < 0) OR "
                           "(variation_id IS NOT NULL AND reverses_id IS NULL AND amount < 0)",
                           name="amount_signed"),
        sa.CheckConstraint("reverses_id IS NULL OR reason != ''", name="reversal_has_reason"),
    )

    id: int | None = Field(default=None, primary_key=True)
    grant_id: int = Field(foreign_key="grant.id", ondelete="CASCADE", index=True)
    paid_on: date = Field(sa_column=sa.Column(sa.Date, nullable=False))
    amount: int = Field(sa_column=pence_column())
    reference: str = Field(sa_column=sa.Column(sa.String(80), nullable=False))
    recorded_by_id: int | None = Field(default=None, foreign_key="person.id", ondelete="SET NULL")
    recorded_at: datetime = Field(default_factory=utcnow, sa_column=sa.Column(UTCDateTime, nullable=False))
    reverses_id: int | None = Field(default=None, sa_column=sa.Column(
        sa.Integer, sa.ForeignKey("payment.id", ondelete="CASCADE"), nullable=True, unique=True))
    reason: str = Field(default="", sa_column=sa.Column(sa.Text, nullable=False, server_default=""))
    variation_id: int | None = Field(default=None, sa_column=sa.Column(
        sa.Integer, sa.ForeignKey("variation.id", ondelete="CASCADE"), nullable=True, unique=True))

    @property
    def is_repayment(self) -> bool:
        return self.variation_id is not None

    @property
    def is_reversal(self) -> bool:
        return self.reverses_id is not None
