"""Delivering the outbox: claim, send with the stable Message-ID, record the answer; retry later.

:func:`deliver_mail` is the task queued after each commit that queued mail (one task for all of
that transaction's messages, which share one SMTP connection, :data:`MAIL_BATCH_SIZE` at a time).
It claims the rows (queued → sending, a compare-and-swap: a row another worker claimed, or one
already sent, is skipped), commits that, and only then talks to the SMTP server, so a message is
sent only by the worker whose claim is recorded. Each answer is written as soon as it comes:

- accepted → *sent*, with the server's answer (``250 …``);
- refused for good (a 5xx answer to this message, or an address that is not one) → *failed*;
- anything else (server down, a 4xx "try later", the connection lost) → back to *queued* with the
  next attempt after ``MAIL_RETRY_DELAY`` seconds, doubled each time up to
  ``MAIL_RETRY_MAX_DELAY``; *failed* once ``MAIL_RETRY_ATTEMPTS`` attempts are used up.

Retries are queued as delayed tasks, but nothing depends on them: :func:`sweep_outbox` runs every
minute in every worker, queues the rows whose next attempt is due, and puts back to queued a row
left *sending* for longer than ``MAIL_SENDING_TIMEOUT`` (its worker died; the resend carries the
same Message-ID). Without ``MAIL_SERVER`` (development) each message is written to
``instance/mail/<Message-ID>.eml`` instead.
"""

from __future__ import annotations

import logging
import smtplib
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from flask import current_app
from sqlalchemy import update
from sqlmodel import select

from grants import queue
from grants.db import db
from grants.mail.headers import build
from grants.mail.models import OutboxMessage
from grants.timeutil import utcnow

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Claimed:
    id: int
    message_id: str
    recipient: str
    subject: str
    body: str
    attempts: int
    created_at: datetime


def queue_delivery(ids: list[int], delay: int | None = None) -> None:
    """Queue the task that sends these rows, after the current transaction commits."""
    size = int(current_app.config["MAIL_BATCH_SIZE"])
    for start in range(0, len(ids), size):
        queue.enqueue(deliver_mail, ids[start:start + size], delay=delay)


# Huey's own retries stay off: the row carries its attempts and its next attempt time, and the
# sweep picks up whatever a failed or lost task leaves behind.
@queue.task(retries=0)
def deliver_mail(ids: list[int]) -> None:
    """Send the queued rows among ``ids`` that are due; skip the rest (sent, or someone else's)."""
    token, claimed = claim(ids)
    if claimed:
        send(token, claimed)


@queue.periodic_task(every_minutes=1)
def sweep_outbox() -> int:
    """Queue every row whose next attempt is due; free rows a dead worker left sending.

    Safe when every worker runs it at once: the updates are compare-and-swaps, and a row queued
    twice is sent once (the second task finds it claimed or sent). Returns how many rows it queued.
    """
    config = current_app.config
    now = utcnow()
    stuck_before = now - timedelta(seconds=int(config["MAIL_SENDING_TIMEOUT"]))
    stuck = (OutboxMessage.state == "sending") & (OutboxMessage.claimed_at < stuck_before)
    worn_out = OutboxMessage.attempts >= int(config["MAIL_RETRY_ATTEMPTS"])
    # A message whose every attempt killed its worker is given up, not tried for ever.
    db.session.execute(update(OutboxMessage).where(stuck & worn_out).values(
        state="failed", claim=None, updated_at=now,
        last_answer="Gave up: the worker sending it stopped before the server answered, on every attempt."))
    db.session.execute(update(OutboxMessage).where(stuck & ~worn_out).values(
        state="queued", claim=None, next_attempt_at=now, updated_at=now,
        last_answer="The worker sending it stopped before the server answered; it will be sent again."))
    due = db.session.exec(select(OutboxMessage.id).where(
        OutboxMessage.state == "queued", OutboxMessage.next_attempt_at <= now)
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id).limit(int(config["MAIL_SWEEP_LIMIT"]))).all()
    db.session.commit()
    queue_delivery(list(due))
    return len(due)


def claim(ids: list[int]) -> tuple[str, list[Claimed]]:
    """Move the due, queued rows among ``ids`` to sending under a new token, and commit."""
    token = uuid.uuid4().hex
    now = utcnow()
    db.session.execute(update(OutboxMessage).where(
        OutboxMessage.id.in_(ids), OutboxMessage.state == "queued", OutboxMessage.next_attempt_at <= now,
    ).values(state="sending", claim=token, claimed_at=now, attempts=OutboxMessage.attempts + 1, updated_at=now))
    rows = db.session.exec(select(
        OutboxMessage.id, OutboxMessage.message_id, OutboxMessage.recipient, OutboxMessage.subject,
        OutboxMessage.body, OutboxMessage.attempts, OutboxMessage.created_at,
    ).where(OutboxMessage.claim == token).order_by(OutboxMessage.id)).all()
    db.session.commit()
    return token, [Claimed(*row) for row in rows]


class _Answers:
    """Keeps the server's answer to each message's DATA (smtplib's sendmail drops it)."""

    last_answer = ""

    def data(self, msg):
        code, text = super().data(msg)
        self.last_answer = f"{code} {text.decode('utf-8', 'replace')}"
        return code, text


class _SMTP(_Answers, smtplib.SMTP):
    pass


class _SMTPSSL(_Answers, smtplib.SMTP_SSL):
    pass


def _connect(config) -> smtplib.SMTP:
    smtp_class = _SMTPSSL if config.get("MAIL_USE_SSL") else _SMTP
    smtp = smtp_class(config["MAIL_SERVER"], int(config.get("MAIL_PORT") or 25),
                      timeout=float(config.get("MAIL_TIMEOUT") or 10))
    try:
        if config.get("MAIL_USE_TLS"):
            smtp.starttls()
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
    except BaseException:
        smtp.close()
        raise
    return smtp


def send(token: str, claimed: list[Claimed]) -> None:
    """Send claimed rows over one connection, recording each answer as it comes."""
    config = current_app.config
    outcome = _Outcome(token)
    if not config.get("MAIL_SERVER"):
        for message in claimed:
            try:
                outcome.sent(message, _write_file(message))
            except ValueError as error:
                outcome.failed(message, f"Not written: {error}")
            except OSError as error:
                outcome.later([message], f"Could not write the file: {_describe(error)}")
        return
    waiting = list(claimed)
    try:
        smtp = _connect(config)
    except (OSError, smtplib.SMTPException) as error:
        outcome.later(waiting, f"Could not reach the mail server: {_describe(error)}")
        return
    touched = time.monotonic()
    try:
        while waiting:
            message = waiting[0]
            if time.monotonic() - touched > int(config["MAIL_SENDING_TIMEOUT"]) / 3:
                # A slow server: keep the sweep from taking these rows for abandoned.
                outcome.still_sending(waiting)
                touched = time.monotonic()
            try:
                email = build(sender=config["MAIL_DEFAULT_SENDER"], recipient=message.recipient,
                              subject=message.subject, body=message.body, message_id=message.message_id,
                              created_at=message.created_at)
            except ValueError as error:
                waiting.pop(0)
                outcome.failed(message, f"Not sent: {error}")
                continue
            try:
                smtp.send_message(email)
            except smtplib.SMTPRecipientsRefused as error:
                waiting.pop(0)
                code, text = next(iter(error.recipients.values()))
                outcome.refused(message, code, text)
            except (smtplib.SMTPSenderRefused, smtplib.SMTPDataError) as error:
                waiting.pop(0)
                outcome.refused(message, error.smtp_code, error.smtp_error)
            except smtplib.SMTPNotSupportedError as error:
                waiting.pop(0)
                outcome.failed(message, f"Not sent: {error}")
            else:
                waiting.pop(0)
                outcome.sent(message, smtp.last_answer)
    except (OSError, smtplib.SMTPException) as error:
        outcome.later(waiting, f"The mail server broke off: {_describe(error)}")
    finally:
        try:
            smtp.quit()
        except (OSError, smtplib.SMTPException):
            smtp.close()


def _describe(error: Exception) -> str:
    if isinstance(error, smtplib.SMTPResponseException):
        return f"{error.smtp_code} {_text(error.smtp_error)}"
    return f"{type(error).__name__}: {error}"


def _text(value) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def _write_file(message: Claimed) -> str:
    """The development fallback: the message as a file a person can open (same name on a resend)."""
    config = current_app.config
    email = build(sender=config["MAIL_DEFAULT_SENDER"], recipient=message.recipient, subject=message.subject,
                  body=message.body, message_id=message.message_id, created_at=message.created_at)
    folder = Path(current_app.instance_path) / "mail"
    folder.mkdir(parents=True, exist_ok=True)
    name = message.message_id.strip("<>").partition("@")[0] + ".eml"
    (folder / name).write_bytes(bytes(email))
    return f"Written to instance/mail/{name} (no MAIL_SERVER is set)"


class _Outcome:
    """Records what became of claimed rows: each update only touches a row this claim still holds."""

    def __init__(self, token: str) -> None:
        self.token = token
        self.config = current_app.config

    def _update(self, ids, **values) -> None:
        db.session.execute(update(OutboxMessage).where(
            OutboxMessage.id.in_(ids), OutboxMessage.state == "sending", OutboxMessage.claim == self.token,
        ).values(updated_at=utcnow(), **values))
        db.session.commit()

    def sent(self, message: Claimed, answer: str) -> None:
        self._update([message.id], state="sent", sent_at=utcnow(), claim=None, last_answer=answer[:2000])

    def failed(self, message: Claimed, answer: str) -> None:
        log.error("mail %s to %s failed: %s", message.id, message.recipient, answer)
        self._update([message.id], state="failed", claim=None, last_answer=answer[:2000])

    def refused(self, message: Claimed, code: int, text) -> None:
        answer = f"{code} {_text(text)}"
        if code >= 500:
            self.failed(message, f"Refused by the mail server: {answer}")
        else:
            self.later([message], f"The mail server asked to try later: {answer}")

    def still_sending(self, messages: list[Claimed]) -> None:
        self._update([m.id for m in messages], claimed_at=utcnow())

    def later(self, messages: list[Claimed], answer: str) -> None:
        """Back to queued with the next attempt after the back-off, or failed when none are left."""
        attempts = int(self.config["MAIL_RETRY_ATTEMPTS"])
        by_delay: dict[int, list[int]] = defaultdict(list)
        for message in messages:
            if message.attempts >= attempts:
                self.failed(message, f"Gave up after {message.attempts} attempts. {answer}")
            else:
                by_delay[backoff_seconds(message.attempts, self.config)].append(message.id)
        now = utcnow()
        for delay, ids in by_delay.items():
            log.warning("mail %s not sent, next attempt in %s s: %s", ids, delay, answer)
            self._update(ids, state="queued", claim=None, next_attempt_at=now + timedelta(seconds=delay),
                         last_answer=answer[:2000])
            # One more second, so that the task does not arrive a moment before the row is due.
            queue_delivery(ids, delay=delay + 1)


def backoff_seconds(attempts: int, config) -> int:
    """Seconds to wait after the ``attempts``-th attempt: the first delay, doubled, capped."""
    first, cap = int(config["MAIL_RETRY_DELAY"]), int(config["MAIL_RETRY_MAX_DELAY"])
    return min(cap, first * 2 ** max(0, attempts - 1))
