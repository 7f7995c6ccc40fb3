"""Read-side helpers for rounds. Each runs a fixed number of queries, however many proposals or
ballots the round has (the dashboard, ballot and results pages rely on that)."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlmodel import func, select

from grants.allocation import explain
from workflows.text import join_words
from grants.collectives.models import Collective, Theme
from grants.db import db
from grants.money import format_pence
from grants.organisations.models import Organisation
from grants.proposals.models import Proposal
from grants.rounds.models import Count, CountOutcome, ElectionImport, Pot, Round, latest_count
from grants.voting.models import Ballot

PUBLIC_STATES = ("ratified", "awarded", "monitoring", "closed")


def rounds_of(collective: Collective) -> list[Round]:
    return list(db.session.exec(select(Round).where(Round.collective_id == collective.id)
                                .order_by(Round.voting_closes_at.desc())).all())


def proposals_with_organisations(round_: Round, states: tuple[str, ...] | None = None):
    query = (select(Proposal, Organisation).join(Organisation, Organisation.id == Proposal.organisation_id)
             .where(Proposal.round_id == round_.id))
    if states:
        query = query.where(Proposal.state.in_(states))
    return list(db.session.exec(query.order_by(Proposal.title, Proposal.id)).all())


def state_counts(round_: Round) -> dict[str, int]:
    return dict(db.session.exec(select(Proposal.state, func.count()).where(Proposal.round_id == round_.id)
                                .group_by(Proposal.state)).all())


def theme_map(round_: Round) -> dict[int, str]:
    return dict(db.session.exec(select(Theme.id, Theme.name).where(Theme.collective_id == round_.collective_id)).all())


def pots_with_names(round_: Round) -> list[tuple[Pot, str]]:
    return list(db.session.exec(select(Pot, Theme.name).join(Theme, Theme.id == Pot.theme_id)
                                .where(Pot.round_id == round_.id).order_by(Theme.position)).all())


def told(outcome: CountOutcome) -> str:
    """The outcome's sentence in the reader's language and money: told again from the stored
    reason and facts (the stored sentence is in the language of whoever ran the count, and is
    what shows for a count stored before its facts could tell it again)."""
    try:
        return explain.retell(outcome.reason, outcome.facts, format_pence)
    except (KeyError, ValueError, TypeError):
        return outcome.sentence


def results(round_: Round) -> dict | None:
    """The current count as plain values: rows per proposal and totals per pot, in three queries."""
    count = latest_count(round_)
    if count is None:
        return None
    rows = db.session.exec(
        select(CountOutcome, Proposal, Organisation)
        .join(Proposal, Proposal.id == CountOutcome.proposal_id)
        .join(Organisation, Organisation.id == Proposal.organisation_id)
        .where(CountOutcome.count_id == count.id)
        .order_by(CountOutcome.selected.desc(), CountOutcome.rank, Proposal.id)).all()
    themes = theme_map(round_)
    pots = pots_with_names(round_)
    partners = partner_names(round_)
    outcome_rows = [{
        "proposal_id": proposal.id, "title": proposal.title,
        "organisation": with_partners(organisation.name, partners.get(proposal.id, [])),
        "theme": themes.get(proposal.theme_id, ""), "amount_requested": proposal.amount_requested,
        "selected": outcome.selected, "amount": outcome.amount, "support": outcome.support,
        "supporters": outcome.supporters, "rank": outcome.rank, "reason": outcome.reason,
        "sentence": told(outcome), "pot": themes.get(outcome.pot_theme_id) if outcome.pot_theme_id else "General pot",
        "communities": list(proposal.communities_served), "general_pot": not outcome.pot_theme_id,
        "has_feedback": bool(proposal.feedback),
    } for outcome, proposal, organisation in rows]
    pot_totals = []
    for pot, name in pots:
        funded = sum(r["amount"] for r in outcome_rows if r["selected"] and r["pot"] == name)
        pot_totals.append({"name": f"{name} (ring-fenced)", "theme": name, "general": False, "budget": pot.amount,
                           "allocated": funded})
    # The count gives the general pot the money the ring-fenced pots did not spend: show that budget.
    base = round_.budget - sum(pot.amount for pot, _name in pots)
    carried = [(name, total["budget"] - total["allocated"]) for (_pot, name), total in zip(pots, pot_totals)
               if total["budget"] > total["allocated"]]
    general = sum(r["amount"] for r in outcome_rows if r["selected"] and r["pot"] == "General pot")
    pot_totals.append({"name": "General pot", "theme": None, "general": True, "budget": base + sum(amount for _name, amount in carried),
                       "allocated": general, "base": base,
                       "carried": [{"pot": name, "amount": amount} for name, amount in carried],
                       "note": carried_note(base, carried)})
    return {"count": count, "rows": outcome_rows, "pots": pot_totals,
            "total": sum(r["amount"] for r in outcome_rows if r["selected"]),
            "selected": sum(1 for r in outcome_rows if r["selected"])}


def partner_names(round_: Round) -> dict[int, list[str]]:
    """The partner organisations taking part in each of the round's joint proposals, by name (one query)."""
    from grants.proposals.models import ProposalPartner

    names: dict[int, list[str]] = {}
    for proposal_id, name in db.session.exec(
            select(ProposalPartner.proposal_id, Organisation.name)
            .join(Organisation, Organisation.id == ProposalPartner.organisation_id)
            .join(Proposal, Proposal.id == ProposalPartner.proposal_id)
            .where(Proposal.round_id == round_.id, ProposalPartner.state == "accepted")
            .order_by(ProposalPartner.proposal_id, Organisation.name)).all():
        names.setdefault(proposal_id, []).append(name)
    return names


def with_partners(lead: str, partners: list[str]) -> str:
    """A proposal's organisation as the results name it: the lead, and every partner taking part."""
    if not partners:
        return lead
    return _("%(lead)s with %(partners)s", lead=lead, partners=join_words(partners))


def carried_note(base: int, carried: list[tuple[str, int]]) -> str:
    """Where the general pot's budget came from, when ring-fenced pots left money unspent."""
    if not carried:
        return ""
    if len(carried) == 1:
        name, amount = carried[0]
        return _("%(base)s plus %(amount)s not used by the %(theme)s pot", base=format_pence(base),
                 amount=format_pence(amount), theme=name)
    parts = "; ".join(_("%(theme)s: %(amount)s", theme=name, amount=format_pence(amount)) for name, amount in carried)
    total = sum(amount for _name, amount in carried)
    return _("%(base)s plus %(total)s not used by the ring-fenced pots (%(pots)s)", base=format_pence(base),
             total=format_pence(total), pots=parts)


def grant_totals(round_: Round) -> dict | None:
    """The round's grants in money, in two queries: awarded (offers not declined or withdrawn),
    handed back through approved variations, paid (net of reversals and repayments); None before
    any grant is offered."""
    from grants.awards.models import Grant, Payment
    from grants.db import sum_pence

    live = (Grant.round_id == round_.id, Grant.state.not_in(("declined", "withdrawn")))
    awarded, returned, grants = db.session.exec(select(sum_pence(Grant.amount), sum_pence(Grant.returned),
                                                       func.count()).where(*live)).one()
    if not grants:
        return None
    paid = db.session.exec(select(sum_pence(Payment.amount)).join(Grant, Grant.id == Payment.grant_id)
                           .where(*live)).one()
    return {"grants": grants, "awarded": int(awarded), "returned": int(returned), "paid": int(paid)}


def is_public(round_: Round) -> bool:
    return round_.state in PUBLIC_STATES


def ballots_cast(round_: Round) -> int:
    return db.session.exec(select(func.count()).select_from(Ballot).where(Ballot.round_id == round_.id)).one()


def counts_of(round_: Round) -> list[Count]:
    return list(db.session.exec(select(Count).where(Count.round_id == round_.id).order_by(Count.id.desc())).all())


def election_import_under_way(round_: Round) -> ElectionImport | None:
    """The uploaded election the worker has yet to finish importing into the round, if any."""
    return db.session.exec(select(ElectionImport).where(
        ElectionImport.round_id == round_.id, ElectionImport.state.in_(("queued", "running")))
        .order_by(ElectionImport.id.desc())).first()
