"""What was delivered for a cycle's priorities: the round that funds them, the grants that answered
each priority and, from their accepted reports, the people reached and the outcomes achieved.

Glossary
- *commissioned round*: the round a cycle chose to fund its priorities
  (``commissioning_cycle.round_id``, chosen with :func:`grants.commissioning.operations.choose_round`).
  The rounds package tells the workflow which round that is and whether it has closed
  (:mod:`grants.commissioning.links`).
- a grant is a *candidate* for a priority when it is a grant of the commissioned round that was
  taken up (accepted, paid, reporting or closed), offered after the cycle began, and its
  proposal's theme is one of the priority's themes (:func:`candidates`).
- a grant *answers* a priority once a facilitator has confirmed it does (``priority_grant``,
  :func:`grants.commissioning.operations.confirm_grants`): a shared theme alone does not say the
  project addressed the need. Only confirmed grants count in "we did".
- a round *awarded before the cycle began* (a grant of it offered before the cycle was created)
  cannot be chosen, and its grants are never credited to the cycle: they were not chosen to
  answer needs nobody had yet heard (:func:`awarded_at`).
- a round *answers* the priorities of the cycles that chose it, through the themes it funds; a
  theme with a ring-fenced pot says so.
- *reported*: a grant's reports count once a facilitator has accepted them; a submitted report
  waits. People reached: for each grant and community, the larger figure of its accepted reports
  (so a mid-point and an end report count nobody twice: the impact report's rule,
  :mod:`grants.reporting.impact`), summed across the grants that answered the priority.
  Outcomes achieved are the theory-of-change outcomes any accepted report says were achieved,
  with what the grantee wrote about each. A story is used only when its report ticked the
  consent box.

The exact figures are for facilitators and reviewers inside the app; the public page and the
needs-analysis PDF publish counts of people only through :mod:`grants.disclosure`
(``PriorityDelivery.reach_published``).

This module is where reverse commissioning reads the rounds, grants and reports tables. Each
function runs a fixed number of queries, whatever the number of priorities, grants or reports.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlmodel import func, select

import workflows
from grants.awards.models import Grant
from grants.collectives.models import Collective, Outcome, Theme
from grants.commissioning import ethnicity
from grants.commissioning import permissions as cperm
from grants.commissioning.models import CommissioningCycle, Need, Priority, PriorityGrant, PriorityTheme
from grants.db import db
from grants.organisations.models import Organisation
from grants.proposals.models import Proposal
from grants.reporting.models import Report, people_reached_by_grant
from grants.rounds.models import Pot, Round, RoundTheme

# Grants that were taken up: an offer not yet accepted, declined, withdrawn or returned answers nothing.
ANSWERING_STATES = ("accepted", "paid", "reporting", "closed")
# Rounds a cycle may not choose: a cancelled round funds nothing.
UNCHOSEABLE_ROUND_STATES = ("cancelled",)
PUBLIC_CYCLE_STATES = ("priorities", "commissioned", "delivered", "loop_closed")


# -- the commissioned round ----------------------------------------------------------------------

@dataclass
class RoundRef:
    id: int
    name: str
    state: str
    state_label: str
    public_label: str

    @property
    def closed(self) -> bool:
        return self.state == "closed"

    @property
    def cancelled(self) -> bool:
        return self.state == "cancelled"


def _round_ref(round_id: int, name: str, state: str, variant: str) -> RoundRef:
    found = workflows.get("round_light" if variant == "light" else "round").coerce_state(state)
    return RoundRef(round_id, name, state, _(found.staff_label), _(found.public_label))


def round_ref(cycle: CommissioningCycle) -> RoundRef | None:
    """The round the cycle chose, as plain values (None when it has not chosen one)."""
    if cycle.round_id is None:
        return None
    row = db.session.exec(select(Round.id, Round.name, Round.state, Round.variant).where(
        Round.id == cycle.round_id, Round.collective_id == cycle.collective_id)).first()
    return _round_ref(*row) if row else None


def awarded_at(collective_id: int, round_id: int):
    """When the round's awards were issued: its first grant offer (None if it has offered none)."""
    return db.session.exec(select(func.min(Grant.offered_at)).where(
        Grant.collective_id == collective_id, Grant.round_id == round_id)).one()


def round_choices(collective: Collective, current_id: int | None = None) -> list[tuple[int, str]]:
    """(id, "name (stage)") of the rounds a cycle of the collective may choose, newest first. The
    cycle's current round stays in the list even if it has since been cancelled, so the form shows it."""
    rows = db.session.exec(
        select(Round.id, Round.name, Round.state, Round.variant)
        .where(Round.collective_id == collective.id,
               sa.or_(Round.state.not_in(UNCHOSEABLE_ROUND_STATES), Round.id == (current_id or -1)))
        .order_by(Round.voting_closes_at.desc(), Round.id.desc())).all()
    return [(ref.id, _("%(round)s (%(state)s)", round=ref.name, state=ref.state_label.lower()))
            for ref in (_round_ref(*row) for row in rows)]


def chooseable_round(collective_id: int, round_id: int) -> Round | None:
    """The round, if it is one of the collective's and may be chosen; None otherwise."""
    return db.session.exec(select(Round).where(Round.id == round_id, Round.collective_id == collective_id,
                                               Round.state.not_in(UNCHOSEABLE_ROUND_STATES))).first()


# -- what each priority's grants delivered ----------------------------------------------------------

@dataclass
class GrantDelivered:
    """One grant that answered a priority, with what its accepted reports say."""

    id: int
    title: str
    organisation: str
    amount: int
    theme: str
    state_label: str
    public_label: str
    reports_accepted: int = 0
    reports_waiting: int = 0
    people: dict[str, int] = field(default_factory=dict)
    outcomes: list[tuple[str, str]] = field(default_factory=list)   # (outcome, how), theory-of-change order
    story: str = ""

    @property
    def people_total(self) -> int:
        return sum(self.people.values())


@dataclass
class OutcomeAchieved:
    text: str
    how: list[tuple[str, str]]   # (project title, what its grantee wrote)

    @property
    def projects(self) -> int:
        return len(self.how)


@dataclass
class PriorityDelivery:
    """The grants of the commissioned round that answered one priority, and what they reported."""

    round: RoundRef
    grants: list[GrantDelivered] = field(default_factory=list)
    outcome_rank: dict[str, int] = field(default_factory=dict)   # theory-of-change order of outcomes

    @property
    def amount(self) -> int:
        return sum(g.amount for g in self.grants)

    @property
    def reported(self) -> list[GrantDelivered]:
        return [g for g in self.grants if g.reports_accepted]

    @property
    def reports_waiting(self) -> int:
        return sum(g.reports_waiting for g in self.grants)

    @property
    def reach(self) -> dict[str, int]:
        """People reached by community, summed across the grants (exact: for staff only)."""
        total: dict[str, int] = defaultdict(int)
        for grant in self.grants:
            for code, people in grant.people.items():
                total[code] += people
        return {code: total[code] for code in sorted(total, key=ethnicity.order) if total[code]}

    @property
    def reach_total(self) -> int:
        return sum(self.reach.values())

    @property
    def reach_rows(self) -> list[tuple[str, int]]:
        return [(ethnicity.label(code), people) for code, people in self.reach.items()]

    @property
    def reach_published(self):
        """The reach as the public may see it (:func:`grants.commissioning.summary.published_counts`)."""
        from grants.commissioning.summary import published_counts

        return published_counts(self.reach) if self.reach else None

    @property
    def outcomes(self) -> list[OutcomeAchieved]:
        found: dict[str, list[tuple[str, str]]] = defaultdict(list)
        for grant in self.grants:
            for text, how in grant.outcomes:
                found[text].append((grant.title, how))
        return [OutcomeAchieved(text, how)
                for text, how in sorted(found.items(), key=lambda item: self.outcome_rank.get(item[0], 0))]

    @property
    def stories(self) -> list[tuple[str, str]]:
        return [(g.title, g.story) for g in self.grants if g.story]


def _grant_label(state: str) -> tuple[str, str]:
    found = workflows.get("grant").coerce_state(state)
    return _(found.staff_label), _(found.public_label)


def _outcome_texts(collective_id: int) -> dict[int, str]:
    """The collective's theory-of-change outcomes (retired ones too: old reports name them), in order."""
    return dict(db.session.exec(select(Outcome.id, Outcome.text).where(Outcome.collective_id == collective_id)
                                .order_by(Outcome.position, Outcome.id)).all())


def _creditable(cycle: CommissioningCycle):
    """Conditions on ``Grant`` for a grant of the cycle's round that may be credited to the cycle."""
    return (Grant.collective_id == cycle.collective_id, Grant.round_id == cycle.round_id,
            Grant.state.in_(ANSWERING_STATES), Grant.offered_at >= cycle.created_at)


def _grants_of(cycle: CommissioningCycle) -> tuple[list[tuple[GrantDelivered, int | None]], dict[str, int]]:
    """(grant, its proposal's theme id) for every grant of the commissioned round that was taken up
    (and offered after the cycle began), filled in from its reports, and the rank of each outcome:
    three queries at most."""
    rows = db.session.exec(
        select(Grant.id, Grant.amount, Grant.state, Proposal.title, Proposal.theme_id, Organisation.name, Theme.name)
        .join(Proposal, Proposal.id == Grant.proposal_id)
        .join(Organisation, Organisation.id == Grant.organisation_id)
        .outerjoin(Theme, Theme.id == Proposal.theme_id)
        .where(*_creditable(cycle))
        .order_by(Proposal.title, Grant.id)).all()
    grants = {}
    themes = {}
    for grant_id, amount, state, title, theme_id, organisation, theme in rows:
        staff_label, public_label = _grant_label(state)
        grants[grant_id] = GrantDelivered(grant_id, title, organisation, amount, theme or "", staff_label, public_label)
        themes[grant_id] = theme_id
    if not grants:
        return [], {}
    reports = db.session.exec(
        select(Report).where(Report.collective_id == cycle.collective_id, Report.grant_id.in_(list(grants)),
                             Report.state.in_(("submitted", "accepted")))
        .order_by(Report.grant_id, Report.due_at, Report.id)).all()
    accepted: dict[int, list[Report]] = defaultdict(list)
    for report in reports:
        if report.state == "accepted":
            accepted[report.grant_id].append(report)
        else:
            grants[report.grant_id].reports_waiting += 1
    outcome_text = _outcome_texts(cycle.collective_id) if any(
        r.outcomes_achieved for group in accepted.values() for r in group) else {}
    for grant_id, group in accepted.items():
        grant = grants[grant_id]
        grant.reports_accepted = len(group)
        grant.people = people_reached_by_grant(report.people_reached for report in group)
        how_by_outcome: dict[int, str] = {}
        for report in group:                     # a later report's words replace an earlier one's
            for key, how in report.outcomes_achieved.items():
                if str(key).isdigit() and int(key) in outcome_text and str(how).strip():
                    how_by_outcome[int(key)] = str(how).strip()
        grant.outcomes = [(text, how_by_outcome[key]) for key, text in outcome_text.items() if key in how_by_outcome]
        grant.story = next((r.story for r in reversed(group) if r.story and r.story_consent), "")
    rank = {text: position for position, text in enumerate(outcome_text.values())}
    return [(grants[grant_id], themes[grant_id]) for grant_id in grants], rank


def cycle_delivery(cycle: CommissioningCycle, theme_ids: dict[int, list[int]]) -> dict[int, PriorityDelivery]:
    """priority id → what the commissioned round delivered for it (empty without a round).

    ``theme_ids`` maps each of the cycle's priorities to its theme ids (already read by the caller).
    """
    found = round_ref(cycle)
    if found is None:
        return {}
    grants, rank = _grants_of(cycle)
    confirmed = confirmed_grants(cycle.collective_id, list(theme_ids))
    return {priority_id: PriorityDelivery(found, [g for g, _theme_id in grants
                                                  if g.id in confirmed.get(priority_id, set())], rank)
            for priority_id in theme_ids}


def confirmed_grants(collective_id: int, priority_ids: list[int]) -> dict[int, set[int]]:
    """priority id → ids of the grants a facilitator confirmed answer it."""
    found: dict[int, set[int]] = defaultdict(set)
    if priority_ids:
        for priority_id, grant_id in db.session.exec(
                select(PriorityGrant.priority_id, PriorityGrant.grant_id)
                .where(PriorityGrant.collective_id == collective_id,
                       PriorityGrant.priority_id.in_(priority_ids))).all():
            found[priority_id].add(grant_id)
    return dict(found)


@dataclass
class Candidate:
    """A grant a facilitator may confirm answers a priority (its theme is one of the priority's)."""

    id: int
    title: str
    organisation: str
    amount: int
    theme: str
    state_label: str
    confirmed: bool


def candidates(cycle: CommissioningCycle, priority: Priority) -> list[Candidate]:
    """The grants of the cycle's round that may be credited to it and whose proposal's theme is one
    of the priority's themes, each saying whether it is confirmed: two queries."""
    if cycle.round_id is None:
        return []
    themes = select(PriorityTheme.theme_id).where(PriorityTheme.priority_id == priority.id,
                                                  PriorityTheme.collective_id == cycle.collective_id)
    rows = db.session.exec(
        select(Grant.id, Grant.amount, Grant.state, Proposal.title, Organisation.name, Theme.name)
        .join(Proposal, Proposal.id == Grant.proposal_id)
        .join(Organisation, Organisation.id == Grant.organisation_id)
        .join(Theme, Theme.id == Proposal.theme_id)
        .where(*_creditable(cycle), Proposal.theme_id.in_(themes))
        .order_by(Proposal.title, Grant.id)).all()
    confirmed = confirmed_grants(cycle.collective_id, [priority.id]).get(priority.id, set())
    return [Candidate(grant_id, title, organisation, amount, theme, _grant_label(state)[0], grant_id in confirmed)
            for grant_id, amount, state, title, organisation, theme in rows]


def reported_grants_answering(cycle: CommissioningCycle):
    """For a query over ``Need``: the accepted reports of grants of the cycle's round confirmed to
    answer the need's priority (a need so answered has had its response)."""
    return (select(Report.id)
            .join(Grant, Grant.id == Report.grant_id)
            .join(PriorityGrant, PriorityGrant.grant_id == Grant.id)
            .join(Priority, Priority.id == PriorityGrant.priority_id)
            .where(Priority.need_id == Need.id, Priority.cycle_id == cycle.id,
                   *_creditable(cycle), Report.state == "accepted"))


# -- the priorities a round answers ---------------------------------------------------------------

@dataclass
class AnsweredPriority:
    priority_id: int
    need_id: int
    need_title: str
    cycle_id: int
    cycle_name: str
    public: bool
    themes: list[str] = field(default_factory=list)          # its themes the round funds
    ring_fenced: list[str] = field(default_factory=list)     # ... of which with a ring-fenced pot
    other_themes: list[str] = field(default_factory=list)    # its themes the round does not fund


@dataclass
class RoundPriorities:
    """What a round page shows of the priorities it answers; ``staff`` see links and every cycle."""

    staff: bool
    answered: list[AnsweredPriority]
    unanswered: list[AnsweredPriority]

    def __bool__(self) -> bool:
        return bool(self.answered or self.unanswered)


def priorities_answered_by(round_: Round) -> list[AnsweredPriority]:
    """The priorities of every cycle that chose this round, each with its themes split into those
    the round funds (and ring-fences) and those it does not: one query."""
    rows = db.session.exec(
        select(Priority.id, Need.id, Need.title, CommissioningCycle.id, CommissioningCycle.name,
               CommissioningCycle.state, Theme.name, RoundTheme.id, Pot.id)
        .join(Need, Need.id == Priority.need_id)
        .join(CommissioningCycle, CommissioningCycle.id == Priority.cycle_id)
        .join(PriorityTheme, PriorityTheme.priority_id == Priority.id)
        .join(Theme, Theme.id == PriorityTheme.theme_id)
        .outerjoin(RoundTheme, sa.and_(RoundTheme.round_id == round_.id, RoundTheme.theme_id == PriorityTheme.theme_id))
        .outerjoin(Pot, sa.and_(Pot.round_id == round_.id, Pot.theme_id == PriorityTheme.theme_id))
        .where(CommissioningCycle.round_id == round_.id, CommissioningCycle.collective_id == round_.collective_id,
               Priority.collective_id == round_.collective_id)
        .order_by(CommissioningCycle.id, Need.id, Theme.position, Theme.id)).all()
    found: dict[int, AnsweredPriority] = {}
    for priority_id, need_id, title, cycle_id, cycle_name, state, theme, funded, pot in rows:
        item = found.setdefault(priority_id, AnsweredPriority(priority_id, need_id, title, cycle_id, cycle_name,
                                                              state in PUBLIC_CYCLE_STATES))
        if funded is None:
            item.other_themes.append(theme)
        else:
            item.themes.append(theme)
            if pot is not None:
                item.ring_fenced.append(theme)
    return list(found.values())


def round_priorities(round_: Round, person) -> RoundPriorities:
    """The priorities a round answers, as ``person`` may see them on the round's pages: facilitators
    and reviewers see every cycle that chose the round (and which priorities its themes miss);
    anyone else only cycles whose "You said, we did" is public."""
    staff = cperm.can_view_commissioning(person, round_.collective_id)
    items = [item for item in priorities_answered_by(round_) if staff or item.public]
    return RoundPriorities(staff=staff, answered=[i for i in items if i.themes],
                           unanswered=[i for i in items if not i.themes] if staff else [])
