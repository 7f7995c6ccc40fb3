"""Read-side helpers for collectives; each is one query whatever the size of the collective."""

from __future__ import annotations

from flask import abort
from sqlalchemy import bindparam
from sqlmodel import select

from grants import permissions
from grants.auth.models import Person
from grants.collectives.models import Collective, Invitation, JoinRequest, Membership, Outcome, Theme
from grants.db import db
from grants.organisations.models import Organisation


def collective_by_slug(slug: str) -> Collective:
    collective = db.session.exec(select(Collective).where(Collective.slug == slug)).first()
    if collective is None:
        abort(404)
    return collective


def collective_for(person, slug: str, predicate=permissions.can_view_collective) -> Collective:
    """The collective named by the URL, if ``predicate`` lets this person in; 403 otherwise."""
    collective = collective_by_slug(slug)
    if not predicate(person, collective):
        abort(403)
    return collective


def in_collective(model, object_id: int, collective: Collective):
    """Load a row by id only if it belongs to this collective (404 otherwise, leaking nothing)."""
    row = db.session.get(model, object_id)
    if row is None or row.collective_id != collective.id:
        abort(404)
    return row


_COLLECTIVE_AND_ROW: dict[type, object] = {}


def collective_and_row(person, slug: str, model, object_id: int, predicate=permissions.can_view_collective):
    """``collective_for`` and ``in_collective`` in one query, with the person's membership.

    The collective named by the URL, the row of ``model`` with this id in it (404 if either is
    missing or the row is another collective's), and a 403 unless ``predicate`` lets this person
    in. The membership read here is handed to :mod:`grants.permissions`, so checks that follow
    in this request run no query of their own.
    """
    # Built once per model: building it (and its cache key) costs more than running it. The ballot
    # POST took 4%, 12% and 17% more CPU with it built per request (one process, SQLite, A/B
    # interleaved in chunks of 100 requests, load average ~8).
    if model not in _COLLECTIVE_AND_ROW:
        _COLLECTIVE_AND_ROW[model] = (
            select(Collective, model, Membership)
            .outerjoin(model, (model.id == bindparam("object_id")) & (model.collective_id == Collective.id))
            .outerjoin(Membership, (Membership.collective_id == Collective.id)
                       & (Membership.person_id == bindparam("person_id")))
            .where(Collective.slug == bindparam("slug")))
    found = db.session.execute(_COLLECTIVE_AND_ROW[model],
                               {"object_id": object_id, "person_id": person.id, "slug": slug}).first()
    if found is None:
        abort(404)
    collective, row, membership = found
    permissions.remember(person, collective.id, membership)
    if not predicate(person, collective):
        abort(403)
    if row is None:
        abort(404)
    return collective, row


def my_collectives(person) -> list[tuple[Collective, Membership]]:
    rows = db.session.exec(
        select(Collective, Membership)
        .join(Membership, Membership.collective_id == Collective.id)
        .where(Membership.person_id == person.id)
        .order_by(Collective.name)
    ).all()
    return list(rows)


def all_collectives() -> list[Collective]:
    return list(db.session.exec(select(Collective).order_by(Collective.name)).all())


def themes(collective: Collective, include_retired: bool = False) -> list[Theme]:
    query = select(Theme).where(Theme.collective_id == collective.id)
    if not include_retired:
        query = query.where(Theme.retired == False)  # noqa: E712 - SQL expression
    return list(db.session.exec(query.order_by(Theme.position, Theme.id)).all())


def outcomes(collective: Collective) -> list[Outcome]:
    query = (select(Outcome).where(Outcome.collective_id == collective.id, Outcome.retired == False)  # noqa: E712
             .order_by(Outcome.position, Outcome.id))
    return list(db.session.exec(query).all())


def people(collective: Collective) -> list[tuple[Membership, Person, Organisation | None]]:
    rows = db.session.exec(
        select(Membership, Person, Organisation)
        .join(Person, Person.id == Membership.person_id)
        .join(Organisation, Organisation.id == Membership.organisation_id, isouter=True)
        .where(Membership.collective_id == collective.id)
        .order_by(Person.name)
    ).all()
    return list(rows)


def acting_for(organisation_id: int, collective_id: int, *, reminders_only: bool = False) -> list[Person]:
    """The active people who act for an organisation of the collective (its applicants); with
    ``reminders_only``, those of them who have not turned reminders off."""
    query = (select(Person).join(Membership, Membership.person_id == Person.id)
             .where(Membership.collective_id == collective_id, Membership.organisation_id == organisation_id,
                    Membership.is_applicant == True, Person.active == True))  # noqa: E712
    if reminders_only:
        query = query.where(Person.wants_reminders == True)  # noqa: E712
    return list(db.session.exec(query).all())


def organisation_recipients(organisation: Organisation, collective_id: int) -> dict[str, str]:
    """Who is written to about an organisation's proposal or grant: its contact and the people who act
    for it in the collective, each address once (email -> name)."""
    return {organisation.contact_email: organisation.contact_name,
            **{p.email: p.name for p in acting_for(organisation.id, collective_id)}}


def facilitators(collective: Collective) -> list[Person]:
    return list(db.session.exec(
        select(Person).join(Membership, Membership.person_id == Person.id)
        .where(Membership.collective_id == collective.id, Membership.is_facilitator == True,  # noqa: E712
               Person.active == True)  # noqa: E712
    ).all())


def join_requests(collective: Collective, state: str | None = None):
    query = (select(JoinRequest, Person, Organisation)
             .join(Person, Person.id == JoinRequest.person_id)
             .join(Organisation, Organisation.id == JoinRequest.organisation_id)
             .where(JoinRequest.collective_id == collective.id))
    if state:
        query = query.where(JoinRequest.state == state)
    return list(db.session.exec(query.order_by(JoinRequest.created_at.desc())).all())


def pending_join_request(collective: Collective, person) -> JoinRequest | None:
    return db.session.exec(select(JoinRequest).where(
        JoinRequest.collective_id == collective.id, JoinRequest.person_id == person.id,
        JoinRequest.state == "pending")).first()


def open_invitations(collective: Collective) -> list[Invitation]:
    return list(db.session.exec(
        select(Invitation).where(Invitation.collective_id == collective.id, Invitation.state == "sent")
        .order_by(Invitation.created_at.desc())).all())


def organisations(collective: Collective, status: str = "active") -> list[Organisation]:
    return list(db.session.exec(
        select(Organisation).where(Organisation.collective_id == collective.id, Organisation.status == status)
        .order_by(Organisation.name)).all())
