"""Reading the outbox for the failed-mail pages: what could not be sent, and what is waiting too long."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from sqlmodel import func, select

from grants.collectives.models import Collective
from grants.db import db
from grants.mail.models import OutboxMessage
from grants.timeutil import utcnow

PAGE_ROWS = 100


@dataclass(frozen=True)
class Attention:
    failed: list            # (OutboxMessage, collective name or None), newest first
    failed_total: int
    delayed: list           # queued or sending for longer than MAIL_DELAYED_AFTER, oldest first
    delayed_total: int
    delayed_after: timedelta


def needing_attention(collective_id: int | None = None, *, whole_site: bool = False) -> Attention:
    """Failed and long-delayed mail of one collective, or of the whole site (``whole_site``)."""
    delayed_after = timedelta(seconds=int(current_app.config["MAIL_DELAYED_AFTER"]))
    scope = sa.true() if whole_site else OutboxMessage.collective_id == collective_id
    failed = OutboxMessage.state == "failed"
    delayed = OutboxMessage.state.in_(("queued", "sending")) & (OutboxMessage.created_at < utcnow() - delayed_after)

    def rows(condition, order):
        return db.session.exec(
            select(OutboxMessage, Collective.name).outerjoin(Collective, Collective.id == OutboxMessage.collective_id)
            .where(scope, condition).order_by(*order).limit(PAGE_ROWS)).all()

    def total(condition) -> int:
        return db.session.exec(select(func.count()).select_from(OutboxMessage).where(scope, condition)).one()

    return Attention(
        failed=rows(failed, (OutboxMessage.updated_at.desc(), OutboxMessage.id.desc())), failed_total=total(failed),
        delayed=rows(delayed, (OutboxMessage.created_at, OutboxMessage.id)), delayed_total=total(delayed),
        delayed_after=delayed_after)


def failed_count(collective_id: int | None = None, *, whole_site: bool = False) -> int:
    """For the link to the page: how many messages could not be sent."""
    scope = sa.true() if whole_site else OutboxMessage.collective_id == collective_id
    return db.session.exec(select(func.count()).select_from(OutboxMessage)
                           .where(scope, OutboxMessage.state == "failed")).one()
