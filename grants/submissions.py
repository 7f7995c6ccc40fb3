"""Forms that count once: a double-click, a page sent again or a retried request records once.

Every state-changing form of payments, awards, ballots and reports carries a ``OnceField``
(``grants.forms``): a random token, new each time the form is shown. ``grants.views.attempt`` writes
the token into ``form_submission`` in the same transaction as the operation, whose primary key
refuses a second copy. A second submission of the same form is refused with a plain message (the
first one's result is on the page); if the two race each other, the database lets only one commit.
A refused operation rolls its token back, so the person can correct the form and send it again.

Tokens are kept for ``FORM_TOKEN_DAYS`` (a page left open longer is shown again with a new one
when sent); a periodic sweep removes older ones.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app, g, has_request_context, request
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError
from sqlmodel import Field, SQLModel, select

from grants import queue
from grants.db import UTCDateTime, db
from grants.errors import Refused
from grants.timeutil import utcnow

TOKEN_LENGTH = 32  # hex digits of 16 random bytes
ALREADY_SENT = _l("This form was already sent, and what it asked for was recorded then. It has not been "
                  "recorded twice: check the page below.")


class FormSubmission(SQLModel, table=True):
    """One form submission that was recorded: its token can never be recorded again."""

    __tablename__ = "form_submission"

    token: str = Field(sa_column=sa.Column(sa.String(TOKEN_LENGTH), primary_key=True))
    person_id: int | None = Field(default=None, foreign_key="person.id", ondelete="SET NULL")
    endpoint: str = Field(default="", sa_column=sa.Column(sa.String(120), nullable=False, server_default=""))
    submitted_at: datetime = Field(default_factory=utcnow, sa_column=sa.Column(UTCDateTime, nullable=False, index=True))


def sent_before(token: str) -> bool:
    """Whether an earlier request recorded this form (a route may run several operations for one
    form, like "save and submit": the ones after the first belong to the same submission)."""
    if token in g.get("form_tokens_recorded", ()):
        return False
    return db.session.exec(select(FormSubmission.token).where(FormSubmission.token == token)).first() is not None


def record_once(token: str, person) -> None:
    """Record the token in the current transaction; Refused if another request recorded it first."""
    if token in g.get("form_tokens_recorded", ()):
        return
    g.setdefault("form_tokens_recorded", set()).add(token)
    db.session.add(FormSubmission(token=token, person_id=getattr(person, "id", None),
                                  endpoint=(request.endpoint or "")[:120] if has_request_context() else ""))
    try:
        db.session.flush()
    except IntegrityError as error:  # the other copy committed first; attempt() rolls this one back
        g.form_tokens_recorded.discard(token)
        raise Refused(str(ALREADY_SENT)) from error


@queue.periodic_task(every_minutes=60)
def forget_old_form_tokens() -> int:
    """Remove tokens older than ``FORM_TOKEN_DAYS``: their forms are long closed."""
    days = current_app.config.get("FORM_TOKEN_DAYS", 30)
    result = db.session.execute(sa.delete(FormSubmission).where(FormSubmission.submitted_at < utcnow() - timedelta(days=days)))
    db.session.commit()
    return result.rowcount


__all__ = ["ALREADY_SENT", "FormSubmission", "forget_old_form_tokens", "record_once", "sent_before"]
