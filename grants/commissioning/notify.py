"""Email about commissioning, queued like every email: delivered only after the commit.

Commissioning keeps its email templates beside its pages (``templates/commissioning/emails/``),
so :func:`queue` renders from there and hands the body to :func:`grants.mail.queue_body`, the
same after-commit outbox (and the same silencing while the demo is seeded) as every other email.
"""

from __future__ import annotations

from flask import render_template

from grants import mail
from grants.urls import external_url

__all__ = ["external_url", "queue"]


def queue(to: str, subject, template: str, **context) -> mail.OutboxMessage:
    """Render ``templates/commissioning/emails/<template>`` in the recipient's language (as
    :func:`grants.mail.queue_mail` does); the mail is the ``collective``'s."""
    with mail.in_language_of(to, context=context):
        body = render_template(f"commissioning/emails/{template}", **context)
        subject = str(subject)
    return mail.queue_body(to, subject, body, collective=context.get("collective"))
