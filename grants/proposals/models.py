"""Proposals and their budget lines.

A proposal belongs to a round and an organisation of the same collective. Its amount and budget
lines are integer pence; the budget lines must add up to the amount before it can be submitted
(the ``proposal`` workflow's guard). Communities served are ONS 2021 category codes, defaulting
to the organisation's; ``outcome_ids`` name lines of the collective's theory of change.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel, select
from workflows.i18n import N_

from grants.db import UTCDateTime, db, pence_column, sum_pence
from grants.timeutil import utcnow
from grants.workflow.models import WorkflowFields

SUMMARY_LIMIT = 1200
TITLE_LIMIT = 120
FEEDBACK_LIMIT = 2000


class Proposal(WorkflowFields, table=True):
    __tablename__ = "proposal"
    __workflows__ = ("proposal",)
    __table_args__ = (
        sa.CheckConstraint("amount_requested >= 0", name="amount_not_negative"),
        sa.CheckConstraint("people_reached >= 0", name="people_reached_not_negative"),
    )

    id: int | None = Field(default=None, primary_key=True)
    collective_id: int = Field(foreign_key="collective.id", ondelete="CASCADE", index=True)
    round_id: int = Field(foreign_key="round.id", ondelete="CASCADE", index=True)
    organisation_id: int = Field(foreign_key="organisation.id", ondelete="CASCADE", index=True)
    created_by_id: int | None = Field(default=None, foreign_key="person.id", ondelete="SET NULL")
    state: str = Field(default="draft", max_length=40, index=True)
    title: str = Field(default="", sa_column=sa.Column(sa.String(TITLE_LIMIT), nullable=False, server_default=""))
    summary: str = Field(default="", sa_column=sa.Column(sa.Text, nullable=False, server_default=""))
    amount_requested: int = Field(default=0, sa_column=pence_column())
    theme_id: int | None = Field(default=None, foreign_key="theme.id", ondelete="SET NULL")
    communities_served: list[str] = Field(default_factory=list, sa_column=sa.Column(sa.JSON, nullable=False))
    outcome_ids: list[int] = Field(default_factory=list, sa_column=sa.Column(sa.JSON, nullable=False))
    people_reached: int = Field(default=0)
    decision_reason: str = Field(default="", sa_column=sa.Column(sa.Text, nullable=False, server_default=""))
    # The facilitator's note to the applicant of a proposal that was not funded (not eligible, or
    # not selected by the vote), beside the rule's explanation: the applicant sees it once the
    # round's results are published (proposals.operations.save_feedback).
    feedback: str = Field(default="", sa_column=sa.Column(sa.Text, nullable=False, server_default=""))
    # A project of a real election read from a pabulib file (grants.rounds.imports), not proposed here.
    is_imported: bool = Field(default=False, sa_column=sa.Column(sa.Boolean, nullable=False, server_default=sa.false()))
    created_at: datetime = Field(default_factory=utcnow, sa_column=sa.Column(UTCDateTime, nullable=False))
    updated_at: datetime = Field(default_factory=utcnow, sa_column=sa.Column(UTCDateTime, nullable=False))

    def actor_roles(self, person) -> set[str]:
        from grants import permissions

        return permissions.organisation_roles(person, self.collective_id, self.organisation_id)

    # -- the proposal workflow's subject protocol ----------------------------------------------

    @property
    def round_open_for_proposals(self) -> bool:
        from grants.rounds.models import Round

        round_ = db.session.get(Round, self.round_id)
        return round_ is not None and round_.is_open_for_proposals()

    @property
    def missing_fields(self) -> list[str]:
        missing = []
        if not self.title.strip():
            missing.append(N_("project title"))
        if not self.summary.strip():
            missing.append(N_("summary"))
        if self.amount_requested <= 0:
            missing.append(N_("amount requested"))
        if self.theme_id is None:
            missing.append(N_("theme"))
        if not self.communities_served:
            missing.append(N_("communities served"))
        if not self.budget_lines_total:
            missing.append(N_("budget lines"))
        return missing

    @property
    def partners_unconfirmed(self) -> list[str]:
        """The partner organisations of a joint proposal that have not accepted yet, by name."""
        from grants.organisations.models import Organisation

        return list(db.session.exec(select(Organisation.name).join(
            ProposalPartner, ProposalPartner.organisation_id == Organisation.id).where(
            ProposalPartner.proposal_id == self.id, ProposalPartner.state == "invited")
            .order_by(Organisation.name)).all())

    @property
    def budget_lines_total(self) -> int:
        return db.session.exec(select(sum_pence(BudgetLine.amount))
                               .where(BudgetLine.proposal_id == self.id)).one()


class BudgetLine(SQLModel, table=True):
    __tablename__ = "budget_line"
    __table_args__ = (sa.CheckConstraint("amount > 0", name="amount_positive"),)

    id: int | None = Field(default=None, primary_key=True)
    proposal_id: int = Field(foreign_key="proposal.id", ondelete="CASCADE", index=True)
    position: int = Field(default=0)
    description: str = Field(sa_column=sa.Column(sa.String(200), nullable=False))
    amount: int = Field(sa_column=pence_column())


def budget_lines(proposal: Proposal) -> list[BudgetLine]:
    return list(db.session.exec(select(BudgetLine).where(BudgetLine.proposal_id == proposal.id)
                                .order_by(BudgetLine.position, BudgetLine.id)).all())


class ProposalPartner(WorkflowFields, table=True):
    """Another organisation of the collective taking part in a proposal led by ``Proposal.organisation_id``
    (the ``proposal_partner`` workflow): invited by the lead, then accepted or declined by the partner.
    ``share`` is its part of the budget (pence); the lead's part is the rest. Nobody who acts for or
    belongs to a partner that has not declined votes on the proposal."""

    __tablename__ = "proposal_partner"
    __workflows__ = ("proposal_partner",)
    __table_args__ = (sa.UniqueConstraint("proposal_id", "organisation_id"),
                      sa.CheckConstraint("share >= 0", name="share_not_negative"))

    id: int | None = Field(default=None, primary_key=True)
    collective_id: int = Field(foreign_key="collective.id", ondelete="CASCADE", index=True)
    proposal_id: int = Field(foreign_key="proposal.id", ondelete="CASCADE")  # indexed by the unique constraint
    organisation_id: int = Field(foreign_key="organisation.id", ondelete="CASCADE", index=True)
    state: str = Field(default="invited", max_length=40, index=True)
    share: int = Field(default=0, sa_column=sa.Column(sa.BigInteger, nullable=False, server_default="0"))
    invited_by_id: int | None = Field(default=None, foreign_key="person.id", ondelete="SET NULL")
    created_at: datetime = Field(default_factory=utcnow, sa_column=sa.Column(UTCDateTime, nullable=False))

    def actor_roles(self, person) -> set[str]:
        """"applicant" for whoever acts for the partner (who answers) or for the lead (who may remove it):
        the operations say which side may do what."""
        from grants import permissions

        proposal = db.session.get(Proposal, self.proposal_id)
        return (permissions.organisation_roles(person, self.collective_id, self.organisation_id)
                | permissions.organisation_roles(person, self.collective_id, proposal.organisation_id)) - {"facilitator"}


#: The partners who still count: invited (until they answer) and accepted.
LIVE_PARTNER_STATES = ("invited", "accepted")


def partners_of(proposal: Proposal, states=LIVE_PARTNER_STATES) -> list[ProposalPartner]:
    return list(db.session.exec(select(ProposalPartner).where(ProposalPartner.proposal_id == proposal.id,
                                                              ProposalPartner.state.in_(states))
                                .order_by(ProposalPartner.id)).all())
