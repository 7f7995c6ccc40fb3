"""Who may do what: predicates used by routes (to refuse with 403) and templates (to hide links).

Powers inside a collective come only from a membership of it; a site admin manages collectives
and accounts through the admin pages but sees no collective's data by being an admin. Roles are
read once per request and cached, so a page full of ``perm.can_*`` checks costs one query.
"""

from __future__ import annotations

from flask import g, has_request_context
from sqlmodel import select

from grants.collectives.models import Membership
from grants.db import db


def _memberships(person) -> dict[int, Membership]:
    if person is None or not getattr(person, "is_authenticated", False):
        return {}
    cache_key = f"memberships_{person.id}"
    if has_request_context() and cache_key in g:
        return g.get(cache_key)
    rows = db.session.exec(select(Membership).where(Membership.person_id == person.id)).all()
    result = {m.collective_id: m for m in rows}
    if has_request_context():
        setattr(g, cache_key, result)
    return result


def forget(person) -> None:
    """Drop the cached roles after a change to this person's memberships."""
    if has_request_context():
        g.pop(f"memberships_{person.id}", None)
        g.pop(f"membership_in_{person.id}", None)


def remember(person, collective_id: int, found: Membership | None) -> None:
    """Cache this person's membership of one collective, read by a query that already joined it.

    A route that loads its collective together with the person's membership (one query instead
    of three, on a hot path) hands it over here, so the ``can_*`` checks that follow cost nothing.
    Questions about other collectives still load the whole set.
    """
    if has_request_context() and person is not None and getattr(person, "is_authenticated", False):
        g.setdefault(f"membership_in_{person.id}", {})[collective_id] = found


def membership(person, collective) -> Membership | None:
    collective_id = _id(collective)
    if has_request_context() and person is not None and getattr(person, "is_authenticated", False):
        known = g.get(f"membership_in_{person.id}")
        if known is not None and collective_id in known and f"memberships_{person.id}" not in g:
            return known[collective_id]
    return _memberships(person).get(collective_id)


def roles_in(person, collective) -> frozenset[str]:
    found = membership(person, collective)
    return found.roles if found else frozenset()


def collective_ids(person) -> list[int]:
    return list(_memberships(person))


def _id(collective) -> int:
    return collective if isinstance(collective, int) else collective.id


def is_admin(person) -> bool:
    return bool(getattr(person, "is_authenticated", False) and person.is_admin)


def can_view_collective(person, collective) -> bool:
    return membership(person, collective) is not None


def can_manage_collective(person, collective) -> bool:
    return "facilitator" in roles_in(person, collective)


def can_review(person, collective) -> bool:
    return "reviewer" in roles_in(person, collective)


def can_oversee(person, collective) -> bool:
    """Facilitators and the partnership's reviewers: they see the collective's exact figures, its
    results before they are published, every grant, and its reports and exports."""
    return can_manage_collective(person, collective) or can_review(person, collective)


def can_vote(person, collective) -> bool:
    return "member" in roles_in(person, collective)


def can_view_audit(person, collective) -> bool:
    return can_manage_collective(person, collective)


def can_view_organisation(person, organisation) -> bool:
    return can_view_collective(person, organisation.collective_id)


def acts_for(person, organisation) -> bool:
    found = membership(person, organisation.collective_id)
    return bool(found and found.organisation_id == organisation.id)


def can_edit_organisation(person, organisation) -> bool:
    return can_manage_collective(person, organisation.collective_id) or (
        organisation.status == "active" and acts_for(person, organisation)
    )


def can_see_grants(person, collective) -> bool:
    """Who the collective's grants list is for (its "Grants" menu item): facilitators and reviewers
    see every grant, a person acting for an organisation its own."""
    found = membership(person, collective)
    return found is not None and (found.is_facilitator or found.is_reviewer
                                  or (found.is_applicant and found.organisation_id is not None))


def can_ask_to_join(person, collective) -> bool:
    return getattr(person, "is_authenticated", False) and not can_view_collective(person, collective)


def organisation_roles(person, collective_id: int, organisation_id: int) -> set[str]:
    """Workflow roles for an object owned by an organisation (a proposal, a grant): the
    collective's facilitators, and as *applicant* whoever acts for that organisation."""
    roles = {"facilitator"} & roles_in(person, collective_id)
    found = membership(person, collective_id)
    if found and found.is_applicant and found.organisation_id == organisation_id:
        roles.add("applicant")
    return roles
