"""Operations on collectives, memberships, join requests and invitations.

These are the only functions that change these rows. Each one validates, changes, flushes,
writes its audit row and queues its emails; the caller commits (so email goes out after commit).
"""

from __future__ import annotations

from datetime import timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError
from flask_babel import gettext as _
from sqlmodel import select

from grants import audit, permissions
from grants.auth.models import Person, normalise_email
from grants.auth.tokens import hash_token, new_invitation_token
from grants.collectives import queries
from grants.collectives.models import Collective, Invitation, JoinRequest, Membership, Outcome, Theme
from grants.db import db
from grants.urls import external_url
from grants.errors import Refused
from grants.mail import queue_mail
from grants.organisations.models import Organisation
from grants.timeutil import utcnow
from grants.workflow.operations import effect, fire

ROLE_NAMES = ("member", "facilitator", "reviewer", "applicant")


def create_collective(*, name: str, slug: str, locality: str, facilitator: Person, actor: Person,
                      description: str = "") -> Collective:
    if db.session.exec(select(Collective).where(Collective.slug == slug)).first() is not None:
        raise Refused(_("That short name is already used by another collective"), field="slug")
    collective = Collective(name=name, slug=slug, locality=locality, description=description)
    db.session.add(collective)
    try:
        db.session.flush()
    except IntegrityError as exc:
        db.session.rollback()
        raise Refused(_("That short name is already used by another collective"), field="slug") from exc
    membership = Membership(collective_id=collective.id, person_id=facilitator.id, is_facilitator=True)
    db.session.add(membership)
    db.session.flush()
    audit.record(actor, "collective.created", collective, f"Collective {name} created",
                 after={"name": name, "slug": slug, "facilitator": facilitator.email})
    return collective


def update_collective(collective: Collective, *, name: str, locality: str, description: str,
                      theme_lines: list[str], outcome_lines: dict[str, list[str]], actor: Person,
                      requires_two_factor: bool | None = None, contact: dict[str, str] | None = None,
                      variation_limits: dict[str, int] | None = None) -> None:
    """Change a collective's details, themes and theory of change, and (unless None) whether its
    facilitators and reviewers must use two-factor sign-in.

    Themes and outcomes are matched by their text: a new line adds one, a missing line retires
    it (rounds and reports that used it keep pointing at it), and order follows the lines.
    """
    before = {"name": collective.name, "locality": collective.locality, "description": collective.description}
    if requires_two_factor is not None and requires_two_factor != collective.requires_two_factor:
        _set_two_factor_requirement(collective, requires_two_factor, actor)
    collective.name, collective.locality, collective.description = name, locality, description
    # the letterhead (``postal_address``, ``contact_email``, ``contact_phone``), when given
    contact_before = {key: getattr(collective, key) for key in (contact or {})}
    before.update(contact_before)
    for key, value in (contact or {}).items():
        setattr(collective, key, value.strip())
    # what a facilitator may approve alone (``variation_move_percent``, ``variation_date_months``)
    before.update({key: getattr(collective, key) for key in (variation_limits or {})})
    for key, value in (variation_limits or {}).items():
        setattr(collective, key, value)
    db.session.add(collective)

    existing_themes = {t.name.lower(): t for t in queries.themes(collective, include_retired=True)}
    kept = set()
    for position, line in enumerate(theme_lines):
        theme = existing_themes.get(line.lower())
        if theme is None:
            theme = Theme(collective_id=collective.id, name=line)
        theme.name, theme.position, theme.retired = line, position, False
        kept.add(line.lower())
        db.session.add(theme)
    for key, theme in existing_themes.items():
        if key not in kept and not theme.retired:
            theme.retired = True
            db.session.add(theme)

    existing_outcomes = {(o.term, o.text.lower()): o for o in db.session.exec(
        select(Outcome).where(Outcome.collective_id == collective.id)).all()}
    kept_outcomes = set()
    position = 0
    for term in ("short", "medium", "long"):
        for line in outcome_lines.get(term, []):
            outcome = existing_outcomes.get((term, line.lower())) or Outcome(
                collective_id=collective.id, term=term, text=line)
            outcome.position, outcome.retired = position, False
            position += 1
            kept_outcomes.add((term, line.lower()))
            db.session.add(outcome)
    for key, outcome in existing_outcomes.items():
        if key not in kept_outcomes and not outcome.retired:
            outcome.retired = True
            db.session.add(outcome)
    db.session.flush()
    audit.record(actor, "collective.updated", collective, "Collective details, themes or theory of change changed",
                 before=before, after={"name": name, "locality": locality, "description": description,
                                       "themes": theme_lines, "outcomes": outcome_lines, **(contact or {}),
                                       **(variation_limits or {})})


def _set_two_factor_requirement(collective: Collective, required: bool, actor: Person) -> None:
    from grants.auth import twofactor

    if required and not twofactor.is_enabled(actor):
        # Otherwise the facilitator saving it would be sent away from the page they are on.
        raise Refused(_("Turn on two-factor sign-in for your own account first (on your account page)"),
                      field="requires_two_factor")
    collective.requires_two_factor = required
    audit.record(actor, "collective.two_factor_required" if required else "collective.two_factor_not_required",
                 collective, "Facilitators and reviewers " + ("must now use" if required else "no longer must use")
                 + " two-factor sign-in", collective_id=collective.id, before={"requires_two_factor": not required},
                 after={"requires_two_factor": required})


def request_to_join(collective: Collective, person: Person, organisation_values: dict, message: str) -> JoinRequest:
    if permissions.can_view_collective(person, collective):
        raise Refused(_("You already belong to this collective"))
    if queries.pending_join_request(collective, person) is not None:
        raise Refused(_("You have already asked to join. A facilitator will decide soon."))
    taken = db.session.exec(select(Organisation).where(
        Organisation.collective_id == collective.id, Organisation.name == organisation_values["name"])).first()
    if taken is not None:
        raise Refused(_("An organisation with this name is already in the collective. If it is yours, "
                        "ask its contact or a facilitator to invite you."), field="name")
    organisation = Organisation(collective_id=collective.id, status="pending", **organisation_values)
    db.session.add(organisation)
    db.session.flush()
    join = JoinRequest(collective_id=collective.id, person_id=person.id, organisation_id=organisation.id,
                       message=message)
    db.session.add(join)
    db.session.flush()
    audit.record(person, "join_request.created", join,
                 f"{organisation.name} asked to join", after={"organisation": organisation.name})
    link = external_url("collectives.join_request", slug=collective.slug, request_id=join.id)
    for facilitator in queries.facilitators(collective):
        queue_mail(facilitator.email, _l("%(organisation)s has asked to join %(collective)s",
                                         organisation=organisation.name, collective=collective.name),
                   "join_request_received.txt", facilitator=facilitator, collective=collective,
                   organisation=organisation, requester=person, message=message, link=link)
    return join


def decide_join_request(join: JoinRequest, *, approve: bool, reason: str, actor: Person) -> None:
    """Approve (the organisation becomes active; the requester a member and applicant for it)
    or decline (with a reason the requester sees), through the ``join_request`` workflow."""
    reason = reason.strip()
    fire(join, "approve" if approve else "decline", actor, data={"reason": reason},
         changes={"decision_reason": reason, "decided_by_id": actor.id, "decided_at": utcnow()})
    collective = db.session.get(Collective, join.collective_id)
    organisation = db.session.get(Organisation, join.organisation_id)
    requester = db.session.get(Person, join.person_id)
    if not approve:
        organisation.status = "declined"
        db.session.add(organisation)
    queue_mail(requester.email,
               _l("Your request to join %(collective)s was approved", collective=collective.name) if approve
               else _l("Your request to join %(collective)s was declined", collective=collective.name),
               "join_request_decided.txt", person=requester, collective=collective,
               organisation=organisation, approved=approve, reason=reason,
               link=external_url("collectives.show", slug=collective.slug))


@effect("admit_organisation")
def _admit_organisation(join: JoinRequest, _move, _actor) -> None:
    organisation = db.session.get(Organisation, join.organisation_id)
    requester = db.session.get(Person, join.person_id)
    organisation.status = "active"
    membership = permissions.membership(requester, join.collective_id)
    if membership is None:
        membership = Membership(collective_id=join.collective_id, person_id=requester.id)
    membership.is_member = membership.is_applicant = True
    membership.organisation_id = organisation.id
    db.session.add_all([organisation, membership])
    permissions.forget(requester)


def withdraw_join_request(join: JoinRequest, actor: Person) -> None:
    fire(join, "withdraw", actor)
    organisation = db.session.get(Organisation, join.organisation_id)
    organisation.status = "declined"
    db.session.add(organisation)


def invite(collective: Collective, *, email: str, roles: list[str], organisation_id: int | None,
           actor: Person) -> Invitation:
    roles = [r for r in ROLE_NAMES if r in roles]
    if not roles:
        raise Refused(_("Choose at least one role"), field="roles")
    if organisation_id is not None:
        queries.in_collective(Organisation, organisation_id, collective)
    email = normalise_email(email)
    existing = db.session.exec(select(Person).where(Person.email == email)).first()
    if existing is not None and permissions.membership(existing, collective) is not None:
        raise Refused(_("This person already belongs to the collective. Change their roles on the People page."),
                      field="email")
    token, token_hash = new_invitation_token()
    days = current_app.config["INVITATION_DAYS"]
    invitation = Invitation(collective_id=collective.id, email=email, roles=roles, organisation_id=organisation_id,
                            token_hash=token_hash, invited_by_id=actor.id,
                            expires_at=utcnow() + timedelta(days=days))
    db.session.add(invitation)
    db.session.flush()
    audit.record(actor, "invitation.sent", invitation, f"Invited {email} as {', '.join(roles)}",
                 after={"email": email, "roles": roles, "organisation_id": organisation_id})
    queue_mail(email, _l("You are invited to join %(collective)s on Commonpot", collective=collective.name),
               "invitation.txt",
               collective=collective, inviter=actor, roles=roles, days=days,
               link=external_url("collectives.invitation", token=token))
    return invitation


def invitation_for_token(token: str) -> Invitation | None:
    return db.session.exec(select(Invitation).where(Invitation.token_hash == hash_token(token))).first()


def check_invitation(invitation: Invitation | None) -> Invitation:
    """The invitation behind a link, or Refused saying plainly why the link cannot be used."""
    if invitation is None:
        raise Refused(_("This invitation link is not valid. Check you copied the whole link from the email."))
    if invitation.state == "accepted":
        raise Refused(_("This invitation has already been used."))
    if invitation.state == "revoked":
        raise Refused(_("This invitation was cancelled by the collective."))
    if invitation.state == "expired" or invitation.expires_at <= utcnow():
        raise Refused(_("This invitation has expired. Ask the facilitator to send a new one."))
    return invitation


def accept_invitation(invitation: Invitation, person: Person) -> None:
    check_invitation(invitation)
    if person.email != invitation.email:
        raise Refused(_("This invitation was sent to %(email)s. Sign out and use that address.", email=invitation.email))
    fire(invitation, "accept", person, changes={"accepted_at": utcnow(), "accepted_by_id": person.id})


def accept_invitation_with_new_account(invitation: Invitation, *, name: str, password: str) -> Person:
    """Someone new follows an invitation link: create their account and accept, in one go."""
    from grants.auth.operations import register_person

    check_invitation(invitation)
    person = register_person(email=invitation.email, name=name, password=password)
    accept_invitation(invitation, person)
    return person


@effect("grant_invited_roles")
def _grant_invited_roles(invitation: Invitation, _move, person: Person) -> None:
    membership = permissions.membership(person, invitation.collective_id) or Membership(
        collective_id=invitation.collective_id, person_id=person.id)
    for role in invitation.roles:
        setattr(membership, f"is_{role}", True)
    if invitation.organisation_id is not None:
        membership.organisation_id = invitation.organisation_id
    db.session.add(membership)
    permissions.forget(person)


def revoke_invitation(invitation: Invitation, *, reason: str, actor: Person) -> None:
    fire(invitation, "revoke", actor, data={"reason": reason.strip()})


def set_membership(membership: Membership, *, roles: list[str], organisation_id: int | None, actor: Person) -> None:
    """Change a person's roles in a collective; no roles at all removes them from it."""
    collective = db.session.get(Collective, membership.collective_id)
    if organisation_id is not None:
        queries.in_collective(Organisation, organisation_id, collective)
    if membership.is_facilitator and "facilitator" not in roles:
        others = [p for p in queries.facilitators(collective) if p.id != membership.person_id]
        if not others:
            raise Refused(_("A collective needs at least one facilitator. Make someone else a facilitator first."),
                          field="roles")
    before = {"roles": sorted(membership.roles), "organisation_id": membership.organisation_id}
    person = db.session.get(Person, membership.person_id)
    if not roles:
        db.session.delete(membership)
        db.session.flush()
        audit.record(actor, "membership.removed", membership, f"{person.email} removed from the collective",
                     collective_id=collective.id, before=before)
        return
    membership.set_roles(roles)
    membership.organisation_id = organisation_id
    db.session.add(membership)
    db.session.flush()
    audit.record(actor, "membership.changed", membership, f"Roles of {person.email} changed",
                 before=before, after={"roles": sorted(membership.roles), "organisation_id": organisation_id})
