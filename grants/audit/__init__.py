"""Writing the audit log. ``record`` adds a row to the current transaction; nothing else writes it."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from sqlalchemy import event
from sqlalchemy.orm import Session

from grants.audit.models import AuditEvent
from grants.db import db


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
    object_type: str | None = None,
) -> AuditEvent:
    """Add an audit row for ``obj`` to the session; it commits (or rolls back) with the change.

    ``object_type`` without ``obj`` names the kind of object a row is about without saying which
    one (a secret ballot's row must not carry the ballot's id).
    """
    if collective_id is None:
        collective_id = getattr(obj, "collective_id", None)
    if object_type is None:
        object_type = obj.__tablename__ if obj is not None else "system"
    event_row = AuditEvent(
        actor_id=getattr(actor, "id", None),
        actor_label=actor_label(actor),
        collective_id=collective_id,
        action=action,
        object_type=object_type,
        object_id=getattr(obj, "id", None),
        summary=summary[:500],
        before=before,
        after=after,
    )
    db.session.add(event_row)
    return event_row


@event.listens_for(Session, "before_flush")
def _logs_are_append_only(session: Session, _context, _instances) -> None:
    """The audit log and the state history are records: rows are added, never changed or removed."""
    for obj in list(session.dirty) + list(session.deleted):
        if getattr(type(obj), "__append_only__", False) and (obj in session.deleted or session.is_modified(obj)):
            raise PermissionError(f"{type(obj).__tablename__} rows are append-only")
