"""Writing the audit log. ``record`` adds a row to the current transaction; nothing else writes it."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from sqlalchemy import event
from sqlalchemy.orm import Session

from grants.audit.models import AuditEvent
from grants.db import db
from grants.timeutil import utcnow


def actor_label(actor) -> str:
    """Who acted, as the log keeps it (at most 120 characters, the column's width)."""
    if actor is None:
        return "system"
    if isinstance(actor, str):
        return actor[:120]
    return f"{actor.name} <{actor.email}>"[:120]


def shown_actor(label: str) -> str:
    """An actor label as a page shows it: the system's own names in the reader's language."""
    if label == "system":
        return _("System")
    if label == "scheduler":
        return _("Scheduler")
    return label


def record(
    actor,
    action: str,
    obj,
    summary: str,
    *,
    collective_id: int | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEvent:
    """Add an audit row for ``obj`` to the session; it commits (or rolls back) with the change."""
    if collective_id is None:
        collective_id = getattr(obj, "collective_id", None)
    event_row = AuditEvent(
        actor_id=getattr(actor, "id", None),
        actor_label=actor_label(actor),
        collective_id=collective_id,
        action=action,
        object_type=obj.__tablename__ if obj is not None else "system",
        object_id=getattr(obj, "id", None),
        summary=summary[:500],
        before=before,
        after=after,
    )
    db.session.add(event_row)
    return event_row


def record_now(actor, action: str, *, object_type: str, object_id: int | None, collective_id: int | None,
               summary: str, at=None) -> None:
    """Write an audit row with one INSERT on the session's connection, in its transaction.

    The same row as :func:`record`, for hot paths that write with SQL statements rather than
    ORM objects (casting a ballot): it skips building a model object and waiting for the flush.
    Only ever an INSERT, so the log stays append-only.
    """
    values = {"actor_id": getattr(actor, "id", None), "actor_label": actor_label(actor),
              "collective_id": collective_id, "action": action, "object_type": object_type,
              "object_id": object_id, "summary": summary[:500], "before": None, "after": None,
              "at": at or utcnow()}
    db.session.connection().execute(_INSERT_EVENT, values)


_INSERT_EVENT = AuditEvent.__table__.insert()


@event.listens_for(Session, "before_flush")
def _logs_are_append_only(session: Session, _context, _instances) -> None:
    """The audit log and the state history are records: rows are added, never changed or removed."""
    for obj in list(session.dirty) + list(session.deleted):
        if getattr(type(obj), "__append_only__", False) and (obj in session.deleted or session.is_modified(obj)):
            raise PermissionError(f"{type(obj).__tablename__} rows are append-only")
