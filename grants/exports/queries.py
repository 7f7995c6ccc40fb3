"""The grants of one collective with what every export needs, in a fixed number of queries."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import func, select

from grants.awards.models import Grant, Payment
from grants.collectives.models import Collective, Theme
from grants.db import db, sum_pence
from grants.organisations.models import Organisation
from grants.proposals.models import Proposal, ProposalPartner
from grants.rounds.models import Round
from grants.workflow.models import StateHistory

# Far above any grant, and well inside the 15 significant digits a JSON number keeps exactly.
MAX_PENCE = 10**13


@dataclass(frozen=True)
class GrantRow:
    grant: Grant
    proposal: Proposal
    organisation: Organisation
    round: Round
    theme: str
    paid: int
    last_payment_at: datetime | None
    last_moved_at: datetime | None
    # the partners taking part in a joint proposal, with each one's share of the budget (pence)
    partners: tuple[tuple[Organisation, int], ...] = ()

    @property
    def modified_at(self) -> datetime:
        """When anything the exports show about this grant last changed."""
        times = [self.grant.offered_at, self.grant.accepted_at, self.last_payment_at, self.last_moved_at]
        return max(t for t in times if t is not None)


def grant_rows(collective: Collective, states: Iterable[str] | None = None) -> list[GrantRow]:
    """Every grant of the collective (or those in ``states``), oldest first."""
    query = (select(Grant, Proposal, Organisation, Round, Theme.name)
             .join(Proposal, Proposal.id == Grant.proposal_id)
             .join(Organisation, Organisation.id == Grant.organisation_id)
             .join(Round, Round.id == Grant.round_id)
             .outerjoin(Theme, Theme.id == Proposal.theme_id)
             .where(Grant.collective_id == collective.id))
    if states is not None:
        query = query.where(Grant.state.in_(tuple(states)))
    found = db.session.exec(query.order_by(Grant.id)).all()
    paid = {grant_id: (total, last) for grant_id, total, last in db.session.exec(
        select(Payment.grant_id, sum_pence(Payment.amount), func.max(Payment.recorded_at))
        .join(Grant, Grant.id == Payment.grant_id).where(Grant.collective_id == collective.id)
        .group_by(Payment.grant_id)).all()}
    moved = dict(db.session.exec(
        select(StateHistory.object_id, func.max(StateHistory.at))
        .join(Grant, Grant.id == StateHistory.object_id)
        .where(StateHistory.object_type == Grant.__tablename__, Grant.collective_id == collective.id)
        .group_by(StateHistory.object_id)).all())
    partners: dict[int, list[tuple[Organisation, int]]] = {}
    for proposal_id, partner, share in db.session.exec(
            select(ProposalPartner.proposal_id, Organisation, ProposalPartner.share)
            .join(Organisation, Organisation.id == ProposalPartner.organisation_id)
            .where(ProposalPartner.collective_id == collective.id, ProposalPartner.state == "accepted")
            .order_by(ProposalPartner.proposal_id, Organisation.name)).all():
        partners.setdefault(proposal_id, []).append((partner, share))
    rows = []
    for grant, proposal, organisation, round_, theme in found:
        total, last_payment = paid.get(grant.id, (0, None))
        rows.append(GrantRow(grant=grant, proposal=proposal, organisation=organisation, round=round_,
                             theme=theme or "", paid=int(total or 0), last_payment_at=last_payment,
                             last_moved_at=moved.get(grant.id), partners=tuple(partners.get(proposal.id, ()))))
    return rows
