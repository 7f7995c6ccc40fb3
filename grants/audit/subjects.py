"""What each audit row is about, in words: "Proposal: Walking club", "Round: Spring 2027".

The log stores a row's object as its table name and id; the audit page shows the thing's name.
One query per kind of object on the page (never one per row), and an object since deleted
keeps its kind and number. Ballots are named by their round only: nothing here says what
anybody voted for.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from flask_babel import gettext as _
from sqlmodel import select

from grants.db import db
from workflows.i18n import N_

# The words before the name, one place for every kind the log names.
KINDS = {
    "proposal": N_("Proposal"), "round": N_("Round"), "grant": N_("Grant"), "report": N_("Report"),
    "payment": N_("Payment"), "organisation": N_("Organisation"), "join_request": N_("Join request"),
    "ballot": N_("Ballot"), "collective": N_("Collective"), "commissioning_cycle": N_("Commissioning cycle"),
    "need": N_("Need"), "membership": N_("Membership"), "invitation": N_("Invitation"),
}
UNTITLED = N_("Untitled draft")


def _names(object_type: str, ids: list[int], collective_id: int) -> dict[int, str]:
    from grants.awards.models import Grant, Payment
    from grants.collectives.models import Collective, JoinRequest
    from grants.commissioning.models import CommissioningCycle, Need
    from grants.organisations.models import Organisation
    from grants.proposals.models import Proposal
    from grants.reporting.models import Report
    from grants.rounds.models import Round
    from grants.voting.models import Ballot

    queries = {
        "proposal": select(Proposal.id, Proposal.title).where(Proposal.collective_id == collective_id,
                                                               Proposal.id.in_(ids)),
        "round": select(Round.id, Round.name).where(Round.collective_id == collective_id, Round.id.in_(ids)),
        "grant": select(Grant.id, Proposal.title).join(Proposal, Proposal.id == Grant.proposal_id)
        .where(Grant.collective_id == collective_id, Grant.id.in_(ids)),
        "report": select(Report.id, Proposal.title).join(Grant, Grant.id == Report.grant_id)
        .join(Proposal, Proposal.id == Grant.proposal_id).where(Grant.collective_id == collective_id, Report.id.in_(ids)),
        "payment": select(Payment.id, Proposal.title).join(Grant, Grant.id == Payment.grant_id)
        .join(Proposal, Proposal.id == Grant.proposal_id).where(Grant.collective_id == collective_id, Payment.id.in_(ids)),
        "organisation": select(Organisation.id, Organisation.name).where(Organisation.collective_id == collective_id,
                                                                         Organisation.id.in_(ids)),
        "join_request": select(JoinRequest.id, Organisation.name).join(Organisation, Organisation.id == JoinRequest.organisation_id)
        .where(JoinRequest.collective_id == collective_id, JoinRequest.id.in_(ids)),
        "ballot": select(Ballot.id, Round.name).join(Round, Round.id == Ballot.round_id)
        .where(Round.collective_id == collective_id, Ballot.id.in_(ids)),
        "collective": select(Collective.id, Collective.name).where(Collective.id == collective_id, Collective.id.in_(ids)),
        "commissioning_cycle": select(CommissioningCycle.id, CommissioningCycle.name)
        .where(CommissioningCycle.collective_id == collective_id, CommissioningCycle.id.in_(ids)),
        "need": select(Need.id, Need.title).where(Need.collective_id == collective_id, Need.id.in_(ids)),
    }
    query = queries.get(object_type)
    if query is None:
        return {}
    return {row_id: name or _(UNTITLED) for row_id, name in db.session.exec(query).all()}


def subjects(events: Iterable, collective_id: int) -> dict[tuple[str, int | None], str]:
    """``{(object_type, object_id): "Proposal: Walking club"}`` for the rows given."""
    wanted: dict[str, set[int]] = defaultdict(set)
    for event in events:
        if event.object_id is not None:
            wanted[event.object_type].add(event.object_id)
    result: dict[tuple[str, int | None], str] = {}
    for object_type, ids in wanted.items():
        kind = _(KINDS[object_type]) if object_type in KINDS else object_type.replace("_", " ").capitalize()
        names = _names(object_type, sorted(ids), collective_id)
        for object_id in ids:
            name = names.get(object_id)
            if name is None:
                result[(object_type, object_id)] = _("%(kind)s %(number)s", kind=kind, number=object_id)
            elif object_type == "ballot":  # named by its round only: "Ballot in Spring 2027"
                result[(object_type, object_id)] = _("Ballot in %(round)s", round=name)
            else:
                result[(object_type, object_id)] = _("%(kind)s: %(name)s", kind=kind, name=name)
    return result


__all__ = ["KINDS", "subjects"]
