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
from flask_babel import gettext as _, lazy_gettext as _l, ngettext
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
    "draft": (_l("Not submitted"), "govuk-tag--blue"), "submitted": (_l("Submitted"), None),
    "eligible": (_l("Eligible"), None), "ineligible": (_l("Not eligible"), None), "in_vote": (_l("In the vote"), None),
    "selected": (_l("Selected by the vote"), None), "not_selected": (_l("Not selected"), None),
    "ratified": (_l("Confirmed for funding"), None), "awarded": (_l("Awarded"), None),
    "withdrawn": (_l("Withdrawn"), None),
}
GRANT_STATUS = {
    "offered": (_l("Accept or decline"), "govuk-tag--blue"), "accepted": (_l("Accepted"), None),
    "paid": (_l("Paid"), None), "reporting": (_l("Reporting"), None), "closed": (_l("Completed"), None),
    "declined": (_l("Declined"), None), "withdrawn": (_l("Offer withdrawn"), None),
    "funds_returned": (_l("Funds returned"), None),
}
# Each kind of report in a task's title (whole sentences, so each can be translated).
REPORT_TASK = {"mid": _l("Mid-point report for %(title)s"), "end": _l("End report for %(title)s")}
REPORT_REVIEW_TASK = {"mid": _l("Review the mid-point report for %(title)s"),
                      "end": _l("Review the end report for %(title)s")}
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
    proposals, offers = Section(_("Your organisation's proposals"), empty=_("Your organisation has no proposals yet.")), \
        Section(_("Your grants and offers"), empty=_("Your organisation has no grants yet."))
    for pid, title, state, round_id, round_name, grant_id, grant_state, expires in rows:
        label, tag = PROPOSAL_STATUS.get(state, (state.replace("_", " ").capitalize(), None))
        proposals.tasks.append(Task(title or _("Untitled draft"), url_for(
            "proposals.show", slug=slug, round_id=round_id, proposal_id=pid), str(label), hint=round_name, tag=tag))
        if grant_id is not None:
            label, tag = GRANT_STATUS.get(grant_state, (grant_state.replace("_", " ").capitalize(), None))
            hint = (_("The offer ends on %(when)s", when=format_datetime(expires)) if grant_state == "offered"
                    else round_name)
            offers.tasks.append(Task(_("Grant for %(title)s", title=title), url_for("awards.show", slug=slug,
                                                                                  grant_id=grant_id),
                                     str(label), hint=hint, tag=tag))
    offers.more = (_("All your organisation's grants"), url_for("awards.index", slug=slug)) if offers.tasks else None
    reports = Section(_("Reports to send"), empty=_("No reports are due."))
    for report_id, grant_id, kind, state, due_at, title in db.session.exec(
            select(Report.id, Report.grant_id, Report.kind, Report.state, Report.due_at, Proposal.title)
            .join(Grant, Grant.id == Report.grant_id).join(Proposal, Proposal.id == Grant.proposal_id)
            .where(Grant.collective_id == collective.id, Grant.organisation_id == organisation_id,
                   Report.state.in_(OPEN_REPORT_STATES))
            .order_by(Report.due_at)).all():
        status = {"overdue": (_("Overdue"), "govuk-tag--red"),
                  "changes_requested": (_("Changes asked for"), "govuk-tag--yellow")}
        label, tag = status.get(state, (_("To do"), "govuk-tag--blue"))
        task_title = str(REPORT_TASK[kind]) % {"title": title} if kind in REPORT_TASK else _("Report for %(title)s", title=title)
        reports.tasks.append(Task(str(task_title), url_for(
            "reporting.show", slug=slug, grant_id=grant_id, report_id=report_id), label,
            hint=_("Due %(date)s", date=format_date(due_at)), tag=tag))
    return [offers, reports, proposals]


def _member(collective, person) -> Section:
    from grants.rounds.models import Round
    from grants.voting.models import Ballot

    section = Section(_("Ballots open to you"), empty=_("No round is open for voting."))
    for round_id, name, closes, ballot_id in db.session.exec(
            select(Round.id, Round.name, Round.voting_closes_at, Ballot.id)
            .join(Ballot, (Ballot.round_id == Round.id) & (Ballot.member_id == person.id), isouter=True)
            .where(Round.collective_id == collective.id, Round.state == "voting").order_by(Round.voting_closes_at)).all():
        section.tasks.append(Task(_("Vote in %(round)s", round=name), url_for("voting.ballot", slug=collective.slug,
                                                                             round_id=round_id),
                                  _("Ballot saved") if ballot_id else _("Not voted"),
                                  hint=_("Voting closes on %(when)s. You can change your ballot until then.",
                                         when=format_datetime(closes)),
                                  tag=None if ballot_id else "govuk-tag--blue"))
    return section


# What a round in each state waits on the facilitator for (the round page does it).
ROUND_WAITS = {
    "draft": _l("Finish setting it up and open it for proposals"),
    "eligibility_check": _l("Check the proposals' eligibility, then open voting"),
    "counting": _l("Check the count and send the allocation for review"),
    "returned": _l("The partnership returned the allocation: count or vote again"),
    "ratified": _l("Issue the awards"),
}


def _facilitator(collective) -> Section:
    from grants.awards.models import Grant, Payment
    from grants.collectives.models import JoinRequest
    from grants.proposals.models import Proposal
    from grants.reporting.models import Report
    from grants.rounds.models import Round

    slug = collective.slug
    section = Section(_("What waits on you"))
    waiting = dict(db.session.exec(
        select(Proposal.round_id, func.count()).join(Round, Round.id == Proposal.round_id)
        .where(Round.collective_id == collective.id, Round.state == "eligibility_check", Proposal.state == "submitted")
        .group_by(Proposal.round_id)).all())
    for round_id, name, state in db.session.exec(
            select(Round.id, Round.name, Round.state).where(Round.collective_id == collective.id,
                                                          Round.state.in_(tuple(ROUND_WAITS)))
            .order_by(Round.id)).all():
        checks = waiting.get(round_id, 0)
        hint = (ngettext("%(num)d proposal to check for eligibility", "%(num)d proposals to check for eligibility", checks)
                if checks else str(ROUND_WAITS[state]))
        section.tasks.append(Task(name, url_for("rounds.show", slug=slug, round_id=round_id),
                                  _("Eligibility checks") if checks else _("To do"), hint=hint))
    joins = db.session.exec(select(func.count()).select_from(JoinRequest).where(
        JoinRequest.collective_id == collective.id, JoinRequest.state == "pending")).one()
    section.tasks.append(Task(_("Join requests"), url_for("collectives.join_requests", slug=slug),
                              _("%(num)d waiting", num=joins) if joins else _("None waiting"),
                              hint=_("Organisations asking to join the collective"),
                              tag="govuk-tag--blue" if joins else None))
    for report_id, grant_id, kind, title in db.session.exec(
            select(Report.id, Report.grant_id, Report.kind, Proposal.title)
            .join(Grant, Grant.id == Report.grant_id).join(Proposal, Proposal.id == Grant.proposal_id)
            .where(Grant.collective_id == collective.id, Report.state == "submitted").order_by(Report.id)).all():
        task_title = (str(REPORT_REVIEW_TASK[kind]) % {"title": title} if kind in REPORT_REVIEW_TASK
                      else _("Review the report for %(title)s", title=title))
        section.tasks.append(Task(str(task_title), url_for(
            "reporting.show", slug=slug, grant_id=grant_id, report_id=report_id), _("To review")))
    paid = select(Payment.grant_id).where(Payment.grant_id == Grant.id).exists()
    for grant_id, title, amount in db.session.exec(
            select(Grant.id, Proposal.title, Grant.amount).join(Proposal, Proposal.id == Grant.proposal_id)
            .where(Grant.collective_id == collective.id, Grant.state == "accepted", ~paid).order_by(Grant.id)).all():
        from grants.money import format_pence

        section.tasks.append(Task(_("Pay the grant for %(title)s", title=title), url_for(
            "awards.show", slug=slug, grant_id=grant_id),
            _("Payment due"), hint=_("%(amount)s accepted, not paid yet", amount=format_pence(amount))))
    section.more = (_("All grants"), url_for("awards.index", slug=slug))
    return section


def _reviewer(collective, person) -> Section:
    from grants.review.models import Ratification
    from grants.rounds.models import Round

    section = Section(_("Allocations awaiting your review"), empty=_("No allocation is waiting for the partnership."))
    for round_id, name, due, ratified in db.session.exec(
            select(Round.id, Round.name, Round.review_due_at, Ratification.id)
            .join(Ratification, (Ratification.round_id == Round.id) & (Ratification.reviewer_id == person.id),
                  isouter=True)
            .where(Round.collective_id == collective.id, Round.state == "partnership_review").order_by(Round.id)).all():
        section.tasks.append(Task(_("Review the allocation of %(round)s", round=name), url_for(
            "review.show", slug=collective.slug, round_id=round_id),
            _("You ratified it") if ratified else _("To review"),
            hint=_("Review due by %(when)s", when=format_datetime(due)), tag=None if ratified else "govuk-tag--blue"))
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
