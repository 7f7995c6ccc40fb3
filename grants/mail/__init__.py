"""Outgoing email: a row in the outbox, written in the transaction of the change that causes it.

``queue_mail`` renders a template from ``templates/emails/`` and adds an :class:`OutboxMessage`
to the current database session; ``queue_body`` does the same with a body already rendered (a
package that keeps its email templates beside its pages renders them itself). The rows commit
with the change, or vanish with its rollback: a failed request never tells anybody anything, and
a session silenced by :func:`silence_mail` queues nothing. Once the transaction commits, a task
(:mod:`grants.mail.delivery`) sends the messages, retrying with back-off while the SMTP server is
unreachable; without ``MAIL_SERVER`` each is written as an ``.eml`` file to ``instance/mail/``.

Each message belongs to a collective when its cause does (its facilitators see it if it fails);
``queue_mail`` finds the collective in the template's context (``collective``, or the
``round``/``proposal``/``grant``/… it is about) unless ``collective_id`` says.

An email is written in its recipient's language: the preferred language of the account with that
address when Commonpot speaks it, else English (an invitation to someone with no account yet). The
subject (a lazy string, ``_l("… %(round)s", round=…)``) and the body are rendered inside
:func:`in_language_of`, so dates and money in them come out in that language too; values that
need the language to be written (a date given to the template) are passed as :func:`later`.
"""

from __future__ import annotations

from contextlib import contextmanager
from email.utils import make_msgid, parseaddr

from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel.speaklater import LazyString
from sqlalchemy import event, func
from sqlalchemy.orm import Session
from sqlmodel import select

from grants.db import db
from grants.mail import delivery
from grants.mail.headers import clean_header
from grants.mail.models import OutboxMessage

_OUTBOX = "commonpot_outbox"
_SILENT = "commonpot_mail_silenced"
# Context values an email is about, whose collective it belongs to (in this order).
_CAUSES = ("collective", "round", "proposal", "grant", "report", "invitation", "join", "cycle")

__all__ = ["OutboxMessage", "in_language_of", "later", "queue_body", "queue_mail", "recipient_language",
           "silence_mail"]


def silence_mail() -> None:
    """Queue no mail in this session (seeding demo data must not email its made-up people)."""
    db.session.info[_SILENT] = True


def queue_mail(to: str, subject, template: str, *, collective_id: int | None = None,
               language: str | None = None, **context) -> OutboxMessage:
    """Render ``templates/emails/<template>`` in the recipient's language and queue it, to be sent
    after the commit. ``language`` overrides the recipient's (a caller who knows it better)."""
    if collective_id is None:
        collective_id = _collective_of(context)
    with in_language_of(to, language, context):
        body = render_template(f"emails/{template}", **context)
        subject = str(subject)
    return queue_body(to, subject, body, collective=collective_id)


def queue_body(to: str, subject, body: str, *, collective=None) -> OutboxMessage:
    """Queue a message whose plain-text ``body`` is already rendered, to be sent after the commit.

    ``collective`` (a collective or its id) is whose failed-mail page shows it; none for mail
    about a person's account. The subject is put on one line, whatever it contains (a lazy
    subject is written now: render the body and the subject inside :func:`in_language_of`).
    """
    collective_id = getattr(collective, "id", collective)
    message = OutboxMessage(message_id=make_msgid(domain=_message_id_domain()), collective_id=collective_id,
                            recipient=clean_header(to), subject=clean_header(str(subject)), body=body)
    if not db.session.info.get(_SILENT):
        if not db.session.in_transaction():
            # Begin now, or a rollback before any SQL would have no transaction to end, fire no
            # event, and leave this mail queued for the next commit.
            db.session.begin()
        db.session.add(message)
        db.session.info.setdefault(_OUTBOX, []).append(message)
    return message


def recipient_language(to: str, context: dict | None = None) -> str:
    """The language to write to ``to`` in: their account's preferred language when the interface
    speaks it, else English (an address with no account, a language with no translation)."""
    from grants.auth.models import Person
    from grants.i18n import DEFAULT, supported

    address = (to or "").strip().lower()
    # The person the email is about is usually in its context, perhaps not flushed yet.
    person = next((value for value in (context or {}).values()
                   if isinstance(value, Person) and (value.email or "").lower() == address), None)
    if person is None and address:
        with db.session.no_autoflush:
            person = db.session.exec(select(Person).where(func.lower(Person.email) == address)).first()
    return supported(getattr(person, "preferred_language", None)) or DEFAULT


@contextmanager
def in_language_of(to: str, language: str | None = None, context: dict | None = None):
    """Write what is rendered inside in the language of ``to`` (or ``language``, when the interface
    speaks it): in a request whatever its own language, and in the worker or the scheduler."""
    from grants.i18n import supported

    with force_locale(supported(language) or recipient_language(to, context)):
        yield


def later(function, *args, **kwargs) -> LazyString:
    """A value written when the email is rendered, in its recipient's language:
    ``closes=later(format_datetime, round_.voting_closes_at)``."""
    return LazyString(function, *args, **kwargs)


def _collective_of(context: dict) -> int | None:
    for key in _CAUSES:
        cause = context.get(key)
        if cause is None:
            continue
        if key == "collective":
            return getattr(cause, "id", None)
        if getattr(cause, "collective_id", None) is not None:
            return cause.collective_id
    return None


def _message_id_domain() -> str:
    """The sender's domain: Message-IDs of one site look alike, and make_msgid's default would
    look the host's name up in DNS on every message."""
    _name, address = parseaddr(current_app.config.get("MAIL_DEFAULT_SENDER") or "")
    domain = address.rpartition("@")[2]
    return domain or "commonpot.local"


@event.listens_for(Session, "before_commit")
def _deliver_after_commit(session: Session) -> None:
    # A savepoint's commit is not the end: the rows wait for the outermost commit.
    if session.in_nested_transaction() or not session.info.get(_OUTBOX):
        return
    messages = session.info.pop(_OUTBOX)
    session.flush()
    # Messages rolled back with a savepoint have left the session and have no row to send.
    ids = [m.id for m in messages if m in session and m.id is not None]
    delivery.queue_delivery(ids)


@event.listens_for(Session, "after_soft_rollback")
def _discard_after_rollback(session: Session, previous_transaction) -> None:
    # "soft": also when nothing had reached the database yet, so there was no DBAPI rollback
    # (``after_rollback`` would not fire, and the list would carry over to the next commit).
    # A savepoint rolled back keeps the list: mail queued before it still stands.
    if not previous_transaction.nested:
        session.info.pop(_OUTBOX, None)
