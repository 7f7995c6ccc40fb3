"""Erasing a person on request (UK GDPR article 17), by a site admin.

``erase_person`` runs every domain's eraser, then pseudonymises the person's own row: a placeholder
name, an address nobody can receive mail at or sign in with (``erased-<id>@invalid``), no
password, inactive. The row stays so that every record pointing at it (a ratification, a payment
someone recorded, a proposal someone started) stays whole and says "Former member".

Where the record itself must be kept (grant records, the audit log, the workflow history, the
round's decision record), the person's name and email are replaced where Commonpot wrote them;
each kept record is named, with why, on the admin's confirmation page (``KEPT``).
"""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext as _, lazy_gettext as _l
from sqlmodel import or_, select

from grants import audit
from grants.audit.models import AuditEvent
from grants.auth.models import Person, SignInEvent
from grants.auth.twofactor import RecoveryCode, TwoFactor
from grants.awards.models import Grant
from grants.collectives.models import Invitation, JoinRequest, Membership
from grants.db import db
from grants.mail.models import OutboxMessage
from grants.errors import Refused
from grants.organisations.models import Organisation
from grants.privacy import ERASERS, FORMER_MEMBER, Erased, on_erasure
from grants.privacy.personal_data import contains_text as _contains
from grants.review.models import ReviewMessage
from grants.rounds.models import Count
from grants.timeutil import utcnow
from grants.voting.models import Ballot, ReminderSent
from grants.workflow.models import StateHistory

PLACEHOLDER_NAME = "Former member"
FORMER_CONTACT = "Former contact (erased)"


def erased_email(person_id: int) -> str:
    # RFC 2606: .invalid never resolves, so no mail is ever delivered to it; unique per person.
    return f"erased-{person_id}@invalid"


def _typed_names(person: Person) -> tuple[str, ...]:
    """Names this person typed to sign for a grant (they may differ from the account's name)."""
    accepted = select(StateHistory.object_id).where(StateHistory.actor_id == person.id,
                                                    StateHistory.object_type == Grant.__tablename__,
                                                    StateHistory.transition == "accept")
    return tuple(name for name in db.session.exec(select(Grant.accepted_by_name).where(Grant.id.in_(accepted))).all()
                 if name)


def erase_person(person: Person, actor: Person, *, request_note: str = "") -> Person:
    """Erase ``person`` everywhere; audited (without their name) in the same transaction."""
    if person.erased_at is not None:
        raise Refused(_("This person's data has already been erased"))
    if person.id == actor.id:
        raise Refused(_("You cannot erase your own account: ask another site admin"))
    now = utcnow()
    erased = Erased(person.id, (person.name, *_typed_names(person)), person.email)
    changed = sum(eraser(erased, now) for eraser in ERASERS)
    person.name, person.email = PLACEHOLDER_NAME, erased_email(person.id)
    person.password_hash = "!"  # nosec B105  # no hash matches: nobody can sign in as them
    person.active = person.is_admin = person.wants_reminders = False
    person.erased_at = now
    db.session.add(person)
    db.session.flush()
    audit.record(actor, "person.erased", person,
                 f"Account {person.id} erased on request ({changed} records removed or pseudonymised)"
                 + (f": {erased.scrub(request_note.strip())}" if request_note.strip() else ""),
                 collective_id=None)
    return person


def _rewrite_log(table: sa.Table, erased: Erased, now, *, text_columns: tuple[str, ...],
                 json_columns: tuple[str, ...]) -> int:
    """Pseudonymise the append-only rows that name the person: the one UPDATE the database allows
    on them sets ``erased_at`` and leaves what happened, when, where and to what untouched."""
    mentions = [_contains(table.c[column], term) for column in text_columns for term in erased.terms]
    mentions += [_contains(sa.cast(table.c[column], sa.Text), term) for column in json_columns for term in erased.terms]
    rows = db.session.execute(sa.select(table).where(or_(
        table.c.actor_id == erased.person_id, _contains(table.c.actor_label, erased.email), *mentions))).mappings().all()
    for row in rows:
        values = {"actor_label": erased.label(row["actor_id"], row["actor_label"])}
        values.update({column: erased.scrub(row[column]) for column in text_columns + json_columns})
        db.session.execute(sa.update(table).where(table.c.id == row["id"]).values(**values, erased_at=now))
    return len(rows)


@on_erasure(kept=(_l("The audit log and the workflow history"),
                  _l("They are the collective's record of who changed what, and the database refuses to delete "
                     "them. Every entry stays, with “a former member” in place of the name and email.")))
def _logs(erased: Erased, now) -> int:
    return (_rewrite_log(AuditEvent.__table__, erased, now, text_columns=("summary",), json_columns=("before", "after"))
            + _rewrite_log(StateHistory.__table__, erased, now, text_columns=("reason",), json_columns=("payload",)))


@on_erasure(kept=(_l("Their ballots"),
                  _l("They still count in the rounds they were cast in, linked to nobody: the count reads the "
                     "marks, never who made them.")))
def _ballots(erased: Erased, _now) -> int:
    table = Ballot.__table__
    detached = db.session.execute(sa.update(table).where(table.c.member_id == erased.person_id)
                                  .values(member_id=None)).rowcount
    db.session.execute(sa.delete(ReminderSent).where(ReminderSent.member_id == erased.person_id))
    return detached


@on_erasure()
def _memberships(erased: Erased, _now) -> int:
    return db.session.execute(sa.delete(Membership).where(Membership.person_id == erased.person_id)).rowcount


@on_erasure(kept=(_l("Their requests to join and invitations"),
                  _l("Each decision stays in the collective's history; their message and address are removed.")))
def _joining(erased: Erased, _now) -> int:
    cleared = db.session.execute(sa.update(JoinRequest).where(JoinRequest.person_id == erased.person_id)
                                 .values(message="")).rowcount
    return cleared + db.session.execute(sa.update(Invitation).where(
        sa.func.lower(Invitation.email) == erased.email.lower()).values(email=erased_email(erased.person_id))).rowcount


@on_erasure(kept=(_l("Organisations they were the contact for"),
                  _l("The organisation stays in the collective with its grants; its contact details are removed, "
                     "so a facilitator should ask it for a new contact.")))
def _contacts(erased: Erased, _now) -> int:
    return db.session.execute(sa.update(Organisation).where(
        sa.func.lower(Organisation.contact_email) == erased.email.lower()).values(
        contact_name=FORMER_CONTACT, contact_email=erased_email(erased.person_id), contact_phone="")).rowcount


@on_erasure(kept=(_l("Grant records: offers, acceptances, payments and reports, and the proposals they started"),
                  _l("The collective must account for the money it gives (keep them at least six years); "
                     "they belong to the organisation. An acceptance keeps its date, not the name typed.")))
def _grants(erased: Erased, _now) -> int:
    changed = 0
    for grant in db.session.exec(select(Grant).where(sa.func.lower(Grant.accepted_by_name).in_(
            [name.lower() for name in erased.names]))).all():
        grant.accepted_by_name = FORMER_MEMBER
        db.session.add(grant)
        changed += 1
    for count in db.session.exec(select(Count).where(_contains(Count.run_by, erased.email))).all():
        count.run_by = FORMER_MEMBER
        db.session.add(count)
        changed += 1
    return changed


@on_erasure(kept=(_l("Their reviews of allocations"),
                  _l("Ratifications and review messages stay with the round as its decision record, "
                     "under “a former member”.")))
def _reviews(erased: Erased, _now) -> int:
    messages = db.session.exec(select(ReviewMessage).where(or_(
        ReviewMessage.author_id == erased.person_id, *[_contains(ReviewMessage.text, t) for t in erased.terms]))).all()
    for message in messages:
        message.author_label = erased.label(message.author_id, message.author_label)
        message.text = erased.scrub(message.text)
        db.session.add(message)
    return len(messages)


@on_erasure()
def _sign_ins(erased: Erased, _now) -> int:
    """Sign-in attempts hold network addresses: they go, as does two-factor sign-in (nobody signs in again)."""
    removed = db.session.execute(sa.delete(SignInEvent).where(SignInEvent.person_id == erased.person_id)).rowcount
    removed += db.session.execute(sa.delete(RecoveryCode).where(RecoveryCode.person_id == erased.person_id)).rowcount
    return removed + db.session.execute(sa.delete(TwoFactor).where(TwoFactor.person_id == erased.person_id)).rowcount


@on_erasure()
def _mail(erased: Erased, _now) -> int:
    """Email to them is a delivery record, not a record the collective keeps: it goes, sent or not.
    Email to others that names them (a facilitator told of their join request) is scrubbed."""
    removed = db.session.execute(sa.delete(OutboxMessage).where(
        sa.func.lower(OutboxMessage.recipient) == erased.email.lower())).rowcount
    mentions = db.session.exec(select(OutboxMessage).where(or_(*(
        _contains(column, term) for term in erased.terms for column in (OutboxMessage.subject, OutboxMessage.body))))).all()
    for message in mentions:
        message.subject, message.body = erased.scrub(message.subject), erased.scrub(message.body)
        db.session.add(message)
    return removed + len(mentions)
