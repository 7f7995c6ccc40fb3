"""Tables of reverse commissioning. Every row carries its collective's id; every query is scoped by it.

Evidence belongs to the collective (``evidence_import``, ``service_use_dataset``,
``service_use_count``, ``population_count``): it is imported once and used by any cycle that
attaches it (``cycle_evidence``). Everything else belongs to one commissioning cycle: engagement
events (hosts, participants by community, feedback items and their themes), needs (with the gaps
and feedback that support them), priorities (with their themes) and "we did" entries (with the
people reached by community).

Counts by community are equality data (special-category): only aggregates are stored, never
anything about an individual, and the public sees them only through :mod:`grants.disclosure`.
"""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import deferred
from sqlmodel import Field, SQLModel, func, select

from grants.db import UTCDateTime, db
from grants.reference import TranslatedLabels
from grants.timeutil import utcnow
from grants.workflow.models import WorkflowFields

# Labels are given in the page's language when read (``EVENT_KINDS.lazy()`` for a form's choices).
EVENT_KINDS = TranslatedLabels({
    "workshop": _l("Workshop"),
    "fair": _l("Community fair"),
    "consultation": _l("Consultation"),
    "faith_group_session": _l("Faith-group session"),
    "other": _l("Other"),
})
NEED_DECISIONS = TranslatedLabels({
    "undecided": _l("Waiting for the partnership"),
    "priority": _l("Agreed as a priority"),
    "not_taken_forward": _l("Not taken forward"),
})


def _fk(target: str, *, index: bool = True) -> sa.Column:
    return sa.Column(sa.Integer, sa.ForeignKey(target, ondelete="CASCADE"), nullable=False, index=index)


class CommissioningSetting(SQLModel, table=True):
    """A collective's commissioning settings; no row means the instance's defaults."""

    __tablename__ = "commissioning_setting"
    __table_args__ = (
        sa.CheckConstraint("underserved_threshold_percent IS NULL OR "
                           "(underserved_threshold_percent > 0 AND underserved_threshold_percent <= 100)",
                           name="threshold_range"),
    )

    collective_id: int = Field(sa_column=sa.Column(sa.Integer, sa.ForeignKey("collective.id", ondelete="CASCADE"),
                                                   primary_key=True))
    # A ratio threshold in hundredths (80 means 0.8): integer, so it compares exactly.
    underserved_threshold_percent: int | None = Field(default=None, nullable=True)


class EvidenceImport(SQLModel, table=True):
    """One file imported (from the page or the command line), with what it contained."""

    __tablename__ = "evidence_import"
    __table_args__ = (sa.CheckConstraint("kind IN ('usage', 'population')", name="kind_known"),)

    id: int | None = Field(default=None, primary_key=True)
    collective_id: int = Field(foreign_key="collective.id", ondelete="CASCADE", index=True)
    kind: str = Field(sa_column=sa.Column(sa.String(20), nullable=False))
    filename: str = Field(default="", sa_column=sa.Column(sa.String(200), nullable=False, server_default=""))
    rows: int = Field(default=0)
    services: list[str] = Field(default_factory=list, sa_column=sa.Column(sa.JSON, nullable=False))
    periods: list[str] = Field(default_factory=list, sa_column=sa.Column(sa.JSON, nullable=False))
    areas: list[str] = Field(default_factory=list, sa_column=sa.Column(sa.JSON, nullable=False))
    replaced: list[str] = Field(default_factory=list, sa_column=sa.Column(sa.JSON, nullable=False))
    milliseconds: int = Field(default=0)
    imported_by_id: int | None = Field(default=None, foreign_key="person.id", ondelete="SET NULL")
    imported_by_label: str = Field(sa_column=sa.Column(sa.String(120), nullable=False))
    imported_at: datetime = Field(default_factory=utcnow, sa_column=sa.Column(UTCDateTime, nullable=False))
    # Made-up figures (the demo seed's): every page and PDF that shows them says "Sample data".
    sample: bool = Field(default=False, sa_column=sa.Column(sa.Boolean, nullable=False, server_default=sa.false()))


# The uploaded file of an evidence upload: deferred, so listing uploads never reads it.
_UPLOAD_CONTENT = sa.Column("content", sa.LargeBinary, nullable=True)


class EvidenceUpload(SQLModel, table=True):
    """A large evidence file uploaded for the worker to import (smaller ones import in the request).

    A job row (:mod:`grants.claims`): *queued* with the file in ``content``, *running* while a
    worker checks every line and imports it in one transaction, then *done* (``import_id`` is the
    :class:`EvidenceImport` it made; the file is dropped) or *failed* (``error`` is the message
    and ``problems`` the line-numbered problems; nothing was imported).
    """

    __tablename__ = "evidence_upload"
    __mapper_args__ = {"properties": {"content": deferred(_UPLOAD_CONTENT)}}
    __table_args__ = (
        sa.CheckConstraint("kind IN ('usage', 'population')", name="kind_known"),
        sa.CheckConstraint("state IN ('queued', 'running', 'done', 'failed')", name="state_known"),
        sa.CheckConstraint("progress >= 0 AND progress <= 100", name="progress_in_range"),
    )

    id: int | None = Field(default=None, primary_key=True)
    collective_id: int = Field(foreign_key="collective.id", ondelete="CASCADE", index=True)
    kind: str = Field(sa_column=sa.Column(sa.String(20), nullable=False))
    filename: str = Field(default="", sa_column=sa.Column(sa.String(200), nullable=False, server_default=""))
    content: bytes | None = Field(default=None, sa_column=_UPLOAD_CONTENT)
    size: int = Field(default=0)
    state: str = Field(default="queued", sa_column=sa.Column(sa.String(20), nullable=False, server_default="queued"))
    progress: int = Field(default=0, sa_column=sa.Column(sa.Integer, nullable=False, server_default="0"))
    stage: str = Field(default="", sa_column=sa.Column(sa.String(200), nullable=False, server_default=""))
    claim: str | None = Field(default=None, sa_column=sa.Column(sa.String(32), nullable=True))
    attempts: int = Field(default=0, sa_column=sa.Column(sa.Integer, nullable=False, server_default="0"))
    error: str = Field(default="", sa_column=sa.Column(sa.Text, nullable=False, server_default=""))
    problems: list[str] = Field(default_factory=list, sa_column=sa.Column(sa.JSON, nullable=False))
    import_id: int | None = Field(default=None, foreign_key="evidence_import.id", ondelete="SET NULL")
    uploaded_by_id: int | None = Field(default=None, foreign_key="person.id", ondelete="SET NULL")
    uploaded_by_label: str = Field(sa_column=sa.Column(sa.String(120), nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_column=sa.Column(UTCDateTime, nullable=False))
    finished_at: datetime | None = Field(default=None, sa_column=sa.Column(UTCDateTime, nullable=True))
    updated_at: datetime = Field(default_factory=utcnow, sa_column=sa.Column(UTCDateTime, nullable=False))

    @property
    def under_way(self) -> bool:
        return self.state in ("queued", "running")


class ServiceUseDataset(SQLModel, table=True):
    """The counts of one service in one period; re-importing it replaces its counts, keeping its id."""

    __tablename__ = "service_use_dataset"
    __table_args__ = (
        sa.UniqueConstraint("collective_id", "service", "period"),
        sa.CheckConstraint("coding IN ('ons', 'nhs')", name="coding_known"),
    )

    id: int | None = Field(default=None, primary_key=True)
    collective_id: int = Field(foreign_key="collective.id", ondelete="CASCADE", index=True)
    service: str = Field(sa_column=sa.Column(sa.String(120), nullable=False))
    period: str = Field(sa_column=sa.Column(sa.String(40), nullable=False))
    coding: str = Field(sa_column=sa.Column(sa.String(10), nullable=False))
    rows: int = Field(default=0)
    import_id: int | None = Field(default=None, foreign_key="evidence_import.id", ondelete="SET NULL")
    updated_at: datetime = Field(default_factory=utcnow, sa_column=sa.Column(UTCDateTime, nullable=False))

    @property
    def title(self) -> str:
        return f"{self.service}, {self.period}"


class ServiceUseCount(SQLModel, table=True):
    __tablename__ = "service_use_count"
    __table_args__ = (
        sa.UniqueConstraint("dataset_id", "area", "ethnic_group"),
        sa.CheckConstraint("users >= 0", name="users_not_negative"),
    )

    id: int | None = Field(default=None, primary_key=True)
    collective_id: int = Field(foreign_key="collective.id", ondelete="CASCADE", index=True)
    dataset_id: int = Field(sa_column=_fk("service_use_dataset.id", index=False))  # leads the unique index
    area: str = Field(sa_column=sa.Column(sa.String(120), nullable=False))
    ethnic_group: str = Field(sa_column=sa.Column(sa.String(40), nullable=False))
    users: int = Field(nullable=False)


class PopulationCount(SQLModel, table=True):
    """The population baseline: people in an area by ethnic group (re-importing an area replaces it)."""

    __tablename__ = "population_count"
    __table_args__ = (
        sa.UniqueConstraint("collective_id", "area", "ethnic_group"),
        sa.CheckConstraint("population >= 0", name="population_not_negative"),
        sa.CheckConstraint("coding IN ('ons', 'nhs')", name="coding_known"),
    )

    id: int | None = Field(default=None, primary_key=True)
    collective_id: int = Field(foreign_key="collective.id", ondelete="CASCADE", index=True)
    area: str = Field(sa_column=sa.Column(sa.String(120), nullable=False))
    ethnic_group: str = Field(sa_column=sa.Column(sa.String(40), nullable=False))
    population: int = Field(nullable=False)
    coding: str = Field(sa_column=sa.Column(sa.String(10), nullable=False))
    import_id: int | None = Field(default=None, foreign_key="evidence_import.id", ondelete="SET NULL")


class CommissioningCycle(WorkflowFields, table=True):
    """One commissioning cycle of a collective; follows the ``commissioning`` workflow.

    The subject protocol of that workflow (the attributes its guards read) is implemented by
    the properties below, each one query.
    """

    __tablename__ = "commissioning_cycle"
    __workflows__ = ("commissioning",)
    __table_args__ = (sa.UniqueConstraint("collective_id", "name"),)

    id: int | None = Field(default=None, primary_key=True)
    collective_id: int = Field(foreign_key="collective.id", ondelete="CASCADE", index=True)
    name: str = Field(sa_column=sa.Column(sa.String(120), nullable=False))
    description: str = Field(default="", sa_column=sa.Column(sa.Text, nullable=False, server_default=""))
    state: str = Field(default="evidence", max_length=40, index=True)
    created_by_id: int | None = Field(default=None, foreign_key="person.id", ondelete="SET NULL")
    created_at: datetime = Field(default_factory=utcnow, sa_column=sa.Column(UTCDateTime, nullable=False))
    published_at: datetime | None = Field(default=None, sa_column=sa.Column(UTCDateTime, nullable=True))
    # The round that funds this cycle's priorities, chosen by a facilitator before commissioning
    # (operations.choose_round); a deleted round leaves the cycle without one.
    round_id: int | None = Field(default=None, sa_column=sa.Column(
        sa.Integer, sa.ForeignKey("round.id", ondelete="SET NULL"), nullable=True, index=True))

    def actor_roles(self, person) -> set[str]:
        from grants import permissions

        return {"facilitator", "reviewer"} & permissions.roles_in(person, self.collective_id)

    # -- the subject protocol of the commissioning workflow ---------------------------------

    def _count(self, model) -> int:
        return db.session.exec(select(func.count()).select_from(model).where(
            model.collective_id == self.collective_id, model.cycle_id == self.id)).one()

    @property
    def evidence_datasets_count(self) -> int:
        return self._count(CycleEvidence)

    @property
    def engagement_sessions_count(self) -> int:
        return self._count(EngagementEvent)

    @property
    def needs_count(self) -> int:
        return self._count(Need)

    @property
    def priorities_agreed(self) -> bool:
        """The partnership has decided every need, and agreed at least one as a priority."""
        undecided, agreed = db.session.exec(
            select(func.coalesce(func.sum(sa.case((Need.decision == "undecided", 1), else_=0)), 0),
                   func.coalesce(func.sum(sa.case((Need.decision == "priority", 1), else_=0)), 0))
            .where(Need.collective_id == self.collective_id, Need.cycle_id == self.id)).one()
        return bool(agreed > 0 and undecided == 0)

    @property
    def commissioned_round_id(self) -> int | None:
        from grants.commissioning import links

        found = links.round_for(self)
        return found.round_id if found else None

    @property
    def commissioned_round_closed(self) -> bool:
        from grants.commissioning import links

        found = links.round_for(self)
        return bool(found and found.closed)

    @property
    def needs_without_response(self) -> list[str]:
        """Titles of needs with no answer yet: no checked "we did" entry, no grant of the commissioned
        round confirmed to answer it with an accepted report, and not "not taken forward"."""
        from grants.commissioning import delivery

        answered = (select(WeDidEntry.id).join(Priority, Priority.id == WeDidEntry.priority_id)
                    .where(Priority.need_id == Need.id, WeDidEntry.checked_at.is_not(None)))
        query = select(Need.title).where(Need.collective_id == self.collective_id, Need.cycle_id == self.id,
                                         Need.decision != "not_taken_forward", ~answered.exists())
        if self.round_id is not None:
            query = query.where(~delivery.reported_grants_answering(self).exists())
        return list(db.session.exec(query.order_by(Need.id)).all())


class CycleEvidence(SQLModel, table=True):
    """A service-use dataset a cycle uses as its evidence."""

    __tablename__ = "cycle_evidence"

    cycle_id: int = Field(sa_column=sa.Column(sa.Integer, sa.ForeignKey("commissioning_cycle.id", ondelete="CASCADE"),
                                              primary_key=True))
    dataset_id: int = Field(sa_column=sa.Column(sa.Integer, sa.ForeignKey("service_use_dataset.id", ondelete="CASCADE"),
                                                primary_key=True))
    collective_id: int = Field(foreign_key="collective.id", ondelete="CASCADE", index=True)


class EngagementEvent(SQLModel, table=True):
    __tablename__ = "engagement_event"
    __table_args__ = (
        sa.CheckConstraint("participants >= 0", name="participants_not_negative"),
        sa.CheckConstraint("kind IN ('workshop', 'fair', 'consultation', 'faith_group_session', 'other')",
                           name="kind_known"),
    )

    id: int | None = Field(default=None, primary_key=True)
    collective_id: int = Field(foreign_key="collective.id", ondelete="CASCADE", index=True)
    cycle_id: int = Field(sa_column=_fk("commissioning_cycle.id"))
    title: str = Field(sa_column=sa.Column(sa.String(120), nullable=False))
    held_on: date = Field(sa_column=sa.Column(sa.Date, nullable=False))
    place: str = Field(sa_column=sa.Column(sa.String(200), nullable=False))
    kind: str = Field(sa_column=sa.Column(sa.String(30), nullable=False))
    participants: int = Field(default=0)
    notes: str = Field(default="", sa_column=sa.Column(sa.Text, nullable=False, server_default=""))
    created_by_id: int | None = Field(default=None, foreign_key="person.id", ondelete="SET NULL")
    created_at: datetime = Field(default_factory=utcnow, sa_column=sa.Column(UTCDateTime, nullable=False))
    # goes up by one with every save from a form about it (``grants.versions``)
    version: int = Field(default=1, sa_column=sa.Column(sa.Integer, nullable=False, server_default="1"))

    @property
    def kind_label(self) -> str:
        return EVENT_KINDS.get(self.kind, self.kind)


class EngagementHost(SQLModel, table=True):
    """A community partner (an organisation of the collective) that hosted an event."""

    __tablename__ = "engagement_host"

    event_id: int = Field(sa_column=sa.Column(sa.Integer, sa.ForeignKey("engagement_event.id", ondelete="CASCADE"),
                                              primary_key=True))
    organisation_id: int = Field(sa_column=sa.Column(sa.Integer, sa.ForeignKey("organisation.id", ondelete="CASCADE"),
                                                     primary_key=True))
    collective_id: int = Field(foreign_key="collective.id", ondelete="CASCADE", index=True)


class EngagementParticipation(SQLModel, table=True):
    """How many people of one community took part in an event (optional, aggregate only)."""

    __tablename__ = "engagement_participation"
    __table_args__ = (sa.CheckConstraint("participants >= 0", name="participants_not_negative"),)

    event_id: int = Field(sa_column=sa.Column(sa.Integer, sa.ForeignKey("engagement_event.id", ondelete="CASCADE"),
                                              primary_key=True))
    ethnic_group: str = Field(sa_column=sa.Column(sa.String(40), primary_key=True))
    collective_id: int = Field(foreign_key="collective.id", ondelete="CASCADE", index=True)
    participants: int = Field(nullable=False)


class FeedbackItem(SQLModel, table=True):
    """One thing heard at an event, in short, tagged with themes and communities."""

    __tablename__ = "feedback_item"

    id: int | None = Field(default=None, primary_key=True)
    collective_id: int = Field(foreign_key="collective.id", ondelete="CASCADE", index=True)
    cycle_id: int = Field(sa_column=_fk("commissioning_cycle.id"))
    event_id: int = Field(sa_column=_fk("engagement_event.id"))
    text: str = Field(sa_column=sa.Column(sa.String(500), nullable=False))
    communities: list[str] = Field(default_factory=list, sa_column=sa.Column(sa.JSON, nullable=False))
    created_by_id: int | None = Field(default=None, foreign_key="person.id", ondelete="SET NULL")
    created_at: datetime = Field(default_factory=utcnow, sa_column=sa.Column(UTCDateTime, nullable=False))


class FeedbackTheme(SQLModel, table=True):
    __tablename__ = "feedback_theme"

    feedback_id: int = Field(sa_column=sa.Column(sa.Integer, sa.ForeignKey("feedback_item.id", ondelete="CASCADE"),
                                                 primary_key=True))
    theme_id: int = Field(sa_column=sa.Column(sa.Integer, sa.ForeignKey("theme.id", ondelete="CASCADE"),
                                              primary_key=True))
    collective_id: int = Field(foreign_key="collective.id", ondelete="CASCADE", index=True)


class Need(SQLModel, table=True):
    """What a community said it needs ("you said"), in its own words; the partnership decides it."""

    __tablename__ = "need"
    __table_args__ = (
        sa.UniqueConstraint("cycle_id", "title"),
        sa.CheckConstraint("decision IN ('undecided', 'priority', 'not_taken_forward')", name="decision_known"),
        sa.CheckConstraint("decision != 'not_taken_forward' OR decision_reason != ''", name="declined_has_reason"),
    )

    id: int | None = Field(default=None, primary_key=True)
    collective_id: int = Field(foreign_key="collective.id", ondelete="CASCADE", index=True)
    cycle_id: int = Field(sa_column=_fk("commissioning_cycle.id"))
    title: str = Field(sa_column=sa.Column(sa.String(120), nullable=False))
    statement: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    decision: str = Field(default="undecided",
                          sa_column=sa.Column(sa.String(20), nullable=False, server_default="undecided"))
    decision_reason: str = Field(default="", sa_column=sa.Column(sa.Text, nullable=False, server_default=""))
    decided_by_id: int | None = Field(default=None, foreign_key="person.id", ondelete="SET NULL")
    decided_at: datetime | None = Field(default=None, sa_column=sa.Column(UTCDateTime, nullable=True))
    created_by_id: int | None = Field(default=None, foreign_key="person.id", ondelete="SET NULL")
    created_at: datetime = Field(default_factory=utcnow, sa_column=sa.Column(UTCDateTime, nullable=False))
    # goes up by one with every save from a form about it (``grants.versions``)
    version: int = Field(default=1, sa_column=sa.Column(sa.Integer, nullable=False, server_default="1"))

    @property
    def decision_label(self) -> str:
        return NEED_DECISIONS[self.decision]

    def last_changed(self) -> tuple[int | None, datetime] | None:
        """Who decided it and when (the audit row of an agreed priority is the priority's): for ``grants.versions``."""
        return (self.decided_by_id, self.decided_at) if self.decided_at is not None else None


class NeedEvidence(SQLModel, table=True):
    """A gap (service and period, area, ethnic group) that supports a need."""

    __tablename__ = "need_evidence"

    need_id: int = Field(sa_column=sa.Column(sa.Integer, sa.ForeignKey("need.id", ondelete="CASCADE"), primary_key=True))
    dataset_id: int = Field(sa_column=sa.Column(sa.Integer, sa.ForeignKey("service_use_dataset.id", ondelete="CASCADE"),
                                                primary_key=True))
    area: str = Field(sa_column=sa.Column(sa.String(120), primary_key=True))
    ethnic_group: str = Field(sa_column=sa.Column(sa.String(40), primary_key=True))
    collective_id: int = Field(foreign_key="collective.id", ondelete="CASCADE", index=True)


class NeedFeedback(SQLModel, table=True):
    __tablename__ = "need_feedback"

    need_id: int = Field(sa_column=sa.Column(sa.Integer, sa.ForeignKey("need.id", ondelete="CASCADE"), primary_key=True))
    feedback_id: int = Field(sa_column=sa.Column(sa.Integer, sa.ForeignKey("feedback_item.id", ondelete="CASCADE"),
                                                 primary_key=True))
    collective_id: int = Field(foreign_key="collective.id", ondelete="CASCADE", index=True)


class Priority(SQLModel, table=True):
    """A need the partnership agreed to act on (approved by a reviewer), answered by themes."""

    __tablename__ = "priority"

    id: int | None = Field(default=None, primary_key=True)
    collective_id: int = Field(foreign_key="collective.id", ondelete="CASCADE", index=True)
    cycle_id: int = Field(sa_column=_fk("commissioning_cycle.id"))
    need_id: int = Field(sa_column=sa.Column(sa.Integer, sa.ForeignKey("need.id", ondelete="CASCADE"),
                                             nullable=False, unique=True))
    note: str = Field(default="", sa_column=sa.Column(sa.Text, nullable=False, server_default=""))
    approved_by_id: int | None = Field(default=None, foreign_key="person.id", ondelete="SET NULL")
    approved_at: datetime = Field(default_factory=utcnow, sa_column=sa.Column(UTCDateTime, nullable=False))


class PriorityTheme(SQLModel, table=True):
    __tablename__ = "priority_theme"

    priority_id: int = Field(sa_column=sa.Column(sa.Integer, sa.ForeignKey("priority.id", ondelete="CASCADE"),
                                                 primary_key=True))
    theme_id: int = Field(sa_column=sa.Column(sa.Integer, sa.ForeignKey("theme.id", ondelete="CASCADE"),
                                              primary_key=True))
    collective_id: int = Field(foreign_key="collective.id", ondelete="CASCADE", index=True)


class WeDidEntry(SQLModel, table=True):
    """What was done about a priority ("we did"), written by a facilitator."""

    __tablename__ = "we_did_entry"

    id: int | None = Field(default=None, primary_key=True)
    collective_id: int = Field(foreign_key="collective.id", ondelete="CASCADE", index=True)
    priority_id: int = Field(sa_column=_fk("priority.id"))
    text: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    written_by_id: int | None = Field(default=None, foreign_key="person.id", ondelete="SET NULL")
    created_at: datetime = Field(default_factory=utcnow, sa_column=sa.Column(UTCDateTime, nullable=False))
    # A reviewer other than its writer checks it (operations.check_we_did) before it is published:
    # until then only facilitators and reviewers see it, marked "awaiting check".
    checked_by_id: int | None = Field(default=None, foreign_key="person.id", ondelete="SET NULL")
    checked_at: datetime | None = Field(default=None, sa_column=sa.Column(UTCDateTime, nullable=True))

    @property
    def checked(self) -> bool:
        return self.checked_at is not None


class WeDidReach(SQLModel, table=True):
    """People of one community reached by what a "we did" entry reports (aggregate only)."""

    __tablename__ = "we_did_reach"
    __table_args__ = (sa.CheckConstraint("people >= 0", name="people_not_negative"),)

    entry_id: int = Field(sa_column=sa.Column(sa.Integer, sa.ForeignKey("we_did_entry.id", ondelete="CASCADE"),
                                              primary_key=True))
    ethnic_group: str = Field(sa_column=sa.Column(sa.String(40), primary_key=True))
    collective_id: int = Field(foreign_key="collective.id", ondelete="CASCADE", index=True)
    people: int = Field(nullable=False)


class PriorityGrant(SQLModel, table=True):
    """A grant of the commissioned round that a facilitator confirmed answers a priority.

    Matching themes only proposes candidates (:func:`grants.commissioning.delivery.candidates`);
    only confirmed grants count in "we did" (operations.confirm_grants).
    """

    __tablename__ = "priority_grant"

    priority_id: int = Field(sa_column=sa.Column(sa.Integer, sa.ForeignKey("priority.id", ondelete="CASCADE"),
                                                 primary_key=True))
    grant_id: int = Field(sa_column=sa.Column(sa.Integer, sa.ForeignKey("grant.id", ondelete="CASCADE"),
                                              primary_key=True))
    collective_id: int = Field(foreign_key="collective.id", ondelete="CASCADE", index=True)
    confirmed_by_id: int | None = Field(default=None, foreign_key="person.id", ondelete="SET NULL")
    confirmed_at: datetime = Field(default_factory=utcnow, sa_column=sa.Column(UTCDateTime, nullable=False))
