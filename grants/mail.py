"""Outgoing email, sent only after the transaction that caused it commits.

``queue_mail`` renders a template from ``templates/emails/`` and puts the message on the current
database session; ``queue_body`` does the same with a body already rendered (a package that keeps
its email templates beside its pages renders them itself). When that session commits, the
messages are delivered (SMTP when ``MAIL_SERVER`` is set, otherwise written as ``.eml`` files to
``instance/mail/`` where a person can read them). A rollback discards them: a failed request never
tells anybody anything, and a session silenced by :func:`silence_mail` queues nothing.
"""

from __future__ import annotations

import logging
import smtplib
import uuid
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path

from flask import current_app, render_template
from sqlalchemy import event
from sqlalchemy.orm import Session

from grants.db import db

log = logging.getLogger(__name__)
_OUTBOX = "commonpot_outbox"


@dataclass
class Mail:
    to: str
    subject: str
    body: str
    config: dict = field(default_factory=dict, repr=False)


_SILENT = "commonpot_mail_silenced"


def silence_mail() -> None:
    """Queue no mail in this session (seeding demo data must not email its made-up people)."""
    db.session.info[_SILENT] = True


def queue_mail(to: str, subject: str, template: str, **context) -> Mail:
    """Render ``templates/emails/<template>`` and queue it for after the commit."""
    return queue_body(to, subject, render_template(f"emails/{template}", **context))


def queue_body(to: str, subject: str, body: str) -> Mail:
    """Queue a message whose plain-text ``body`` is already rendered, for after the commit."""
    config = {
        key: current_app.config.get(key)
        for key in (
            "MAIL_SERVER", "MAIL_PORT", "MAIL_USERNAME", "MAIL_PASSWORD", "MAIL_USE_TLS",
            "MAIL_USE_SSL", "MAIL_DEFAULT_SENDER", "MAIL_TIMEOUT",
        )
    }
    config["MAIL_DIR"] = str(Path(current_app.instance_path) / "mail")
    mail = Mail(to=to, subject=subject, body=body, config=config)
    if not db.session.info.get(_SILENT):
        if not db.session.in_transaction():
            # Begin now, or a rollback before any SQL would have no transaction to end, fire no
            # event, and leave this mail queued for the next commit.
            db.session.begin()
        db.session.info.setdefault(_OUTBOX, []).append(mail)
    return mail


def _build(mail: Mail) -> EmailMessage:
    message = EmailMessage()
    message["From"] = mail.config["MAIL_DEFAULT_SENDER"]
    message["To"] = mail.to
    message["Subject"] = mail.subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain="commonpot.local")
    message.set_content(mail.body)
    return message


def deliver(mail: Mail) -> None:
    message = _build(mail)
    config = mail.config
    if config.get("MAIL_SERVER"):
        smtp_class = smtplib.SMTP_SSL if config.get("MAIL_USE_SSL") else smtplib.SMTP
        with smtp_class(config["MAIL_SERVER"], int(config.get("MAIL_PORT") or 25),
                        timeout=float(config.get("MAIL_TIMEOUT") or 10)) as smtp:
            if config.get("MAIL_USE_TLS"):
                smtp.starttls()
            if config.get("MAIL_USERNAME"):
                smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
            smtp.send_message(message)
    else:
        folder = Path(config["MAIL_DIR"])
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{uuid.uuid4().hex}.eml").write_bytes(bytes(message))


@event.listens_for(Session, "after_commit")
def _send_after_commit(session: Session) -> None:
    for mail in session.info.pop(_OUTBOX, []):
        try:
            deliver(mail)
        except (OSError, smtplib.SMTPException):
            # The change is committed; a mail failure must not turn it into an error page.
            log.exception("could not deliver mail to %s: %s", mail.to, mail.subject)


@event.listens_for(Session, "after_soft_rollback")
def _discard_after_rollback(session: Session, previous_transaction) -> None:
    # "soft": also when nothing had reached the database yet, so there was no DBAPI rollback
    # (``after_rollback`` would not fire, and the mail would go out with the next commit).
    # A savepoint rolled back keeps the outbox: mail queued before it still stands.
    if not previous_transaction.nested:
        session.info.pop(_OUTBOX, None)
