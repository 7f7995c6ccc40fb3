"""The collective's home for a signed-in person: what waits on them, one task list per role.

An applicant sees their organisation's proposals, its grant offers and the reports it owes; a
member the ballots open to them; a facilitator what waits on them (eligibility checks, join
requests, rounds to move on, reports to review, payments due); a reviewer the allocations awaiting
review. Each list is a handful of queries whatever its length (no query per row), and each task
links to the page where it is done.

``Task.status`` is the GOV.UK task-list status: "Incomplete"/"To do" style words get a blue tag,
"Overdue" a red one, anything done is plain text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from flask import url_for
from sqlmodel import func, select

from grants import permissions
from grants.db import db
from grants.timeutil import format_date, format_datetime, utcnow


@dataclass(frozen=True)
class Task:
    title: str
    href: str
    status: str
    hint: str = ""
    tag: str | None = "govuk-tag--blue"  # None: the status is shown as plain text (done, nothing to do)


@dataclass
class Section:
    heading: str
    tasks: list[Task] = field(default_factory=list)
    empty: str = ""
    more: tuple[str, str] | None = None  # (link text, href) under the list


PROPOSAL_STATUS = {
    "draft": ("Not submitted", "govuk-tag--blue"), "submitted": ("Submitted", None), "eligible": ("Eligible", None),
    "ineligible": ("Not eligible", None), "in_vote": ("In the vote", None), "selected": ("Selected by the vote", None),
    "not_selected": ("Not selected", None), "ratified": ("Confirmed for funding", None),
    "awarded": ("Awarded", None), "withdrawn": ("Withdrawn", None),
}
GRANT_STATUS = {
    "offered": ("Accept or decline", "govuk-tag--blue"), "accepted": ("Accepted", None), "paid": ("Paid", None),
    "reporting": ("Reporting", None), "closed": ("Completed", None), "declined": ("Declined", None),
    "withdrawn": ("Offer withdrawn", None), "funds_returned": ("Funds returned", None),
}
REPORT_KIND = {"mid": "Mid-point report", "end": "End report"}
OPEN_REPORT_STATES = ("due", "overdue", "changes_requested")


def _applicant(collective, organisation_id: int, now: datetime) -> list[Section]:
    from grants.awards.models import Grant
    from grants.proposals.models import Proposal
    from grants.reporting.models import Report
    from grants.rounds.models import Round

    slug = collective.slug
    rows = db.session.exec(
        select(Proposal.id, Proposal.title, Proposal.state, Proposal.round_id, Round.name, Grant.id, Grant.state,
               Grant.offer_expires_at)
        .join(Round, Round.id == Proposal.round_id)
        .join(Grant, Grant.proposal_id == Proposal.id, isouter=True)
        .where(Proposal.collective_id == collective.id, Proposal.organisation_id == organisation_id)
        .order_by(Proposal.id.desc())).all()
    proposals, offers = Section("Your organisation's proposals", empty="Your organisation has no proposals yet."), \
        Section("Your grants and offers", empty="Your organisation has no grants yet.")
    for pid, title, state, round_id, round_name, grant_id, grant_state, expires in rows:
        label, tag = PROPOSAL_STATUS.get(state, (state.replace("_", " ").capitalize(), None))
        proposals.tasks.append(Task(title or "Untitled draft", url_for(
            "proposals.show", slug=slug, round_id=round_id, proposal_id=pid), label, hint=round_name, tag=tag))
        if grant_id is not None:
            label, tag = GRANT_STATUS.get(grant_state, (grant_state.replace("_", " ").capitalize(), None))
            hint = (f"The offer ends on {format_datetime(expires)}" if grant_state == "offered" else round_name)
            offers.tasks.append(Task(f"Grant for {title}", url_for("awards.show", slug=slug, grant_id=grant_id),
                                     label, hint=hint, tag=tag))
    offers.more = ("All your organisation's grants", url_for("awards.index", slug=slug)) if offers.tasks else None
    reports = Section("Reports to send", empty="No reports are due.")
    for report_id, grant_id, kind, state, due_at, title in db.session.exec(
            select(Report.id, Report.grant_id, Report.kind, Report.state, Report.due_at, Proposal.title)
            .join(Grant, Grant.id == Report.grant_id).join(Proposal, Proposal.id == Grant.proposal_id)
            .where(Grant.collective_id == collective.id, Grant.organisation_id == organisation_id,
                   Report.state.in_(OPEN_REPORT_STATES))
            .order_by(Report.due_at)).all():
        status = {"overdue": ("Overdue", "govuk-tag--red"), "changes_requested": ("Changes asked for", "govuk-tag--yellow")}
        label, tag = status.get(state, ("To do", "govuk-tag--blue"))
        reports.tasks.append(Task(f"{REPORT_KIND.get(kind, 'Report')} for {title}", url_for(
            "reporting.show", slug=slug, grant_id=grant_id, report_id=report_id), label,
            hint=f"Due {format_date(due_at)}", tag=tag))
    return [offers, reports, proposals]


def _member(collective, person) -> Section:
    from grants.rounds.models import Round
    from grants.voting.models import Ballot

    section = Section("Ballots open to you", empty="No round is open for voting.")
    for round_id, name, closes, ballot_id in db.session.exec(
            select(Round.id, Round.name, Round.voting_closes_at, Ballot.id)
            .join(Ballot, (Ballot.round_id == Round.id) & (Ballot.member_id == person.id), isouter=True)
            .where(Round.collective_id == collective.id, Round.state == "voting").order_by(Round.voting_closes_at)).all():
        section.tasks.append(Task(f"Vote in {name}", url_for("voting.ballot", slug=collective.slug, round_id=round_id),
                                  "Ballot saved" if ballot_id else "Not voted",
                                  hint=f"Voting closes on {format_datetime(closes)}. You can change your ballot until then.",
                                  tag=None if ballot_id else "govuk-tag--blue"))
    return section


# What a round in each state waits on the facilitator for (the round page does it).
ROUND_WAITS = {
    "draft": "Finish setting it up and open it for proposals",
    "eligibility_check": "Check the proposals' eligibility, then open voting",
    "counting": "Check the count and send the allocation for review",
    "returned": "The partnership returned the allocation: count or vote again",
    "ratified": "Issue the awards",
}


def _facilitator(collective) -> Section:
    from grants.awards.models import Grant, Payment
    from grants.collectives.models import JoinRequest
    from grants.proposals.models import Proposal
    from grants.reporting.models import Report
    from grants.rounds.models import Round

    slug = collective.slug
    section = Section("What waits on you")
    waiting = dict(db.session.exec(
        select(Proposal.round_id, func.count()).join(Round, Round.id == Proposal.round_id)
        .where(Round.collective_id == collective.id, Round.state == "eligibility_check", Proposal.state == "submitted")
        .group_by(Proposal.round_id)).all())
    for round_id, name, state in db.session.exec(
            select(Round.id, Round.name, Round.state).where(Round.collective_id == collective.id,
                                                          Round.state.in_(tuple(ROUND_WAITS)))
            .order_by(Round.id)).all():
        checks = waiting.get(round_id, 0)
        hint = (f"{checks} proposal{'' if checks == 1 else 's'} to check for eligibility" if checks
                else ROUND_WAITS[state])
        section.tasks.append(Task(name, url_for("rounds.show", slug=slug, round_id=round_id),
                                  "Eligibility checks" if checks else "To do", hint=hint))
    joins = db.session.exec(select(func.count()).select_from(JoinRequest).where(
        JoinRequest.collective_id == collective.id, JoinRequest.state == "pending")).one()
    section.tasks.append(Task("Join requests", url_for("collectives.join_requests", slug=slug),
                              f"{joins} waiting" if joins else "None waiting",
                              hint="Organisations asking to join the collective", tag="govuk-tag--blue" if joins else None))
    for report_id, grant_id, kind, title in db.session.exec(
            select(Report.id, Report.grant_id, Report.kind, Proposal.title)
            .join(Grant, Grant.id == Report.grant_id).join(Proposal, Proposal.id == Grant.proposal_id)
            .where(Grant.collective_id == collective.id, Report.state == "submitted").order_by(Report.id)).all():
        section.tasks.append(Task(f"Review the {REPORT_KIND.get(kind, 'report').lower()} for {title}", url_for(
            "reporting.show", slug=slug, grant_id=grant_id, report_id=report_id), "To review"))
    paid = select(Payment.grant_id).where(Payment.grant_id == Grant.id).exists()
    for grant_id, title, amount in db.session.exec(
            select(Grant.id, Proposal.title, Grant.amount).join(Proposal, Proposal.id == Grant.proposal_id)
            .where(Grant.collective_id == collective.id, Grant.state == "accepted", ~paid).order_by(Grant.id)).all():
        from grants.money import format_pence

        section.tasks.append(Task(f"Pay the grant for {title}", url_for("awards.show", slug=slug, grant_id=grant_id),
                                  "Payment due", hint=f"{format_pence(amount)} accepted, not paid yet"))
    section.more = ("All grants", url_for("awards.index", slug=slug))
    return section


def _reviewer(collective, person) -> Section:
    from grants.review.models import Ratification
    from grants.rounds.models import Round

    section = Section("Allocations awaiting your review", empty="No allocation is waiting for the partnership.")
    for round_id, name, due, ratified in db.session.exec(
            select(Round.id, Round.name, Round.review_due_at, Ratification.id)
            .join(Ratification, (Ratification.round_id == Round.id) & (Ratification.reviewer_id == person.id),
                  isouter=True)
            .where(Round.collective_id == collective.id, Round.state == "partnership_review").order_by(Round.id)).all():
        section.tasks.append(Task(f"Review the allocation of {name}", url_for("review.show", slug=collective.slug,
                                                                              round_id=round_id),
                                  "You ratified it" if ratified else "To review",
                                  hint=f"Review due by {format_datetime(due)}", tag=None if ratified else "govuk-tag--blue"))
    return section


def home_for(person, collective, now: datetime | None = None) -> list[Section]:
    """The sections of the person's home in this collective, most pressing role first."""
    found = permissions.membership(person, collective)
    if found is None:
        return []
    now = now or utcnow()
    sections: list[Section] = []
    if found.is_facilitator:
        sections.append(_facilitator(collective))
    if found.is_reviewer:
        sections.append(_reviewer(collective, person))
    if found.is_applicant and found.organisation_id is not None:
        sections.extend(_applicant(collective, found.organisation_id, now))
    if found.is_member:
        sections.append(_member(collective, person))
    return sections


__all__ = ["Section", "Task", "home_for"]
