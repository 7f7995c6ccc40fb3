"""Everything Commonpot holds about one person, section by section, as plain values.

A person sees their own ballots here, and only their own: this is the one place a ballot is shown
beside a name, and only to the person who cast it (or on whose behalf it was entered on paper).
"""

from __future__ import annotations

import re

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlmodel import or_, select

from grants.audit.models import AuditEvent
from grants.auth.models import Person
from grants.awards.models import Grant
from grants.collectives.models import Collective, Invitation, JoinRequest, Membership
from grants.db import db
from grants.money import format_pence
from grants.organisations.models import Organisation
from grants.privacy import SECTIONS, section
from grants.proposals.models import Proposal
from grants.reporting.models import Report
from grants.review.models import Ratification, ReviewMessage
from grants.rounds.models import Round
from grants.voting.models import Ballot, BallotMark, ReminderSent
from grants.workflow.models import StateHistory


def personal_data(person: Person) -> dict[str, dict]:
    """Every section, in order: ``{key: {"title": ..., "rows": [...]}}``."""
    return {s.key: {"title": s.title, "rows": s.rows(person)} for s in SECTIONS}


def _collective_names() -> dict[int, str]:
    return dict(db.session.exec(select(Collective.id, Collective.name)).all())


def contains_text(column, text: str):
    """Case-insensitive substring match on both databases, with LIKE's wildcards escaped."""
    return sa.func.lower(column).contains(text.lower(), autoescape=True)


@section("account", _l("Your account"))
def _account(person: Person) -> list[dict]:
    return [{"name": person.name, "email": person.email, "preferred_language": person.preferred_language,
             "wants_reminders": person.wants_reminders, "site_admin": person.is_admin, "active": person.active,
             "created_at": person.created_at}]


@section("memberships", _l("Your memberships of collectives"))
def _memberships(person: Person) -> list[dict]:
    rows = db.session.exec(select(Membership, Collective.name, Organisation.name)
                           .join(Collective, Collective.id == Membership.collective_id)
                           .outerjoin(Organisation, Organisation.id == Membership.organisation_id)
                           .where(Membership.person_id == person.id).order_by(Collective.name)).all()
    return [{"collective": collective, "roles": sorted(m.roles), "organisation": organisation, "joined_at": m.joined_at}
            for m, collective, organisation in rows]


@section("contact_for", _l("Organisations you are the contact for"))
def _contact_for(person: Person) -> list[dict]:
    names = _collective_names()
    organisations = db.session.exec(select(Organisation).where(
        sa.func.lower(Organisation.contact_email) == person.email.lower()).order_by(Organisation.name)).all()
    return [{"collective": names.get(o.collective_id), "organisation": o.name, "contact_name": o.contact_name,
             "contact_email": o.contact_email, "contact_phone": o.contact_phone, "postcode": o.postcode,
             "ward": o.ward, "status": o.status} for o in organisations]


@section("join_requests", _l("Your requests to join a collective"))
def _join_requests(person: Person) -> list[dict]:
    rows = db.session.exec(select(JoinRequest, Collective.name, Organisation.name)
                           .join(Collective, Collective.id == JoinRequest.collective_id)
                           .join(Organisation, Organisation.id == JoinRequest.organisation_id)
                           .where(JoinRequest.person_id == person.id).order_by(JoinRequest.id)).all()
    return [{"collective": collective, "organisation": organisation, "message": j.message, "state": j.state,
             "decision_reason": j.decision_reason, "asked_at": j.created_at, "decided_at": j.decided_at}
            for j, collective, organisation in rows]


@section("invitations", _l("Invitations sent to you"))
def _invitations(person: Person) -> list[dict]:
    names = _collective_names()
    invitations = db.session.exec(select(Invitation).where(or_(
        sa.func.lower(Invitation.email) == person.email.lower(), Invitation.accepted_by_id == person.id))
        .order_by(Invitation.id)).all()
    return [{"collective": names.get(i.collective_id), "email": i.email, "roles": sorted(i.roles), "state": i.state,
             "sent_at": i.created_at, "expires_at": i.expires_at, "accepted_at": i.accepted_at} for i in invitations]


@section("ballots", _l("Your ballots"))
def _ballots(person: Person) -> list[dict]:
    rows = db.session.exec(select(Ballot, Round.name, Round.collective_id).join(Round, Round.id == Ballot.round_id)
                           .where(Ballot.member_id == person.id).order_by(Ballot.round_id)).all()
    names = _collective_names()
    found = []
    for ballot, round_name, collective_id in rows:
        marks = db.session.exec(select(Proposal.title, BallotMark.value)
                                .join(Proposal, Proposal.id == BallotMark.proposal_id)
                                .where(BallotMark.ballot_id == ballot.id).order_by(Proposal.title)).all()
        found.append({"collective": names.get(collective_id), "round": round_name,
                      "kind": "paper (entered by a facilitator)" if ballot.is_paper else "online",
                      "saved_at": ballot.updated_at, "marks": {title: value for title, value in marks}})
    return found


@section("reminders", _l("Voting reminders sent to you"))
def _reminders(person: Person) -> list[dict]:
    rows = db.session.exec(select(ReminderSent, Round.name).join(Round, Round.id == ReminderSent.round_id)
                           .where(ReminderSent.member_id == person.id).order_by(ReminderSent.id)).all()
    return [{"round": round_name, "kind": r.kind, "sent_at": r.sent_at} for r, round_name in rows]


@section("proposals", _l("Proposals you started"))
def _proposals(person: Person) -> list[dict]:
    rows = db.session.exec(select(Proposal, Round.name, Organisation.name)
                           .join(Round, Round.id == Proposal.round_id)
                           .join(Organisation, Organisation.id == Proposal.organisation_id)
                           .where(Proposal.created_by_id == person.id).order_by(Proposal.id)).all()
    return [{"round": round_name, "organisation": organisation, "title": p.title, "summary": p.summary,
             "amount_requested": format_pence(p.amount_requested), "state": p.state, "started_at": p.created_at}
            for p, round_name, organisation in rows]


def _objects_moved_by(person: Person, object_type: str, transitions: tuple[str, ...]) -> list[int]:
    return list(db.session.exec(select(StateHistory.object_id).distinct().where(
        StateHistory.actor_id == person.id, StateHistory.object_type == object_type,
        StateHistory.transition.in_(transitions))).all())


@section("grants_accepted", _l("Grants you accepted for your organisation"))
def _grants_accepted(person: Person) -> list[dict]:
    ids = _objects_moved_by(person, "grant", ("accept",))
    rows = db.session.exec(select(Grant, Organisation.name).join(Organisation, Organisation.id == Grant.organisation_id)
                           .where(Grant.id.in_(ids)).order_by(Grant.id)).all() if ids else []
    return [{"organisation": organisation, "amount": format_pence(g.amount), "name_you_typed": g.accepted_by_name,
             "accepted_at": g.accepted_at, "state": g.state} for g, organisation in rows]


@section("reports", _l("Grant reports you submitted"))
def _reports(person: Person) -> list[dict]:
    ids = _objects_moved_by(person, "report", ("submit",))
    reports = db.session.exec(select(Report).where(Report.id.in_(ids)).order_by(Report.id)).all() if ids else []
    return [{"grant": r.grant_id, "kind": r.kind, "state": r.state, "submitted_at": r.submitted_at,
             "what_happened": r.what_happened, "story": r.story, "people_reached": r.people_reached} for r in reports]


@section("reviews", _l("Your reviews of allocations"))
def _reviews(person: Person) -> list[dict]:
    rounds = dict(db.session.exec(select(Round.id, Round.name)).all())
    ratified = db.session.exec(select(Ratification).where(Ratification.reviewer_id == person.id)
                               .order_by(Ratification.id)).all()
    written = db.session.exec(select(ReviewMessage).where(ReviewMessage.author_id == person.id)
                              .order_by(ReviewMessage.id)).all()
    return ([{"round": rounds.get(r.round_id), "what": "ratified", "text": r.note, "at": r.at} for r in ratified]
            + [{"round": rounds.get(m.round_id), "what": m.kind, "text": m.text, "at": m.at} for m in written])


_LABEL_EMAIL = re.compile(r"\s*<[^>]*>$")


def audit_rows_about(person: Person):
    """Audit rows they made, rows about their account, and rows that name them."""
    return select(AuditEvent).where(or_(
        AuditEvent.actor_id == person.id,
        (AuditEvent.object_type == Person.__tablename__) & (AuditEvent.object_id == person.id),
        contains_text(AuditEvent.summary, person.email), contains_text(AuditEvent.summary, person.name),
        contains_text(AuditEvent.actor_label, person.email)))


@section("audit", _l("Audit log entries about you"))
def _audit(person: Person) -> list[dict]:
    names = _collective_names()
    rows = db.session.exec(audit_rows_about(person).order_by(AuditEvent.at, AuditEvent.id)).all()
    # Who acted is shown by name: another person's email address is theirs, not this person's.
    return [{"at": e.at, "collective": names.get(e.collective_id),
             "by": e.actor_label if e.actor_id == person.id else _LABEL_EMAIL.sub("", e.actor_label),
             "action": e.action, "summary": e.summary} for e in rows]


@section("history", _l("Steps you took in workflows"))
def _history(person: Person) -> list[dict]:
    rows = db.session.exec(select(StateHistory).where(StateHistory.actor_id == person.id)
                           .order_by(StateHistory.at, StateHistory.id)).all()
    return [{"at": h.at, "workflow": h.workflow, "object": f"{h.object_type} {h.object_id}",
             "transition": h.transition, "from": h.from_state, "to": h.to_state, "reason": h.reason} for h in rows]


@section("sign_ins", _l("Your recent sign-ins"))
def _sign_ins(person: Person) -> list[dict]:
    from grants.auth.models import SignInEvent

    rows = db.session.exec(select(SignInEvent).where(SignInEvent.person_id == person.id)
                           .order_by(SignInEvent.at.desc()).limit(100)).all()
    return [{"at": row.at, "succeeded": row.succeeded, "outcome": row.outcome, "address": row.address} for row in rows]


@section("two_factor", _l("Two-factor sign-in"))
def _two_factor(person: Person) -> list[dict]:
    from grants.auth.twofactor import TwoFactor

    found = db.session.exec(select(TwoFactor).where(TwoFactor.person_id == person.id)).first()
    # Never the secret nor the recovery codes' hashes: what is held, not the keys themselves.
    return [{"on_since": found.created_at}] if found else []


@section("mail", _l("Email sent to you"))
def _mail(person: Person) -> list[dict]:
    from grants.mail.models import OutboxMessage

    rows = db.session.exec(select(OutboxMessage).where(sa.func.lower(OutboxMessage.recipient) == person.email.lower())
                           .order_by(OutboxMessage.id.desc()).limit(200)).all()
    return [{"subject": row.subject, "state": row.state, "queued_at": row.created_at} for row in rows]
