"""Building rounds, proposals and ballots for tests, through the same operations the app uses."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from grants.db import db
from grants.proposals import operations as proposal_ops
from grants.rounds import operations as round_ops
from grants.voting import operations as voting_ops
from grants.workflow.operations import fire
from tests import factories

T0 = datetime(2027, 3, 1, 9, 0, tzinfo=timezone.utc)


def round_values(**overrides) -> dict:
    values = dict(
        name="Spring 2027 small grants", description="Small grants for community health.", variant="standard",
        budget=1_000_000, min_grant=50_000, max_grant=500_000, voting_method="approval", approval_limit=None,
        cumulative_points=None, allocation_rule="greedy_cost",
        proposals_open_at=T0, proposals_close_at=T0 + timedelta(days=14), voting_opens_at=T0 + timedelta(days=21),
        voting_closes_at=T0 + timedelta(days=28), review_due_at=T0 + timedelta(days=35), reminder_hours=48,
        small_grant_limit=100_000, medium_grant_limit=500_000, ratifications_needed=1)
    values.update(overrides)
    return values


def world(*, organisations: int = 3, extra_members: int = 1, **round_overrides) -> dict:
    """A collective with a facilitator, a reviewer, organisations each with an applicant-member,
    some members without an organisation, and a draft round. Call inside an app/request context."""
    collective = factories.collective("west", "West Collective", themes=("Building trust", "Best start in life"))
    themes = {t.name: t for t in _themes(collective)}
    facilitator = factories.member(collective, factories.person("Fola", "fola@example.org"), roles=("facilitator",))
    reviewer = factories.member(collective, factories.person("Rachel", "rachel@example.org"), roles=("reviewer",))
    orgs, applicants = [], []
    for n in range(organisations):
        org = factories.organisation(collective, f"Organisation {chr(65 + n)}")
        orgs.append(org)
        applicants.append(factories.member(collective, factories.person(f"Applicant {chr(65 + n)}", f"app{n}@example.org"),
                                           roles=("member", "applicant"), organisation=org))
    members = [factories.member(collective, factories.person(f"Member {n}", f"member{n}@example.org"), roles=("member",))
               for n in range(extra_members)]
    pots = round_overrides.pop("pots", {})
    theme_ids = [t.id for t in themes.values()]
    round_ = round_ops.create_round(collective, round_values(**round_overrides), theme_ids=theme_ids,
                                    pot_amounts={themes[name].id: amount for name, amount in pots.items()},
                                    actor=facilitator)
    db.session.commit()
    return {"collective": collective, "themes": themes, "facilitator": facilitator, "reviewer": reviewer,
            "orgs": orgs, "applicants": applicants, "members": members, "round": round_}


def _themes(collective):
    from sqlmodel import select

    from grants.collectives.models import Theme

    return db.session.exec(select(Theme).where(Theme.collective_id == collective.id)).all()


def proposal(w, index: int, *, title: str, amount: int, theme: str = "Building trust", submit: bool = True):
    applicant = w["applicants"][index]
    found = proposal_ops.start_proposal(w["round"], applicant)
    proposal_ops.save_proposal(found, {
        "title": title, "summary": f"{title}: what we will do.", "amount_requested": amount,
        "theme_id": w["themes"][theme].id, "communities_served": ["asian_pakistani"], "outcome_ids": [],
        "people_reached": 40}, [("Venue and volunteers", amount)], applicant)
    if submit:
        proposal_ops.submit_proposal(found, applicant)
    db.session.commit()
    return found


def open_round(w) -> None:
    fire(w["round"], "open_proposals", w["facilitator"], now=T0)
    db.session.commit()


def to_voting(w, proposals) -> None:
    """Close proposals, mark every submitted proposal eligible, open voting (standard variant)."""
    fire(w["round"], "close_proposals", w["facilitator"], now=T0 + timedelta(days=14))
    for p in proposals:
        proposal_ops.decide_eligibility(p, eligible=True, reason="", actor=w["facilitator"])
    fire(w["round"], "open_voting", w["facilitator"], now=T0 + timedelta(days=21))
    db.session.commit()


def vote(w, member, marks: dict[int, int], *, at=None) -> None:
    """Cast a ballot: marks keyed by proposal id."""
    voting_ops.cast_ballot(w["round"], member, marks, actor=member,
                           now=at or T0 + timedelta(days=22))
    db.session.commit()


def counted_round(app, *, amounts=(300_000, 400_000, 90_000), ratifications_needed: int = 1, reviewers: int = 1,
                  titles=None, **round_overrides):
    """A round whose vote closed and was counted (every proposal selected: they fit the budget)."""
    titles = titles or [f"Project {chr(65 + n)}" for n in range(len(amounts))]
    from grants.workflow.scheduler import run_jobs

    with app.test_request_context("/", method="POST"):
        w = world(organisations=len(amounts), extra_members=2, ratifications_needed=ratifications_needed,
                  **round_overrides)
        w["reviewers"] = [w["reviewer"]] + [
            factories.member(w["collective"], factories.person(f"Reviewer {n}", f"reviewer{n}@example.org"),
                             roles=("reviewer",)) for n in range(1, reviewers)]
        db.session.commit()
        open_round(w)
        ps = [proposal(w, n, title=title, amount=amount) for n, (title, amount) in enumerate(zip(titles, amounts))]
        to_voting(w, ps)
        for member in w["members"]:
            vote(w, member, {p.id: 1 for p in ps})
        w["proposals"] = ps
    import time_machine

    with app.app_context(), time_machine.travel(w["round"].voting_closes_at + timedelta(minutes=1), tick=False):
        run_jobs()
    return w


def award_round(w, *, reviewers=None, note: str = ""):
    """Submit a counted round for review, ratify it (by ``reviewers``, default the world's one) and
    issue the awards, committed. Call inside a request context; returns the round."""
    from grants.review import operations as review_ops
    from grants.rounds.models import Round

    round_ = db.session.get(Round, w["round"].id)
    round_ops.move_round(round_, "submit_for_review", w["facilitator"])
    for reviewer in reviewers if reviewers is not None else [w["reviewer"]]:
        review_ops.ratify(round_, db.session.merge(reviewer), note)
    round_ops.move_round(round_, "issue_awards", w["facilitator"])
    db.session.commit()
    return round_
