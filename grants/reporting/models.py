"""Reports a grant owes, in proportion to its size (the round's thresholds):

- up to ``small_grant_limit``: one short end report;
- up to ``medium_grant_limit``: an end report with a spend summary;
- above that: a mid-point report and an end report, both with a spend summary.

A report follows the ``report`` workflow (due → submitted → accepted, or changes requested; due →
overdue when its date passes). Counts of people reached are by ONS category and optional; they are
published only through disclosure control. A story is published only with the consent box ticked.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel
from workflows.i18n import N_

from grants.db import UTCDateTime
from grants.reference import ETHNIC_CATEGORY_BY_CODE
from grants.timeutil import utcnow
from grants.workflow.models import WorkflowFields

KINDS = {"mid": N_("Mid-point report"), "end": N_("End report")}  # shown translated: _(report.label)


def people_reached_by_grant(figures: Iterable[dict]) -> dict[str, int]:
    """The people one grant reached, by ONS category, from its accepted reports' ``people_reached``:
    for each community the larger figure of its reports, so a mid-point and an end report count
    nobody twice. The impact report and "we did" both count people this way."""
    reached: dict[str, int] = {}
    for people in figures:
        for code, count in people.items():
            if code in ETHNIC_CATEGORY_BY_CODE and isinstance(count, int) and count > reached.get(code, 0):
                reached[code] = count
    return reached


class Report(WorkflowFields, table=True):
    __tablename__ = "report"
    __workflows__ = ("report",)
    __table_args__ = (sa.UniqueConstraint("grant_id", "kind"),
                      sa.CheckConstraint("kind IN ('mid', 'end')", name="kind_known"),
                      sa.CheckConstraint("story = '' OR story_consent", name="story_needs_consent"))

    id: int | None = Field(default=None, primary_key=True)
    collective_id: int = Field(foreign_key="collective.id", ondelete="CASCADE", index=True)
    grant_id: int = Field(foreign_key="grant.id", ondelete="CASCADE", index=True)
    kind: str = Field(sa_column=sa.Column(sa.String(10), nullable=False))
    asks_spend: bool = Field(default=False, sa_column=sa.Column(sa.Boolean, nullable=False, server_default=sa.false()))
    state: str = Field(default="due", max_length=40, index=True)
    due_at: datetime = Field(sa_column=sa.Column(UTCDateTime, nullable=False))
    what_happened: str = Field(default="", sa_column=sa.Column(sa.Text, nullable=False, server_default=""))
    people_reached: dict[str, int] = Field(default_factory=dict, sa_column=sa.Column(sa.JSON, nullable=False))
    outcomes_achieved: dict[str, str] = Field(default_factory=dict, sa_column=sa.Column(sa.JSON, nullable=False))
    story: str = Field(default="", sa_column=sa.Column(sa.Text, nullable=False, server_default=""))
    story_consent: bool = Field(default=False, sa_column=sa.Column(sa.Boolean, nullable=False, server_default=sa.false()))
    spend: dict[str, int] = Field(default_factory=dict, sa_column=sa.Column(sa.JSON, nullable=False))
    feedback: str = Field(default="", sa_column=sa.Column(sa.Text, nullable=False, server_default=""))
    submitted_at: datetime | None = Field(default=None, sa_column=sa.Column(UTCDateTime, nullable=True))
    created_at: datetime = Field(default_factory=utcnow, sa_column=sa.Column(UTCDateTime, nullable=False))

    def actor_roles(self, person) -> set[str]:
        from grants.awards.models import Grant
        from grants.db import db

        grant = db.session.get(Grant, self.grant_id)
        return grant.actor_roles(person) if grant else set()

    @property
    def missing_fields(self) -> list[str]:
        missing = []
        if not self.what_happened.strip():
            missing.append(N_("what happened"))
        if self.asks_spend and not self.spend:
            missing.append(N_("what you spent"))
        return missing

    @property
    def label(self) -> str:
        return KINDS[self.kind]

    @property
    def has_photo(self) -> bool:
        from grants.db import db

        return db.session.exec(sa.select(ReportPhoto.report_id).where(ReportPhoto.report_id == self.id)).first() is not None


class ReportPhoto(SQLModel, table=True):
    """A report's photo, in the database: any web host serves it and a backup of the database holds
    it. Its own table, so that loading a report never loads the bytes; they are read only to serve
    the photo or to put it in the grant report's PDF. Stored re-encoded, without its metadata
    (``grants.reporting.photos``)."""

    __tablename__ = "report_photo"
    __table_args__ = (sa.CheckConstraint("content_type IN ('image/jpeg', 'image/png')", name="content_type_known"),
                      sa.CheckConstraint("size > 0 AND size = length(content)", name="size_is_length"))

    report_id: int = Field(sa_column=sa.Column(sa.Integer, sa.ForeignKey("report.id", ondelete="CASCADE"),
                                               primary_key=True))
    content: bytes = Field(sa_column=sa.Column(sa.LargeBinary, nullable=False))
    content_type: str = Field(sa_column=sa.Column(sa.String(20), nullable=False))
    size: int = Field(nullable=False)
    width: int = Field(nullable=False)
    height: int = Field(nullable=False)
    uploaded_at: datetime = Field(default_factory=utcnow, sa_column=sa.Column(UTCDateTime, nullable=False))


class ReportReminder(SQLModel, table=True):
    """A reminder sent about one report: each kind is sent at most once."""

    __tablename__ = "report_reminder"
    __table_args__ = (sa.UniqueConstraint("report_id", "kind"),)

    id: int | None = Field(default=None, primary_key=True)
    report_id: int = Field(foreign_key="report.id", ondelete="CASCADE")
    kind: str = Field(sa_column=sa.Column(sa.String(20), nullable=False))
    sent_at: datetime = Field(default_factory=utcnow, sa_column=sa.Column(UTCDateTime, nullable=False))


__all__ = ["KINDS", "Report", "ReportPhoto", "ReportReminder"]
