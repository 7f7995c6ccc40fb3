"""Rounds, their funded themes and ring-fenced pots, and the stored results of counts.

Glossary
- *round*: one cycle of a collective's small grants, with a budget (integer pence), a minimum and
  maximum grant, dates for every timed step, a voting method, an allocation rule (a name from
  ``grants.allocation.RULES``), a workflow variant (standard or light-touch), reporting thresholds,
  and how many reviewers must ratify.
- *pot*: money ring-fenced for one theme; what is not ring-fenced is the *general pot*.
- *count*: one run of the allocation rule over the round's ballots; each proposal gets an
  *outcome* (selected or not, its support, its pot, and the rule's plain-language reason). The
  latest count of a round is its current result; earlier ones stay for the record.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import deferred
from flask_babel import gettext as _, lazy_gettext as _l
from sqlmodel import Field, SQLModel, func, select

from grants.commissioning import links
from grants.db import UTCDateTime, db, pence_column
from grants.timeutil import utcnow
from grants.workflow.models import WorkflowFields

VOTING_METHODS = {
    "approval": _l("Approval: tick every proposal you support"),
    "approval_limited": _l("Approval of at most K proposals"),
    "score": _l("Score each proposal from 0 to 5"),
    "cumulative": _l("Cumulative: spread N points across proposals"),
}
VARIANTS = {"standard": _l("Standard (with an eligibility check)"), "light": _l("Light-touch (no eligibility check)")}
DATE_FIELDS = ("proposals_open_at", "proposals_close_at", "voting_opens_at", "voting_closes_at", "review_due_at")


class Round(WorkflowFields, table=True):
    __tablename__ = "round"
    __workflows__ = ("round", "round_light")
    __table_args__ = (
        sa.CheckConstraint("budget > 0", name="budget_positive"),
        sa.CheckConstraint("min_grant > 0 AND max_grant >= min_grant AND max_grant <= budget", name="grant_limits"),
        sa.CheckConstraint("variant IN ('standard', 'light')", name="variant_known"),
        sa.CheckConstraint("voting_method IN ('approval', 'approval_limited', 'score', 'cumulative')",
                           name="voting_method_known"),
        sa.CheckConstraint("voting_method != 'approval_limited' OR approval_limit >= 1", name="approval_limit_set"),
        sa.CheckConstraint("voting_method != 'cumulative' OR cumulative_points >= 1", name="points_set"),
        sa.CheckConstraint("small_grant_limit > 0 AND medium_grant_limit >= small_grant_limit",
                           name="reporting_thresholds"),
        sa.CheckConstraint("ratifications_needed >= 1", name="ratifications_positive"),
    )

    id: int | None = Field(default=None, primary_key=True)
    collective_id: int = Field(foreign_key="collective.id", ondelete="CASCADE", index=True)
    name: str = Field(sa_column=sa.Column(sa.String(160), nullable=False))
    description: str = Field(default="", sa_column=sa.Column(sa.Text, nullable=False, server_default=""))
    state: str = Field(default="draft", max_length=40, index=True)
    variant: str = Field(default="standard", sa_column=sa.Column(sa.String(20), nullable=False))
    budget: int = Field(sa_column=pence_column())
    min_grant: int = Field(sa_column=pence_column())
    max_grant: int = Field(sa_column=pence_column())
    voting_method: str = Field(sa_column=sa.Column(sa.String(30), nullable=False))
    approval_limit: int | None = Field(default=None)
    cumulative_points: int | None = Field(default=None)
    allocation_rule: str = Field(sa_column=sa.Column(sa.String(40), nullable=False))
    proposals_open_at: datetime = Field(sa_column=sa.Column(UTCDateTime, nullable=False))
    proposals_close_at: datetime = Field(sa_column=sa.Column(UTCDateTime, nullable=False))
    voting_opens_at: datetime = Field(sa_column=sa.Column(UTCDateTime, nullable=False))
    voting_closes_at: datetime = Field(sa_column=sa.Column(UTCDateTime, nullable=False))
    review_due_at: datetime = Field(sa_column=sa.Column(UTCDateTime, nullable=False))
    reminder_hours: int = Field(default=48)
    small_grant_limit: int = Field(default=100_000, sa_column=pence_column())
    medium_grant_limit: int = Field(default=500_000, sa_column=pence_column())
    ratifications_needed: int = Field(default=1)
    created_at: datetime = Field(default_factory=utcnow, sa_column=sa.Column(UTCDateTime, nullable=False))

    @property
    def workflow_name(self) -> str:
        return "round_light" if self.variant == "light" else "round"

    def actor_roles(self, person) -> set[str]:
        from grants import permissions

        return {"facilitator", "reviewer"} & permissions.roles_in(person, self.collective_id)

    # -- the round workflow's subject protocol (workflows/definitions/round.py) ---------------

    @property
    def missing_settings(self) -> list[str]:
        missing = []
        if not self.themes_funded:
            missing.append(_("the themes the round funds"))
        return missing

    @property
    def themes_funded(self) -> list[int]:
        return list(db.session.exec(select(RoundTheme.theme_id).where(RoundTheme.round_id == self.id)).all())

    @property
    def proposals_awaiting_eligibility(self) -> int:
        from grants.proposals.models import Proposal

        return db.session.exec(select(func.count()).select_from(Proposal).where(
            Proposal.round_id == self.id, Proposal.state == "submitted")).one()

    @property
    def count_complete(self) -> bool:
        latest = latest_count(self)
        return latest is not None and latest.ballots_version == self.ballots_version

    @property
    def ballots_version(self) -> str:
        """Changes whenever a ballot of the round is cast, replaced or removed."""
        from grants.voting.models import Ballot

        count, last = db.session.exec(select(func.count(), func.max(Ballot.updated_at))
                                      .where(Ballot.round_id == self.id)).one()
        return f"{count}:{last.isoformat() if last else '-'}"

    @property
    def ratifications_count(self) -> int:
        """Reviewers who ratified the current count (a recount needs ratifying afresh)."""
        from grants.review.models import Ratification

        latest = latest_count(self)
        if latest is None:
            return 0
        return db.session.exec(select(func.count()).select_from(Ratification)
                               .where(Ratification.count_id == latest.id)).one()

    @property
    def open_grants_count(self) -> int:
        from grants.awards.models import Grant

        return db.session.exec(select(func.count()).select_from(Grant).where(
            Grant.round_id == self.id, Grant.state.not_in(("closed", "declined", "withdrawn", "funds_returned")))).one()

    # -- time windows ----------------------------------------------------------------------

    def is_open_for_proposals(self) -> bool:
        return self.state == "open_for_proposals"

    def is_voting(self) -> bool:
        return self.state == "voting"

    @property
    def general_pot(self) -> int:
        return self.budget - sum(pot.amount for pot in pots(self))


class RoundTheme(SQLModel, table=True):
    __tablename__ = "round_theme"
    __table_args__ = (sa.UniqueConstraint("round_id", "theme_id"),)

    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="round.id", ondelete="CASCADE", index=True)
    theme_id: int = Field(foreign_key="theme.id", ondelete="RESTRICT")


class Pot(SQLModel, table=True):
    """Money ring-fenced for one theme of a round."""

    __tablename__ = "pot"
    __table_args__ = (sa.UniqueConstraint("round_id", "theme_id"), sa.CheckConstraint("amount > 0", name="amount_positive"))

    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="round.id", ondelete="CASCADE", index=True)
    theme_id: int = Field(foreign_key="theme.id", ondelete="RESTRICT")
    amount: int = Field(sa_column=pence_column())


class Count(SQLModel, table=True):
    """One run of the round's allocation rule. The newest is the round's current result."""

    __tablename__ = "count"

    id: int | None = Field(default=None, primary_key=True)
    collective_id: int = Field(foreign_key="collective.id", ondelete="CASCADE", index=True)
    round_id: int = Field(foreign_key="round.id", ondelete="CASCADE", index=True)
    rule: str = Field(sa_column=sa.Column(sa.String(40), nullable=False))
    run_at: datetime = Field(default_factory=utcnow, sa_column=sa.Column(UTCDateTime, nullable=False))
    run_by: str = Field(sa_column=sa.Column(sa.String(120), nullable=False))
    ballots: int = Field(nullable=False)
    ballots_version: str = Field(sa_column=sa.Column(sa.String(80), nullable=False))
    total_awarded: int = Field(sa_column=pence_column())
    current: bool = Field(default=True, sa_column=sa.Column(sa.Boolean, nullable=False, server_default=sa.true()))


class CountOutcome(SQLModel, table=True):
    """What one count decided for one proposal, with the rule's explanation."""

    __tablename__ = "count_outcome"
    __table_args__ = (sa.UniqueConstraint("count_id", "proposal_id"),
                      sa.CheckConstraint("amount >= 0", name="amount_not_negative"),
                      sa.CheckConstraint("selected OR amount = 0", name="amount_only_when_selected"))

    id: int | None = Field(default=None, primary_key=True)
    count_id: int = Field(foreign_key="count.id", ondelete="CASCADE", index=True)
    proposal_id: int = Field(foreign_key="proposal.id", ondelete="CASCADE")
    pot_theme_id: int | None = Field(default=None, foreign_key="theme.id", ondelete="SET NULL")
    selected: bool = Field(sa_column=sa.Column(sa.Boolean, nullable=False))
    amount: int = Field(default=0, sa_column=pence_column())
    support: int = Field(default=0)
    supporters: int = Field(default=0)
    rank: int | None = Field(default=None)
    reason: str = Field(sa_column=sa.Column(sa.String(60), nullable=False))
    sentence: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    facts: dict[str, Any] = Field(default_factory=dict, sa_column=sa.Column(sa.JSON, nullable=False))


_IMPORT_CONTENT = sa.Column("content", sa.LargeBinary, nullable=True)


class ElectionImport(SQLModel, table=True):
    """A pabulib file a facilitator uploaded for the worker to import into a draft round
    (``grants.rounds.uploads``).

    A job row (:mod:`grants.claims`): *queued* with the file in ``content``, *running* while a
    worker reads, checks and saves it in one transaction, then *done* (``proposals`` and
    ``ballots`` say what was imported; the file is dropped) or *failed* (``error`` is the refusal,
    in the uploader's ``language``, and ``error_line`` the file's line it names; nothing was
    imported). ``stage`` and ``progress`` are the milestones committed on the row; how far a
    running import has got inside its transaction is told through the queue's storage.
    """

    __tablename__ = "election_import"
    __mapper_args__ = {"properties": {"content": deferred(_IMPORT_CONTENT)}}
    __table_args__ = (
        sa.CheckConstraint("state IN ('queued', 'running', 'done', 'failed')", name="state_known"),
        sa.CheckConstraint("progress >= 0 AND progress <= 100", name="progress_in_range"),
    )

    id: int | None = Field(default=None, primary_key=True)
    collective_id: int = Field(foreign_key="collective.id", ondelete="CASCADE", index=True)
    round_id: int = Field(foreign_key="round.id", ondelete="CASCADE", index=True)
    filename: str = Field(default="", sa_column=sa.Column(sa.String(200), nullable=False, server_default=""))
    content: bytes | None = Field(default=None, sa_column=_IMPORT_CONTENT)
    size: int = Field(default=0)
    language: str = Field(default="en", sa_column=sa.Column(sa.String(10), nullable=False, server_default="en"))
    state: str = Field(default="queued", sa_column=sa.Column(sa.String(20), nullable=False, server_default="queued"))
    progress: int = Field(default=0, sa_column=sa.Column(sa.Integer, nullable=False, server_default="0"))
    stage: str = Field(default="", sa_column=sa.Column(sa.String(200), nullable=False, server_default=""))
    claim: str | None = Field(default=None, sa_column=sa.Column(sa.String(32), nullable=True))
    attempts: int = Field(default=0, sa_column=sa.Column(sa.Integer, nullable=False, server_default="0"))
    error: str = Field(default="", sa_column=sa.Column(sa.Text, nullable=False, server_default=""))
    error_line: int | None = Field(default=None)
    proposals: int = Field(default=0, sa_column=sa.Column(sa.Integer, nullable=False, server_default="0"))
    ballots: int = Field(default=0, sa_column=sa.Column(sa.Integer, nullable=False, server_default="0"))
    uploaded_by_id: int | None = Field(default=None, foreign_key="person.id", ondelete="SET NULL")
    created_at: datetime = Field(default_factory=utcnow, sa_column=sa.Column(UTCDateTime, nullable=False))
    finished_at: datetime | None = Field(default=None, sa_column=sa.Column(UTCDateTime, nullable=True))
    updated_at: datetime = Field(default_factory=utcnow, sa_column=sa.Column(UTCDateTime, nullable=False))

    @property
    def under_way(self) -> bool:
        return self.state in ("queued", "running")


def pots(round_: Round) -> list[Pot]:
    return list(db.session.exec(select(Pot).where(Pot.round_id == round_.id).order_by(Pot.id)).all())


def latest_count(round_: Round) -> Count | None:
    return db.session.exec(select(Count).where(Count.round_id == round_.id, Count.current == True)  # noqa: E712
                           .order_by(Count.id.desc())).first()


@links.round_resolver
def _round_commissioning(cycle) -> links.RoundLink | None:
    """The round a commissioning cycle chose to fund its priorities (``commissioning_cycle.round_id``),
    closed once the round has finished (``closed``; a cancelled round is not delivered)."""
    if getattr(cycle, "round_id", None) is None:
        return None
    state = db.session.exec(select(Round.state).where(Round.id == cycle.round_id,
                                                      Round.collective_id == cycle.collective_id)).first()
    return None if state is None else links.RoundLink(round_id=cycle.round_id, closed=state == "closed")
