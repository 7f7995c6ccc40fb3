"""What a person does to the outbox: put a failed message back in the queue (audited)."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import update

from grants import audit
from grants.db import db
from grants.errors import Refused
from grants.mail import delivery
from grants.mail.models import OutboxMessage
from grants.timeutil import utcnow


def retry_message(message: OutboxMessage, actor) -> None:
    """Queue a failed message again, with a fresh set of attempts; sent after the commit."""
    before = {"state": message.state, "attempts": message.attempts, "last_answer": message.last_answer}
    now = utcnow()
    # Compare-and-swap: of two people pressing Retry at once, one queues it.
    changed = db.session.execute(update(OutboxMessage).where(
        OutboxMessage.id == message.id, OutboxMessage.state == "failed",
    ).values(state="queued", attempts=0, next_attempt_at=now, claim=None, updated_at=now)).rowcount
    if changed != 1:
        raise Refused(_("The email to %(recipient)s is no longer marked as failed: "
                        "someone has queued it again, or it has been sent.", recipient=message.recipient))
    db.session.expire(message)
    audit.record(actor, "mail.retried", message,
                 f"Email to {message.recipient} “{message.subject}” queued again after "
                 f"{before['attempts']} failed attempt{'s' if before['attempts'] != 1 else ''}",
                 collective_id=message.collective_id, before=before, after={"state": "queued", "attempts": 0})
    delivery.queue_delivery([message.id])
