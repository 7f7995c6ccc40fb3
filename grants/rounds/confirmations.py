"""What moving a round on will do, said before it is done (the GOV.UK confirmation pattern).

Closing proposals, opening or closing voting, issuing awards and cancelling cannot be undone, and
a facilitator may do the timed ones early. Each goes through a page that says what will happen and
to whom ("2 of 11 members have not voted; voting is due to close on 3 February 2027") before the
move is made; :func:`consequences` gathers those facts in a handful of queries.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from flask import current_app
from sqlmodel import func, select

from grants.db import db
from grants.money import format_pence
from grants.proposals.models import Proposal
from grants.rounds.models import Round
from grants.timeutil import format_datetime, utcnow
from workflows.text import plural

# Transitions that are confirmed on their own page before they are made.
NEEDS_CONFIRMATION = frozenset({"close_proposals", "open_voting", "close_voting", "issue_awards", "cancel"})
# The date each timed transition is due (firing it before then is doing it early).
DUE = {"close_proposals": "proposals_close_at", "close_voting": "voting_closes_at"}


@dataclass
class Consequences:
    title: str
    button: str
    facts: list[str] = field(default_factory=list)
    warning: str = "This cannot be undone."
    early: bool = False
    asks_reason: bool = False
    danger: bool = False
    rows: list[tuple[str, str]] = field(default_factory=list)  # shown as a summary list under the facts
    rows_heading: str = ""


def _state_counts(round_: Round) -> dict[str, int]:
    rows = db.session.exec(select(Proposal.state, func.count()).where(Proposal.round_id == round_.id)
                           .group_by(Proposal.state)).all()
    return {state: n for state, n in rows}


def _due(round_: Round, transition: str, now: datetime) -> tuple[bool, datetime | None]:
    name = DUE.get(transition)
    if round_.variant == "light" and transition == "open_voting":
        name = "voting_opens_at"
    when = getattr(round_, name) if name else None
    return (when is not None and now < when), when


def _drafts(counts: dict[str, int]) -> str | None:
    drafts = counts.get("draft", 0)
    if not drafts:
        return None
    verb = "is" if drafts == 1 else "are"
    return (f"{plural(drafts, 'draft proposal')} {verb} not submitted yet: "
            f"{'it' if drafts == 1 else 'they'} can no longer be submitted.")


def consequences(round_: Round, transition: str, now: datetime | None = None) -> Consequences:
    """The confirmation page's words for ``transition`` on ``round_``, from the round as it is now."""
    now = now or utcnow()
    counts = _state_counts(round_)
    early, due = _due(round_, transition, now)
    if transition == "close_proposals":
        result = Consequences("Close proposals early?" if early else "Close proposals?", "Close proposals")
        if early:
            result.facts.append(f"Proposals are due to close on {format_datetime(due)}.")
        submitted = counts.get("submitted", 0)
        result.facts.append(f"{plural(submitted, 'proposal')} submitted will go to the eligibility check.")
        if (line := _drafts(counts)) is not None:
            result.facts.append(line)
    elif transition == "open_voting" and round_.variant == "light":
        result = Consequences("Close proposals and open voting early?" if early
                              else "Close proposals and open voting?", "Close proposals and open voting")
        if early:
            result.facts.append(f"Voting is due to open on {format_datetime(due)}.")
        submitted = counts.get("submitted", 0)
        result.facts.append(f"{plural(submitted, 'submitted proposal')} will go straight to the vote.")
        if (line := _drafts(counts)) is not None:
            result.facts.append(line)
        result.facts.append(f"Voting will close on {format_datetime(round_.voting_closes_at)}.")
    elif transition == "open_voting":
        early, due = (round_.voting_opens_at is not None and now < round_.voting_opens_at), round_.voting_opens_at
        result = Consequences("Open voting early?" if early else "Open voting?", "Open voting")
        if early:
            result.facts.append(f"Voting is due to open on {format_datetime(due)}.")
        eligible = counts.get("eligible", 0)
        result.facts.append(f"{plural(eligible, 'eligible proposal')} will go to the vote; "
                            f"proposals found not eligible stay out of it.")
        result.facts.append(f"Voting will close on {format_datetime(round_.voting_closes_at)}.")
    elif transition == "close_voting":
        from grants.voting.operations import turnout

        people = turnout(round_)
        waiting = sum(1 for p in people if not p["voted"])
        result = Consequences("Close voting early?" if early else "Close voting?", "Close voting")
        verb = "has" if waiting == 1 else "have"
        result.facts.append(f"{waiting} of {plural(len(people), 'member')} {verb} not voted.")
        if early:
            result.facts.append(f"Voting is due to close on {format_datetime(due)}.")
        result.facts.append("Members will no longer be able to vote or change their ballots, "
                            "and the count will run straight away.")
        result.early = early
    elif transition == "issue_awards":
        rows = db.session.exec(select(func.count(), func.coalesce(func.sum(Proposal.amount_requested), 0))
                               .where(Proposal.round_id == round_.id, Proposal.state == "ratified")).one()
        grants, total = rows
        result = Consequences("Issue the awards?", "Issue the awards")
        result.facts.append(f"{plural(grants, 'grant')} totalling {format_pence(int(total))} will be offered.")
        result.facts.append(f"Each grantee organisation's contact and applicants are emailed their offer "
                            f"({plural(grants, 'organisation')}).")
        days = current_app.config.get("OFFER_DAYS", 30)
        result.facts.append(f"Each organisation has {plural(days, 'day')} to accept its offer.")
        from grants.organisations.models import Organisation

        result.rows_heading = "Grants to be offered"
        result.rows = [(f"{name}: {title}", format_pence(amount)) for name, title, amount in db.session.exec(
            select(Organisation.name, Proposal.title, Proposal.amount_requested)
            .join(Organisation, Organisation.id == Proposal.organisation_id)
            .where(Proposal.round_id == round_.id, Proposal.state == "ratified").order_by(Proposal.id)).all()]
    elif transition == "cancel":
        open_states = ("draft", "submitted", "eligible", "ineligible", "in_vote", "selected", "not_selected", "ratified")
        withdrawn = sum(counts.get(state, 0) for state in open_states)
        result = Consequences("Cancel the round?", "Cancel the round", asks_reason=True, danger=True)
        result.facts.append(f"{plural(withdrawn, 'proposal')} in this round will be withdrawn, with your reason.")
        result.facts.append("Nobody will be able to propose, vote or be awarded a grant in this round.")
        result.warning = "Cancelling a round cannot be undone."
    else:
        raise KeyError(transition)
    result.early = early
    return result


__all__ = ["Consequences", "NEEDS_CONFIRMATION", "consequences"]
