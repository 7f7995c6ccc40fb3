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
from flask_babel import gettext as _, ngettext
from sqlmodel import func, select

from grants.db import db
from grants.money import format_pence
from grants.proposals.models import Proposal
from grants.rounds.models import Round
from grants.timeutil import format_datetime, utcnow

# Transitions that are confirmed on their own page before they are made.
NEEDS_CONFIRMATION = frozenset({"close_proposals", "open_voting", "close_voting", "issue_awards", "cancel"})
# The date each timed transition is due (firing it before then is doing it early).
DUE = {"close_proposals": "proposals_close_at", "close_voting": "voting_closes_at"}


@dataclass
class Consequences:
    title: str
    button: str
    facts: list[str] = field(default_factory=list)
    warning: str = field(default_factory=lambda: _("This cannot be undone."))
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
    return ngettext("%(num)d draft proposal is not submitted yet: it can no longer be submitted.",
                    "%(num)d draft proposals are not submitted yet: they can no longer be submitted.", drafts)


def consequences(round_: Round, transition: str, now: datetime | None = None) -> Consequences:
    """The confirmation page's words for ``transition`` on ``round_``, from the round as it is now."""
    now = now or utcnow()
    counts = _state_counts(round_)
    early, due = _due(round_, transition, now)
    if transition == "close_proposals":
        result = Consequences(_("Close proposals early?") if early else _("Close proposals?"), _("Close proposals"))
        if early:
            result.facts.append(_("Proposals are due to close on %(when)s.", when=format_datetime(due)))
        submitted = counts.get("submitted", 0)
        result.facts.append(ngettext("%(num)d proposal submitted will go to the eligibility check.",
                                     "%(num)d proposals submitted will go to the eligibility check.", submitted))
        if (line := _drafts(counts)) is not None:
            result.facts.append(line)
    elif transition == "open_voting" and round_.variant == "light":
        result = Consequences(_("Close proposals and open voting early?") if early
                              else _("Close proposals and open voting?"), _("Close proposals and open voting"))
        if early:
            result.facts.append(_("Voting is due to open on %(when)s.", when=format_datetime(due)))
        submitted = counts.get("submitted", 0)
        result.facts.append(ngettext("%(num)d submitted proposal will go straight to the vote.",
                                     "%(num)d submitted proposals will go straight to the vote.", submitted))
        if (line := _drafts(counts)) is not None:
            result.facts.append(line)
        result.facts.append(_("Voting will close on %(when)s.", when=format_datetime(round_.voting_closes_at)))
    elif transition == "open_voting":
        early, due = (round_.voting_opens_at is not None and now < round_.voting_opens_at), round_.voting_opens_at
        result = Consequences(_("Open voting early?") if early else _("Open voting?"), _("Open voting"))
        if early:
            result.facts.append(_("Voting is due to open on %(when)s.", when=format_datetime(due)))
        eligible = counts.get("eligible", 0)
        result.facts.append(ngettext(
            "%(num)d eligible proposal will go to the vote; proposals found not eligible stay out of it.",
            "%(num)d eligible proposals will go to the vote; proposals found not eligible stay out of it.", eligible))
        result.facts.append(_("Voting will close on %(when)s.", when=format_datetime(round_.voting_closes_at)))
    elif transition == "close_voting":
        from grants.voting.operations import turnout

        people = turnout(round_)
        waiting = sum(1 for p in people if not p["voted"])
        result = Consequences(_("Close voting early?") if early else _("Close voting?"), _("Close voting"))
        members = ngettext("%(num)d member", "%(num)d members", len(people))
        result.facts.append(ngettext("%(num)d of %(members)s has not voted.", "%(num)d of %(members)s have not voted.",
                                     waiting, members=members))
        if early:
            result.facts.append(_("Voting is due to close on %(when)s.", when=format_datetime(due)))
        result.facts.append(_("Members will no longer be able to vote or change their ballots, "
                              "and the count will run straight away."))
        result.early = early
    elif transition == "issue_awards":
        rows = db.session.exec(select(func.count(), func.coalesce(func.sum(Proposal.amount_requested), 0))
                               .where(Proposal.round_id == round_.id, Proposal.state == "ratified")).one()
        grants, total = rows
        result = Consequences(_("Issue the awards?"), _("Issue the awards"))
        result.facts.append(ngettext("%(num)d grant totalling %(total)s will be offered.",
                                     "%(num)d grants totalling %(total)s will be offered.", grants,
                                     total=format_pence(int(total))))
        result.facts.append(ngettext(
            "Each grantee organisation's contact and applicants are emailed their offer (%(num)d organisation).",
            "Each grantee organisation's contact and applicants are emailed their offer (%(num)d organisations).",
            grants))
        days = current_app.config.get("OFFER_DAYS", 30)
        result.facts.append(ngettext("Each organisation has %(num)d day to accept its offer.",
                                     "Each organisation has %(num)d days to accept its offer.", days))
        from grants.organisations.models import Organisation

        result.rows_heading = _("Grants to be offered")
        result.rows = [(_("%(organisation)s: %(title)s", organisation=name, title=title), format_pence(amount)) for name, title, amount in db.session.exec(
            select(Organisation.name, Proposal.title, Proposal.amount_requested)
            .join(Organisation, Organisation.id == Proposal.organisation_id)
            .where(Proposal.round_id == round_.id, Proposal.state == "ratified").order_by(Proposal.id)).all()]
    elif transition == "cancel":
        open_states = ("draft", "submitted", "eligible", "ineligible", "in_vote", "selected", "not_selected", "ratified")
        withdrawn = sum(counts.get(state, 0) for state in open_states)
        result = Consequences(_("Cancel the round?"), _("Cancel the round"), asks_reason=True, danger=True)
        result.facts.append(ngettext("%(num)d proposal in this round will be withdrawn, with your reason.",
                                     "%(num)d proposals in this round will be withdrawn, with your reason.", withdrawn))
        result.facts.append(_("Nobody will be able to propose, vote or be awarded a grant in this round."))
        result.warning = _("Cancelling a round cannot be undone.")
    else:
        raise KeyError(transition)
    result.early = early
    return result


__all__ = ["Consequences", "NEEDS_CONFIRMATION", "consequences"]
