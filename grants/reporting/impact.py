"""The impact report: what a round, or a collective's financial year, funded and what came of it.

Glossary
- *scope*: one round (kind ``impact-report``, object id = round id), or one *financial year* of
  a collective (kind ``impact-report-year``). The financial year is the UK funders' year, 1 April
  to 31 March in London time, named by the year it starts in (2027 is "2027–28"). A year covers
  the grants *awarded* (offered) in it, and the proposals of the rounds those grants came from.
  Through the registry (``flask --app grants documents render impact-report-year --id ID``) the
  object id is the collective's id and the year the latest one in which it awarded grants; the
  download page offers every year.
- *submitted*: a proposal that was ever submitted (a draft is not; a proposal withdrawn after
  submitting still counts). *Eligible*: one that passed the eligibility check (light-touch rounds
  pass every submitted proposal). *Funded*: one with a grant offered in scope that was not
  declined and whose offer was not withdrawn; *money awarded* is the sum of those grants.
- *success rates*: funded ÷ eligible and funded ÷ submitted.
- *reasons for not funding*: every submitted proposal that was not funded, once, under the step
  where it stopped: not eligible (the facilitators' reasons, counted), not selected by the count
  (the allocation rule's reason codes, summarised), withdrawn, offer declined or withdrawn, or
  not decided yet.
- *people reached*: from *accepted* reports only. A grant with a mid-point and an end report
  counts, for each community, the larger of its two figures, so nobody is counted twice.
- *outcomes*: lines of the collective's theory of change that funded projects aimed at (in their
  proposals) and reported achieving (in accepted reports); *stories* are published only when
  the report's consent box was ticked.

The report is public-facing (anyone may download a ratified round's), so every count of people
or proposals *by community* goes through :mod:`grants.disclosure` with published figures, by the
rules of :mod:`grants.rounds.communities` for proposals (the same as the round's results page and
decision report). Money is shown exactly by theme and pot, and so are counts of proposals that are
not by community (by theme, by reason, in all): the round's results page already lists every
proposal in the vote with its amount and outcome. For that reason money is *not* shown by community here: a
community's money, beside those listed amounts, would tell which proposals a hidden count is.

:func:`round_values` and :func:`year_values` read the database into plain *facts* (dataclasses
of plain values) and :func:`build_values` turns facts into the template's values, with no
database: the samples for ``flask --app grants documents samples`` go through the same code.

The report is in the language it is built in (the worker reads and renders it inside
``force_locale``): titles, periods, pot names and reasons are worded with ``_()`` as they are read,
labels declared elsewhere (states, communities, rules) are translated where they are read.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlmodel import func, select

from grants import disclosure
from grants.allocation import RULES
from grants.awards.documents import people_reached
from grants.awards.models import Grant, Payment
from grants.collectives.models import Collective, Outcome, Theme
from grants.db import db, sum_pence
from grants.documents.registry import DocumentKind, register
from grants.organisations.models import Organisation
from grants.proposals.models import Proposal
from grants.reference import OUTCOME_TERMS
from grants.reporting.models import KINDS, Report, people_reached_by_grant
from grants.rounds.models import Count, CountOutcome, Round
from grants.rounds.communities import community_table
from grants.rounds.queries import PUBLIC_STATES, pots_with_names
from grants.rounds.queries import results as round_results
from grants.timeutil import london_to_utc, to_london, utcnow
from grants.views import filename_words
from grants.workflow.models import StateHistory
from grants.workflow.operations import workflow_of
from workflows.i18n import N_

FIRST_YEAR = 2000
SUBMITTED_STATES = frozenset({"submitted", "eligible", "ineligible", "in_vote", "selected", "not_selected",
                              "ratified", "awarded"})
ELIGIBLE_STATES = frozenset({"eligible", "in_vote", "selected", "not_selected", "ratified", "awarded"})
# A grant that was declined, or whose offer was withdrawn (by a facilitator, or when it lapsed),
# funded nothing; a grant whose money came back was still awarded.
UNFUNDED_GRANT_STATES = frozenset({"declined", "withdrawn"})
GENERAL_POT = N_("General pot")

# The allocation rules' reason codes (grants.allocation.outcome), summarised for people.
NOT_SELECTED_REASONS = {
    "did_not_fit": _l("Not enough money was left in its pot when its turn came"),
    "supporters_could_not_afford": _l("Its supporters' equal shares of the budget could not cover its cost"),
    "no_support": _l("Nobody voted for it"),
    "costs_more_than_budget": _l("It cost more than the money to share"),
    "rule_stopped": _l("The rule stopped before reaching it"),
}
NOT_FUNDED_STEPS = (
    ("ineligible", _l("Not eligible"), _l("The facilitators' reasons, as the applicants were told them.")),
    ("not_selected", _l("Not selected by the vote"), _l("The allocation rule's reason for each, summarised.")),
    ("withdrawn", _l("Withdrawn before the award"), ""),
    ("declined", _l("Offer declined by the organisation"), ""),
    ("offer_withdrawn", _l("Offer withdrawn (not accepted in time, or withdrawn by a facilitator)"), ""),
    ("awaiting_award", _l("Selected, but the awards have not been issued yet"), ""),
    ("other_period", _l("Awarded outside this financial year"), ""),
    ("undecided", _l("Not decided yet (awaiting the eligibility check or the vote)"), ""),
)
# The columns of the table of proposals by community.
COLUMNS = {"submitted": _l("Submitted"), "eligible": _l("Eligible"), "funded": _l("Funded")}


# -- facts: what the database says, as plain values ------------------------------------------------

@dataclass(frozen=True)
class ProposalFact:
    """One proposal of a round in scope, with what became of it."""

    id: int
    title: str
    organisation: str
    state: str                      # its state now
    withdrawn_from: str = ""        # for a withdrawn proposal, the state it was withdrawn from
    theme: str = ""
    communities: tuple[str, ...] = ()
    outcome_ids: tuple[int, ...] = ()
    ineligible_reason: str = ""
    rule: str = ""                  # the label of its round's allocation rule
    count_reason: str = ""          # the current count's reason code for it ("" if not counted)
    grant_state: str = ""           # "" when no grant of it is in scope
    grant_amount: int = 0
    pot: str = GENERAL_POT          # the pot its grant came from
    paid: int = 0

    @property
    def stage(self) -> str:
        return self.withdrawn_from if self.state == "withdrawn" else self.state

    @property
    def submitted(self) -> bool:
        return self.stage in SUBMITTED_STATES

    @property
    def eligible(self) -> bool:
        return self.stage in ELIGIBLE_STATES

    @property
    def funded(self) -> bool:
        return bool(self.grant_state) and self.grant_state not in UNFUNDED_GRANT_STATES


@dataclass(frozen=True)
class ReportFact:
    """One accepted report of a grant in scope."""

    proposal_id: int
    kind: str
    people_reached: dict[str, int] = field(default_factory=dict)
    outcome_ids: tuple[int, ...] = ()
    story: str = ""
    story_consent: bool = False


@dataclass(frozen=True)
class OutcomeFact:
    id: int
    term: str
    text: str
    retired: bool = False


@dataclass(frozen=True)
class PotFact:
    name: str
    budget: int


@dataclass(frozen=True)
class Scope:
    kind: str                        # "round" or "year"
    title: str
    period: str                      # what the report covers, in words
    rounds: tuple[str, ...] = ()
    round_state: str = ""            # the round's public stage (round scope)
    budget: int | None = None        # the round's budget (round scope)
    pots: tuple[PotFact, ...] = ()   # the round's pots with their budgets (round scope)
    year: int | None = None


# -- financial years --------------------------------------------------------------------------------

def financial_year_of(when: datetime) -> int:
    """The financial year (by the calendar year it starts in) of an aware time, in London."""
    local = to_london(when)
    return local.year if local.month >= 4 else local.year - 1


def year_bounds(year: int) -> tuple[datetime, datetime]:
    """[1 April ``year``, 1 April ``year + 1``) at midnight in London, as UTC times."""
    return london_to_utc(datetime(year, 4, 1)), london_to_utc(datetime(year + 1, 4, 1))


def year_label(year: int) -> str:
    return f"{year}–{(year + 1) % 100:02d}"


def year_period(year: int) -> str:
    return _("the financial year %(label)s: 1 April %(start)s to 31 March %(end)s", label=year_label(year),
             start=year, end=year + 1)


def ring_fenced(pot: str) -> str:
    return _("%(pot)s (ring-fenced)", pot=pot)


def current_year() -> int:
    return financial_year_of(utcnow())


def years_with_grants(collective_id: int) -> list[int]:
    """The financial years in which the collective offered grants, newest first."""
    offered = db.session.exec(select(Grant.offered_at).where(Grant.collective_id == collective_id)).all()
    return sorted({financial_year_of(when) for when in offered}, reverse=True)


def report_index(collective_id: int) -> dict:
    """What the impact reports page offers: each financial year with grants (and this one), and
    each counted round, as plain values."""
    this_year = current_year()
    grants = db.session.exec(select(Grant.offered_at, Grant.amount, Grant.state)
                             .where(Grant.collective_id == collective_id)).all()
    years: dict[int, dict] = {this_year: {"year": this_year, "label": year_label(this_year), "grants": 0, "awarded": 0,
                                          "current": True}}
    for offered_at, amount, state in grants:
        year = financial_year_of(offered_at)
        entry = years.setdefault(year, {"year": year, "label": year_label(year), "grants": 0, "awarded": 0,
                                        "current": year == this_year})
        if state not in UNFUNDED_GRANT_STATES:
            entry["grants"] += 1
            entry["awarded"] += amount
    counted = select(Count.round_id).where(Count.collective_id == collective_id)
    rounds = db.session.exec(select(Round).where(Round.collective_id == collective_id, Round.id.in_(counted))
                             .order_by(Round.voting_closes_at.desc(), Round.id.desc())).all()
    return {"years": [years[year] for year in sorted(years, reverse=True) if year <= this_year],
            "rounds": [{"id": r.id, "name": r.name, "state": _(workflow_of(r).state_of(r).staff_label),
                        "public": r.state in PUBLIC_STATES} for r in rounds]}


# -- from facts to the report's values ----------------------------------------------------------------

def _percent(part: int, whole: int) -> str:
    return f"{round(100 * part / whole)}%" if whole else "—"


def _community_table(submitted: list[ProposalFact]) -> dict:
    """Submitted, eligible and funded proposals per ONS group and category, as published.

    Each column is one :func:`grants.rounds.communities.community_table` with published figures
    (the rules the round's results page and decision report follow): group rows with their
    categories, a lone hidden cell taking another with it, and a column withheld when only 1 to
    *threshold* of its proposals name a community (the exact counts are in the success rates).
    Money per community is left out: beside the amounts the results page lists, it would tell
    which proposals a hidden count is."""
    tests = {"submitted": lambda p: True, "eligible": lambda p: p.eligible, "funded": lambda p: p.funded}
    tables = {name: community_table([{"selected": test(p), "communities": list(p.communities),
                                      "amount": p.grant_amount} for p in submitted], disclosure.PUBLISHED)
              for name, test in tests.items()}
    threshold = tables["submitted"].threshold
    if tables["submitted"].withheld:
        return {"rows": [], "columns": [], "withheld": True, "withheld_columns": [], "threshold": threshold}
    shown = [name for name in tests if not tables[name].withheld]
    cells = {name: {(row.group, row.label): row.proposals for row in tables[name].rows} for name in shown}
    rows = [{"label": row.label, "group": row.group,
             "cells": [cells[name].get((row.group, row.label), "0") for name in shown]}
            for row in tables["submitted"].rows]
    return {"rows": rows, "columns": [str(COLUMNS[name]) for name in shown], "withheld": False,
            "threshold": threshold, "withheld_columns": [str(COLUMNS[name]) for name in tests if tables[name].withheld]}


def _people(proposals: list[ProposalFact], reports: list[ReportFact]) -> dict:
    """People reached by community: per grant the larger figure of its accepted reports, summed."""
    in_scope = {p.id for p in proposals if p.grant_state}
    by_grant: dict[int, list[dict]] = {}
    for report in reports:
        if report.proposal_id in in_scope:
            by_grant.setdefault(report.proposal_id, []).append(report.people_reached)
    totals: Counter = Counter()
    for figures in by_grant.values():
        totals.update(people_reached_by_grant(figures))
    return {**people_reached(dict(totals)), "grants": len(by_grant)}


def _outcomes(outcomes: list[OutcomeFact], proposals: list[ProposalFact], reports: list[ReportFact]) -> list[dict]:
    funded = {p.id: p for p in proposals if p.funded}
    aimed: Counter = Counter()
    for proposal in funded.values():
        aimed.update(set(proposal.outcome_ids))
    achieved_by: dict[int, set[int]] = {}
    for report in reports:
        if report.proposal_id in funded:
            for outcome_id in report.outcome_ids:
                achieved_by.setdefault(outcome_id, set()).add(report.proposal_id)
    terms = []
    for term, label in OUTCOME_TERMS.items():
        items = [{"text": o.text, "aimed": aimed[o.id], "achieved": len(achieved_by.get(o.id, ()))}
                 for o in outcomes if o.term == term and (not o.retired or aimed[o.id] or o.id in achieved_by)]
        if items:
            terms.append({"term": _(label), "lines": items})
    return terms


def _stories(proposals: list[ProposalFact], reports: list[ReportFact]) -> list[dict]:
    funded = {p.id: p for p in proposals if p.grant_state}
    stories = []
    for report in reports:
        proposal = funded.get(report.proposal_id)
        if proposal is None or not report.story_consent or not report.story.strip():
            continue                                   # never a story without its people's consent
        stories.append({"title": proposal.title, "organisation": proposal.organisation,
                        "report": _(KINDS[report.kind]) if report.kind in KINDS else _("Report"),
                        "story": report.story.strip()})
    return sorted(stories, key=lambda s: (s["title"].lower(), s["report"]))


def _success(submitted: list, eligible: list, funded: list) -> dict:
    return {"submitted": len(submitted), "eligible": len(eligible), "funded": len(funded),
            "of_eligible": _percent(len(funded), len(eligible)),
            "of_submitted": _percent(len(funded), len(submitted))}


def _not_funded(proposals: list[ProposalFact], funded=lambda proposal: proposal.funded) -> list[dict]:
    steps: dict[str, list[ProposalFact]] = {key: [] for key, _label, _hint in NOT_FUNDED_STEPS}
    for proposal in proposals:
        if not proposal.submitted or funded(proposal):
            continue
        if proposal.state == "withdrawn":
            steps["withdrawn"].append(proposal)
        elif proposal.grant_state == "declined":
            steps["declined"].append(proposal)
        elif proposal.grant_state == "withdrawn":
            steps["offer_withdrawn"].append(proposal)
        elif proposal.state in ("ineligible", "not_selected"):
            steps[proposal.state].append(proposal)
        elif proposal.state in ("selected", "ratified"):
            steps["awaiting_award"].append(proposal)
        elif proposal.state == "awarded":
            steps["other_period"].append(proposal)
        else:
            steps["undecided"].append(proposal)
    found = []
    for key, label, hint in NOT_FUNDED_STEPS:
        rows = steps[key]
        if not rows:
            continue
        details: Counter = Counter()
        shown: dict[str, str] = {}
        for proposal in rows:
            if key == "ineligible":
                text = " ".join(proposal.ineligible_reason.split()) or _("No reason was recorded")
            elif key == "not_selected":
                why = str(NOT_SELECTED_REASONS.get(proposal.count_reason) or _("The count's reason was not recorded"))
                text = _("%(why)s (counted by “%(rule)s”)", why=why, rule=proposal.rule) if proposal.rule else why
            else:
                continue
            shown.setdefault(text.casefold(), text)
            details[text.casefold()] += 1
        found.append({"label": str(label), "hint": str(hint), "count": len(rows),
                      "details": [{"text": shown[k], "count": n}
                                  for k, n in sorted(details.items(), key=lambda item: (-item[1], item[0]))]})
    return found


def build_values(*, collective: str, scope: Scope, proposals: list[ProposalFact], reports: list[ReportFact],
                 outcomes: list[OutcomeFact]) -> dict:
    """The impact report's values from plain facts (no database)."""
    funded = [p for p in proposals if p.funded]
    submitted = [p for p in proposals if p.submitted]
    eligible = [p for p in submitted if p.eligible]
    themes: dict[str, dict] = {}
    for proposal in submitted:
        theme = proposal.theme or _("No theme")
        entry = themes.setdefault(theme, {"name": theme, "proposals": 0, "grants": 0, "money": 0})
        entry["proposals"] += 1
        if proposal.funded:
            entry["grants"] += 1
            entry["money"] += proposal.grant_amount
    pots: dict[str, dict] = {pot.name: {"name": pot.name, "budget": pot.budget, "grants": 0, "money": 0}
                             for pot in scope.pots}
    for proposal in funded:
        entry = pots.setdefault(proposal.pot, {"name": proposal.pot, "budget": None, "grants": 0, "money": 0})
        entry["grants"] += 1
        entry["money"] += proposal.grant_amount
    awarded = sum(p.grant_amount for p in funded)
    people = _people(proposals, reports)
    threshold, rounding = disclosure.settings()
    return {
        "collective": collective,
        "scope": {"kind": scope.kind, "title": scope.title, "period": scope.period, "rounds": list(scope.rounds),
                  "round_state": scope.round_state, "budget": scope.budget,
                  "year": year_label(scope.year) if scope.year is not None else ""},
        "summary": {"grants": len(funded), "awarded": awarded, "paid": sum(p.paid for p in funded),
                    "reports": len(reports), "people": people["total"], "people_grants": people["grants"]},
        "themes": sorted(themes.values(), key=lambda t: t["name"].lower()),
        "pots": [{**pot, "name": _(GENERAL_POT) if pot["name"] == GENERAL_POT else pot["name"]}
                 for pot in sorted(pots.values(), key=lambda p: (p["name"] == GENERAL_POT, p["name"].lower()))],
        "communities": _community_table(submitted),
        "people": people,
        "outcomes": _outcomes(outcomes, proposals, reports),
        "stories": _stories(proposals, reports),
        "success": _success(submitted, eligible, funded),
        "not_funded": _not_funded(proposals),
        "disclosure_threshold": threshold, "rounding": rounding,
        "generated_at": utcnow(),
    }


# -- reading the database into facts --------------------------------------------------------------

def _rule_label(name: str) -> str:
    rule = RULES.get(name)
    return _(rule.label) if rule else name


def _facts(collective: Collective, rounds: list[Round], grants: list[Grant]) -> tuple[list, list, list]:
    """Proposals of ``rounds`` with what became of them (only ``grants`` count as awarded in
    scope), the accepted reports of those grants, and the collective's theory of change."""
    round_ids = [r.id for r in rounds]
    if not round_ids:
        return [], [], _outcome_facts(collective)
    rules = {r.id: _rule_label(r.allocation_rule) for r in rounds}
    rows = db.session.exec(select(Proposal, Organisation.name)
                           .join(Organisation, Organisation.id == Proposal.organisation_id)
                           .where(Proposal.round_id.in_(round_ids), Proposal.collective_id == collective.id)
                           .order_by(Proposal.id)).all()
    withdrawn = [proposal.id for proposal, _name in rows if proposal.state == "withdrawn"]
    withdrawn_from = dict(db.session.exec(select(StateHistory.object_id, StateHistory.from_state).where(
        StateHistory.object_type == "proposal", StateHistory.transition == "withdraw",
        StateHistory.object_id.in_(withdrawn)).order_by(StateHistory.id)).all()) if withdrawn else {}
    current = db.session.exec(select(Count.round_id, func.max(Count.id)).where(
        Count.round_id.in_(round_ids), Count.current == True).group_by(Count.round_id)).all()  # noqa: E712
    count_ids = [count_id for _round_id, count_id in current]
    counted = {o.proposal_id: o for o in db.session.exec(
        select(CountOutcome).where(CountOutcome.count_id.in_(count_ids))).all()} if count_ids else {}
    themes = dict(db.session.exec(select(Theme.id, Theme.name).where(Theme.collective_id == collective.id)).all())
    by_proposal = {grant.proposal_id: grant for grant in grants}
    grant_ids = [grant.id for grant in grants]
    paid = dict(db.session.exec(select(Payment.grant_id, sum_pence(Payment.amount)).where(
        Payment.grant_id.in_(grant_ids)).group_by(Payment.grant_id)).all()) if grant_ids else {}
    proposals = []
    for proposal, organisation in rows:
        grant = by_proposal.get(proposal.id)
        outcome = counted.get(proposal.id)
        pot_theme = outcome.pot_theme_id if outcome is not None and outcome.selected else None
        proposals.append(ProposalFact(
            id=proposal.id, title=proposal.title, organisation=organisation, state=proposal.state,
            withdrawn_from=withdrawn_from.get(proposal.id, "") if proposal.state == "withdrawn" else "",
            theme=themes.get(proposal.theme_id, ""), communities=tuple(proposal.communities_served or ()),
            outcome_ids=tuple(proposal.outcome_ids or ()), ineligible_reason=proposal.decision_reason,
            rule=rules.get(proposal.round_id, ""), count_reason=outcome.reason if outcome is not None else "",
            grant_state=grant.state if grant else "", grant_amount=grant.amount if grant else 0,
            pot=ring_fenced(themes.get(pot_theme) or _("A retired theme")) if pot_theme else GENERAL_POT,
            paid=int(paid.get(grant.id, 0)) if grant else 0))
    reports = []
    if grant_ids:
        proposal_of = {grant.id: grant.proposal_id for grant in grants}
        for report in db.session.exec(select(Report).where(Report.grant_id.in_(grant_ids), Report.state == "accepted")
                                      .order_by(Report.grant_id, Report.id)).all():
            reports.append(ReportFact(
                proposal_id=proposal_of[report.grant_id], kind=report.kind,
                people_reached={str(k): v for k, v in (report.people_reached or {}).items()},
                outcome_ids=tuple(int(k) for k in (report.outcomes_achieved or {}) if str(k).isdigit()),
                story=report.story, story_consent=report.story_consent))
    return proposals, reports, _outcome_facts(collective)


def _outcome_facts(collective: Collective) -> list[OutcomeFact]:
    return [OutcomeFact(o.id, o.term, o.text, o.retired) for o in db.session.exec(
        select(Outcome).where(Outcome.collective_id == collective.id).order_by(Outcome.position, Outcome.id)).all()]


def round_values(round_id: int) -> dict:
    """The impact report of one round."""
    round_ = db.session.get(Round, round_id)
    if round_ is None:
        raise LookupError(f"There is no round with id {round_id}.")
    collective = db.session.get(Collective, round_.collective_id)
    grants = list(db.session.exec(select(Grant).where(Grant.round_id == round_.id)).all())
    proposals, reports, outcomes = _facts(collective, [round_], grants)
    pots = [PotFact(ring_fenced(name), pot.amount) for pot, name in pots_with_names(round_)]
    # The general pot's budget as the count had it: with whatever the ring-fenced pots left unspent.
    counted = round_results(round_)
    general = next((p["budget"] for p in counted["pots"] if p["name"] in (GENERAL_POT, _(GENERAL_POT))), None) \
        if counted else None
    pots.append(PotFact(GENERAL_POT, round_.general_pot if general is None else general))
    scope = Scope(kind="round", title=_("Impact report: %(round)s", round=round_.name),
                  period=_("the round %(round)s", round=round_.name),
                  rounds=(round_.name,), round_state=_(workflow_of(round_).state_of(round_).public_label),
                  budget=round_.budget, pots=tuple(pots))
    return build_values(collective=collective.name, scope=scope, proposals=proposals, reports=reports,
                        outcomes=outcomes)


def _chosen(proposal: ProposalFact) -> bool:
    """Funded as a round's results page counts it: selected by the vote (ratified or not yet), or
    awarded a grant that was not declined and whose offer was not withdrawn."""
    return proposal.funded or proposal.state in ("selected", "ratified")


def round_fared(round_: Round) -> dict:
    """How a round's proposals fared, for its results page: submitted, eligible and funded with the
    success rates, and why the others were not funded, by the impact report's steps and reasons.

    *Funded* is :func:`_chosen`, so the figures agree with the count beside them before the awards
    are issued (the impact report counts grants). These are counts of proposals, not by community,
    shown exactly as in the impact report: the results page lists every counted proposal by name."""
    collective = db.session.get(Collective, round_.collective_id)
    grants = list(db.session.exec(select(Grant).where(Grant.round_id == round_.id)).all())
    proposals, _reports, _outcomes = _facts(collective, [round_], grants)
    submitted = [p for p in proposals if p.submitted]
    eligible = [p for p in submitted if p.eligible]
    return {"success": _success(submitted, eligible, [p for p in eligible if _chosen(p)]),
            "not_funded": _not_funded(proposals, funded=_chosen)}


def year_values(collective_id: int, year: int) -> dict:
    """The impact report of a collective's financial year ``year`` (April ``year`` to March)."""
    collective = db.session.get(Collective, collective_id)
    if collective is None:
        raise LookupError(f"There is no collective with id {collective_id}.")
    start, end = year_bounds(year)
    grants = list(db.session.exec(select(Grant).where(
        Grant.collective_id == collective.id, Grant.offered_at >= start, Grant.offered_at < end)).all())
    round_ids = sorted({grant.round_id for grant in grants})
    rounds = list(db.session.exec(select(Round).where(Round.id.in_(round_ids))
                                  .order_by(Round.voting_closes_at, Round.id)).all()) if round_ids else []
    proposals, reports, outcomes = _facts(collective, rounds, grants)
    scope = Scope(kind="year", title=_("Impact report %(year)s", year=year_label(year)), period=year_period(year),
                  rounds=tuple(r.name for r in rounds), year=year)
    return build_values(collective=collective.name, scope=scope, proposals=proposals, reports=reports,
                        outcomes=outcomes)


def latest_year_values(collective_id: int) -> dict:
    """The registry's loader for the year kind: the latest year the collective awarded grants in
    (this year when it has awarded none)."""
    years = years_with_grants(collective_id) if db.session.get(Collective, collective_id) else []
    return year_values(collective_id, years[0] if years else current_year())


def _slug(text: str) -> str:
    return filename_words(text, "report")


def filename(values: dict) -> str:
    scope = values["scope"]
    if scope["kind"] == "year":
        return f"impact-report-{_slug(values['collective'])}-{scope['year'].replace('–', '-')}.pdf"
    return f"impact-report-{_slug(scope['rounds'][0])}.pdf"


def newest_awarded_round() -> int | None:
    return db.session.exec(select(Grant.round_id).order_by(Grant.offered_at.desc(), Grant.id.desc())).first()


def newest_collective_with_grants() -> int | None:
    return db.session.exec(select(Grant.collective_id).order_by(Grant.offered_at.desc(), Grant.id.desc())).first()


# -- samples, without a database ------------------------------------------------------------------

_SAMPLE_COLLECTIVE = "West Birmingham Community Health Collective"
_SAMPLE_OUTCOMES = [
    OutcomeFact(1, "short", "People know where to go for help"),
    OutcomeFact(2, "short", "Parents feel confident to look after their children's health"),
    OutcomeFact(3, "medium", "More people are registered with a GP"),
    OutcomeFact(4, "medium", "People use primary care earlier"),
    OutcomeFact(5, "long", "Fewer people from our communities live with unmanaged diabetes"),
]
# title, organisation, theme, communities, amount, outcome ids, what became of it, pot
_SAMPLE_PROPOSALS = [
    ("Friday diabetes circle", "Winson Green Mosque Health Circle", "Diabetes, obesity and asthma",
     ("asian_pakistani", "asian_bangladeshi"), 300_000, (4, 5), "paid", "Diabetes, obesity and asthma (ring-fenced)"),
    ("Roma families health navigators", "Roma Families Birmingham", "Primary care access",
     ("white_roma",), 450_000, (1, 3), "reporting", GENERAL_POT),
    ("Blood pressure Sundays", "New Testament Church of God, Handsworth", "Primary care access",
     ("black_caribbean", "black_african"), 110_000, (4,), "closed", GENERAL_POT),
    ("New arrivals health guide", "Eritrean Community in Birmingham", "Primary care access",
     ("black_african",), 200_000, (1, 3), "paid", GENERAL_POT),
    ("Stay-and-play with a health visitor", "Lozells Family Hub", "Best start in life",
     ("black_african", "black_caribbean", "mixed_white_black_caribbean"), 150_000, (2,), "closed", GENERAL_POT),
    ("Walking for health in Urdu", "Soho Road Women's Group", "Diabetes, obesity and asthma",
     ("asian_pakistani",), 95_000, (5,), "accepted", "Diabetes, obesity and asthma (ring-fenced)"),
    ("Youth asthma and sport", "Soho Road Youth Club", "Diabetes, obesity and asthma",
     ("asian_indian", "asian_pakistani", "white_british"), 160_000, (4,), "not_selected:did_not_fit", ""),
    ("Caribbean elders' lunch and learn", "Windrush Elders Club", "Building trust",
     ("black_caribbean",), 90_000, (1,), "not_selected:no_support", ""),
    ("Parents' first aid in Polish", "Polish Saturday School", "Best start in life",
     ("white_other",), 90_000, (2,), "ineligible:The project is outside West Birmingham.", ""),
    ("Bangla cooking club", "Aston Bangladeshi Women", "Diabetes, obesity and asthma",
     ("asian_bangladeshi",), 120_000, (5,), "declined", GENERAL_POT),
    ("Kurdish men's health evening", "Kurdish Community Centre", "Building trust",
     ("other_any",), 80_000, (1,), "withdrawn:eligible", ""),
    ("Gurdwara health checks", "Guru Nanak Gurdwara Smethwick", "Primary care access",
     ("asian_indian",), 140_000, (4,), "not_selected:did_not_fit", ""),
    ("Chinese elders' pharmacy talks", "Birmingham Chinese Community Centre", "Building trust",
     ("asian_chinese",), 70_000, (1,),
     "ineligible:The budget pays for a salaried post the collective cannot fund.", ""),
    ("Dads and toddlers", "Lozells Dads", "Best start in life",
     ("black_african", "asian_pakistani"), 85_000, (2,), "closed", GENERAL_POT),
]
_SAMPLE_RULE = "Method of equal shares"


def _sample_proposal_facts() -> list[ProposalFact]:
    """The sample projects twice over (the second time in Aston), so some counts show and some hide."""
    facts = []
    for number, (title, organisation, theme, codes, amount, outcome_ids, fate, pot) in enumerate(
            _SAMPLE_PROPOSALS + [(f"{row[0]}: Aston", f"{row[1]} (Aston)", *row[2:]) for row in _SAMPLE_PROPOSALS], 1):
        step, _, detail = fate.partition(":")
        values = dict(id=number, title=title, organisation=organisation, theme=theme, communities=codes,
                      outcome_ids=outcome_ids, rule=_SAMPLE_RULE)
        if step == "ineligible":
            values.update(state="ineligible", ineligible_reason=detail)
        elif step == "not_selected":
            values.update(state="not_selected", count_reason=detail)
        elif step == "withdrawn":
            values.update(state="withdrawn", withdrawn_from=detail)
        else:
            values.update(state="awarded", count_reason="funded", grant_state=step, grant_amount=amount, pot=pot,
                          paid=amount if step in ("paid", "reporting", "closed") else 0)
        facts.append(ProposalFact(**values))
    return facts


def _sample_report_facts() -> list[ReportFact]:
    return [
        ReportFact(2, "mid", {"white_roma": 64}, (1,),
                   "“The navigator came with me to the surgery. Now my whole family has a GP.”", True),
        ReportFact(2, "end", {"white_roma": 83, "white_other": 4}, (1, 3)),
        ReportFact(3, "end", {"black_caribbean": 131, "black_african": 46, "mixed_white_black_caribbean": 6}, (4,),
                   "“They found my blood pressure was high. I saw the nurse the week after.”", True),
        ReportFact(5, "end", {"black_african": 31, "black_caribbean": 18, "mixed_white_black_caribbean": 9,
                              "asian_bangladeshi": 4}, (2,),
                   "“I didn't know I could ask about my baby's breathing. Now I do.”", True),
        ReportFact(14, "end", {"black_african": 12, "asian_pakistani": 15}, (2,)),
    ]


def sample_round_values() -> dict:
    pots = (PotFact("Diabetes, obesity and asthma (ring-fenced)", 800_000), PotFact(GENERAL_POT, 2_200_000))
    scope = Scope(kind="round", title=_("Impact report: %(round)s", round="Spring 2027 community health grants"),
                  period=_("the round %(round)s", round="Spring 2027 community health grants"),
                  rounds=("Spring 2027 community health grants",), round_state="Projects under way",
                  budget=3_000_000, pots=pots)
    return build_values(collective=_SAMPLE_COLLECTIVE, scope=scope, proposals=_sample_proposal_facts(),
                        reports=_sample_report_facts(), outcomes=list(_SAMPLE_OUTCOMES))


def sample_year_values() -> dict:
    scope = Scope(kind="year", title=_("Impact report %(year)s", year=year_label(2027)), period=year_period(2027),
                  rounds=("Spring 2027 community health grants",), year=2027)
    return build_values(collective=_SAMPLE_COLLECTIVE, scope=scope, proposals=_sample_proposal_facts(),
                        reports=_sample_report_facts(), outcomes=list(_SAMPLE_OUTCOMES))


IMPACT_REPORT = register(DocumentKind(
    name="impact-report", title=_l("Impact report (round)"), template="impact_report.html",
    load=round_values, sample=sample_round_values, filename=filename, example=newest_awarded_round))

IMPACT_REPORT_YEAR = register(DocumentKind(
    name="impact-report-year", title=_l("Impact report (financial year)"), template="impact_report.html",
    load=latest_year_values, sample=sample_year_values, filename=filename, example=newest_collective_with_grants,
    load_variant=lambda collective_id, year: year_values(collective_id, int(year))))
