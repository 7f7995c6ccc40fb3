"""A collective whose round was awarded and whose commissioning cycle agreed priorities on its themes:
for tests of the link between a cycle and its round, and of "we did" fed from grant reports.

Everything goes through the operations and the workflow (``tests.rounds_helpers`` for the round);
call these inside an app context with a request (``app.test_request_context("/", method="POST")``)
except :func:`awarded_round`, which sets up its own contexts (the count runs from the scheduler).
"""

from __future__ import annotations

from datetime import date, timedelta

import time_machine
from sqlmodel import select

from grants.awards import operations as award_ops
from grants.awards.models import Grant, grant_lines
from grants.collectives.models import Collective, Outcome, Theme
from grants.commissioning import operations
from grants.db import db
from grants.reporting import operations as report_ops
from grants.reporting.models import Report
from grants.workflow.operations import fire
from grants.workflow.scheduler import run_jobs
from tests.commissioning.conftest import POPULATION_CSV, USAGE_CSV, csv_bytes
from tests.rounds_helpers import award_round, open_round, proposal, to_voting, vote, world

# (title, amount in pence, theme): the round's thresholds make the first and the last owe one end
# report, and the third a mid-point and an end report (it is above the medium-grant limit).
PROJECTS = (("Mosque diabetes circle", 90_000, "Building trust"),
            ("Stay-and-play", 80_000, "Best start in life"),
            ("Registration navigators", 120_000, "Building trust"),
            ("Leaflets nobody took up", 60_000, "Building trust"))
OUTCOMES = ("People know how to register with a GP", "Services change because of what communities say")


def awarded_round(app, projects=PROJECTS) -> dict:
    """Collective 'west' (tests.rounds_helpers.world) with theory-of-change outcomes and a round whose
    every proposal was selected, ratified and offered a grant. Adds ``grants`` (title → grant id)."""
    with app.test_request_context("/", method="POST"):
        w = world(organisations=len(projects), extra_members=2, small_grant_limit=100_000,
                  medium_grant_limit=110_000)
        for position, text in enumerate(OUTCOMES):
            db.session.add(Outcome(collective_id=w["collective"].id, term="short", text=text, position=position))
        db.session.commit()
        open_round(w)
        made = [proposal(w, n, title=title, amount=amount, theme=theme)
                for n, (title, amount, theme) in enumerate(projects)]
        to_voting(w, made)
        for member in w["members"]:
            vote(w, member, {p.id: 1 for p in made})
        w["proposals"] = made
    with app.app_context(), time_machine.travel(w["round"].voting_closes_at + timedelta(minutes=1), tick=False):
        run_jobs()
    with app.test_request_context("/", method="POST"):
        round_ = award_round(w)
        titles = {p.id: p.title for p in made}
        w["grants"] = {titles[g.proposal_id]: g.id for g in db.session.exec(select(Grant)).all()}
        w["round_id"] = round_.id
        w["collective_id"] = w["collective"].id
        w["outcomes"] = {o.text: o.id for o in db.session.exec(select(Outcome)).all()}
    return w


def take_up(w, title: str, *, confirm: bool = True) -> Grant:
    """The organisation accepts the grant and the facilitator pays it in full; with ``confirm``, a
    facilitator confirms it answers every priority (of any cycle) it is matched to by theme."""
    grant = db.session.get(Grant, w["grants"][title])
    applicant = w["applicants"][[p.title for p in w["proposals"]].index(title)]
    award_ops.accept_grant(grant, db.session.merge(applicant), accepted_by_name="Applicant",
                           conditions_confirmed=True)
    award_ops.record_payment(db.session.get(Grant, grant.id), db.session.merge(w["facilitator"]),
                             paid_on=date.today(), amount=grant.amount, reference=f"BACS {grant.id}")
    db.session.commit()
    if confirm:
        confirm_matched(w, grant.id)
    return grant


def confirm_matched(w, grant_id: int) -> None:
    """A facilitator confirms the grant answers each priority whose candidates include it."""
    from grants.commissioning import delivery
    from grants.commissioning.models import CommissioningCycle, Priority

    facilitator = db.session.merge(w["facilitator"])
    for priority in db.session.exec(select(Priority).where(Priority.collective_id == w["collective_id"])).all():
        cycle = db.session.get(CommissioningCycle, priority.cycle_id)
        if cycle.state not in ("priorities", "commissioned", "delivered"):
            continue
        found = delivery.candidates(cycle, priority)
        if any(c.id == grant_id for c in found):
            operations.confirm_grants(priority, [c.id for c in found if c.confirmed or c.id == grant_id], facilitator)
    db.session.commit()


def report(w, title: str, kind: str = "end", *, people: dict[str, int], outcomes: dict[str, str] | None = None,
           story: str = "", accept: bool = True) -> Report:
    """The grantee files the grant's ``kind`` report; the facilitator accepts it (unless ``accept`` is False)."""
    grant = db.session.get(Grant, w["grants"][title])
    applicant = db.session.merge(w["applicants"][[p.title for p in w["proposals"]].index(title)])
    found = db.session.exec(select(Report).where(Report.grant_id == grant.id, Report.kind == kind)).one()
    lines = grant_lines(grant)
    report_ops.save_report(found, {
        "what_happened": f"What {title} did.", "people_reached": people,
        "outcomes_achieved": {str(w["outcomes"][text]): how for text, how in (outcomes or {}).items()},
        "story": story, "story_consent": bool(story),
        "spend": {str(line.id): line.amount for line in lines} if found.asks_spend else {}}, applicant)
    report_ops.submit_report(found, applicant)
    if accept:
        report_ops.accept_report(found, db.session.merge(w["facilitator"]))
    db.session.commit()
    return found


def cycle_with_priorities(w, priorities: dict[str, list[str]], *, name: str = "2027 community health",
                          began_before_award: bool = True):
    """A cycle of w's collective at "Priorities": evidence, one drop-in, and one need per entry of
    ``priorities`` (title → theme names) agreed by the reviewer. Returns (cycle, {title: priority}).
    With ``began_before_award`` the cycle is dated before the round offered its grants (a round
    awarded before a cycle began cannot fund it)."""
    collective = db.session.get(Collective, w["collective_id"])
    facilitator, reviewer = db.session.merge(w["facilitator"]), db.session.merge(w["reviewer"])
    themes = {t.name: t.id for t in db.session.exec(select(Theme).where(Theme.collective_id == collective.id)).all()}
    operations.import_population(collective, csv_bytes(POPULATION_CSV), actor=facilitator, filename="population.csv")
    record = operations.import_usage(collective, csv_bytes(USAGE_CSV), actor=facilitator, filename="usage.csv")
    cycle = operations.create_cycle(collective, name=name, description="", actor=facilitator)
    if began_before_award:
        cycle.created_at = cycle.created_at - timedelta(days=400)
        db.session.add(cycle)
        db.session.flush()
    from grants.commissioning import queries

    [dataset] = queries.datasets(collective)
    operations.set_cycle_evidence(cycle, [dataset.id], facilitator)
    fire(cycle, "start_engagement", facilitator)
    event = operations.record_event(cycle, title="Drop-in at the mosque", held_on=date(2026, 10, 9), place="Mosque",
                                    kind="workshop", participants=30, notes="", host_ids=[w["orgs"][0].id],
                                    by_community={}, actor=facilitator)
    item = operations.add_feedback(event, text="Nobody explains how to register.", theme_ids=[], communities=[],
                                   actor=facilitator)
    fire(cycle, "record_needs", facilitator)
    needs = {title: operations.write_need(cycle, title=title, statement=f"In our words: {title.lower()}.",
                                          evidence=[], feedback_ids=[item.id], actor=facilitator)
             for title in priorities}
    fire(cycle, "draft_priorities", facilitator)
    agreed = {title: operations.decide_need(needs[title], approve=True, theme_ids=[themes[n] for n in names],
                                            note="", actor=reviewer)
              for title, names in priorities.items()}
    db.session.commit()
    assert record.rows == 9
    return cycle, agreed
