"""The count: the round's ballots through its allocation rule, pot by pot, stored with reasons.

Ring-fenced pots are counted first, each over the proposals of its theme; then the general pot,
with whatever money the pots left, over every proposal not yet funded. Every proposal in the vote
gets an outcome with its support and the rule's plain-language explanation, and moves to
*selected* or *not selected*. A count can be re-run while the round is counting (audited); a
recount or re-vote resets the current one.
"""

from __future__ import annotations

from itertools import groupby
from operator import itemgetter

import sqlalchemy as sa
from flask_babel import force_locale, gettext as _
from sqlmodel import select

from grants import audit
from grants.allocation import Ballot as ElectionBallot
from grants.allocation import Election, Pot as ElectionPot, Project, allocate_with_pots
from grants.allocation.pots import GENERAL_POT
from grants.collectives.models import Theme
from grants.db import db, select_rows
from grants.errors import Refused
from grants.money import format_pence
from grants.proposals.models import Proposal
from grants.rounds.models import Count, CountOutcome, Round, latest_count, pots
from grants.timeutil import to_london
from grants.voting.models import Ballot, BallotMark
from grants.workflow.operations import fire, on_behalf_of

BALLOT_KINDS = {"approval": "approval", "approval_limited": "approval", "score": "scoring", "cumulative": "cumulative"}


def election_of(round_: Round) -> tuple[Election, list[Proposal]]:
    """The round's vote as a pure election, to count: proposals in the vote, and every ballot's marks."""
    proposals = list(db.session.exec(select(Proposal).where(
        Proposal.round_id == round_.id, Proposal.state.in_(("in_vote", "selected", "not_selected")))
        .order_by(Proposal.id)).all())
    return _election(round_, proposals), proposals


def counted_election(round_: Round, count: Count) -> Election:
    """The election ``count`` counted, as a pabulib file would carry it: for the public ``.pb``.

    Its projects are the proposals the count read, whatever became of them since (awarded,
    declined, withdrawn), with the count's decision in pabulib's ``selected`` column; the
    ring-fenced pots are pabulib categories with a budget each (see ``grants.allocation.pots``),
    so the file alone is enough to run the count again.
    """
    outcomes = {o.proposal_id: o for o in db.session.exec(
        select(CountOutcome).where(CountOutcome.count_id == count.id)).all()}
    proposals = list(db.session.exec(select(Proposal).where(
        Proposal.round_id == round_.id, Proposal.id.in_(list(outcomes))).order_by(Proposal.id)).all())
    theme_names = {t.id: t.name for t in db.session.exec(select(Theme).where(
        Theme.collective_id == round_.collective_id)).all()}
    pot_categories = {p.theme_id: (pot_category(theme_names[p.theme_id]), p.amount) for p in pots(round_)}
    election = _election(round_, proposals)
    projects = tuple(Project(
        id=project.id, cost=project.cost, name=project.name,
        categories=(pot_categories[proposal.theme_id][0],) if proposal.theme_id in pot_categories else (),
        extra={"selected": "1" if outcomes[proposal.id].selected else "0"})
        for project, proposal in zip(election.projects, proposals))
    meta = dict(election.meta)
    meta["rule"] = count.rule
    if pot_categories:
        meta["categories"] = ",".join(name for name, _amount in pot_categories.values())
        meta["budget_per_category"] = ",".join(str(amount) for _name, amount in pot_categories.values())
        meta["leftover_budget"] = POTS_IN_FILE
    return Election(budget=election.budget, kind=election.kind, projects=projects, ballots=election.ballots,
                    meta=meta)


POTS_IN_FILE = ("Ring-fenced pots: the rule runs first on each category alone with its budget_per_category "
                "and the same voters. Then it runs on every project not yet funded with the budget minus what the "
                "pots spent")


def pot_category(theme_name: str) -> str:
    """A theme's name as a pabulib category: categories are listed with commas, so none inside."""
    return " ".join(theme_name.replace(",", " ").split())


def _election(round_: Round, proposals: list[Proposal]) -> Election:
    contents = _ballot_contents(round_, {p.id for p in proposals})
    kind = BALLOT_KINDS[round_.voting_method]
    with_points = kind != "approval"
    names = {p.id: str(p.id) for p in proposals}
    ballots = []
    previous, projects, points = None, (), None
    for number, chosen in enumerate(contents, start=1):
        if chosen != previous:   # identical ballots are next to each other: their tuples are shared
            previous = chosen
            projects = tuple(names[pid] for pid, _v in chosen)
            points = tuple(v for _pid, v in chosen) if with_points else None
        ballots.append(ElectionBallot(voter_id=str(number), projects=projects, points=points))
    election = Election(
        budget=round_.budget, kind=kind,
        projects=tuple(Project(id=str(p.id), cost=p.amount_requested, name=p.title) for p in proposals),
        ballots=tuple(ballots),
        meta={"description": round_.name, "country": "United Kingdom", "unit": round_.name,
              "instance": str(to_london(round_.voting_closes_at).year), "currency": "GBP (pence)",
              "date_begin": to_london(round_.voting_opens_at).strftime("%d.%m.%Y"),
              "date_end": to_london(round_.voting_closes_at).strftime("%d.%m.%Y"),
              "rule": round_.allocation_rule, "num_projects": str(len(proposals)), "num_votes": str(len(ballots))},
    )
    return election


def _ballot_contents(round_: Round, in_vote: set[int]) -> list[tuple[tuple[int, int], ...]]:
    """Every ballot of the round as its marks on proposals in the vote, ``((proposal id, value), …)``
    by proposal id, in the order of their content (see below); a ballot without such marks is ``()``.

    Secret ballot: a ballot's id follows the order in which members first voted, and that order
    can be read off the turnout page and the audit log. Voters are therefore numbered 1..n in the
    order of their ballots' content (identical ballots are interchangeable), so the election, the
    count and the .pb export depend only on the multiset of ballots, never on who voted when.

    A city's election is a few hundred thousand marks: they are read as the driver's plain rows
    (``grants.db.select_rows``), in the order of the (ballot, proposal) unique index, and grouped
    by ballot in one pass.
    """
    ballot, mark = Ballot.__table__, BallotMark.__table__
    of_round = sa.select(ballot.c.id).where(ballot.c.round_id == round_.id)
    voters = db.session.execute(sa.select(sa.func.count()).select_from(of_round.subquery())).scalar_one()
    rows = select_rows(sa.select(mark.c.ballot_id, mark.c.proposal_id, mark.c.value)
                       .where(mark.c.ballot_id.in_(of_round)).order_by(mark.c.ballot_id, mark.c.proposal_id))
    contents = [tuple((proposal_id, value) for _ballot, proposal_id, value in marks if proposal_id in in_vote)
                for _ballot, marks in groupby(rows, itemgetter(0))]
    contents.extend(() for _ in range(voters - len(contents)))
    contents.sort()
    return contents


def run_count(round_: Round, actor) -> Count:
    """Count the round's ballots, store the outcome of every proposal, and move the proposals on."""
    if round_.state != "counting":
        raise Refused(_("The count runs once voting has closed"))
    election, proposals = election_of(round_)
    theme_names = {t.id: t.name for t in db.session.exec(select(Theme).where(
        Theme.collective_id == round_.collective_id)).all()}
    round_pots = pots(round_)
    pot_theme = {theme_names[p.theme_id]: p.theme_id for p in round_pots}
    election_pots = [ElectionPot(theme_names[p.theme_id], p.amount,
                                 tuple(str(pr.id) for pr in proposals if pr.theme_id == p.theme_id))
                     for p in round_pots]
    # The stored sentences are the record, in English whoever runs the count; pages tell each one
    # again in the reader's language from its reason and facts (grants.rounds.queries.told).
    with force_locale("en"):
        result = allocate_with_pots(election, round_.allocation_rule, election_pots, format_money=format_pence)

    for previous in db.session.exec(select(Count).where(Count.round_id == round_.id, Count.current == True)).all():  # noqa: E712
        previous.current = False
        db.session.add(previous)
    count = Count(collective_id=round_.collective_id, round_id=round_.id, rule=round_.allocation_rule,
                  run_by=audit.actor_label(actor), ballots=len(election.ballots),
                  ballots_version=round_.ballots_version, total_awarded=int(result.cost))
    db.session.add(count)
    db.session.flush()

    support = {p.id: 0 for p in proposals}
    supporters = {p.id: 0 for p in proposals}
    for ballot in election.ballots:
        for index, project_id in enumerate(ballot.projects):
            pid = int(project_id)
            supporters[pid] += 1
            support[pid] += 1 if ballot.points is None else int(ballot.points[index])
    ranking = sorted(proposals, key=lambda p: (-support[p.id], p.id))
    rank = {p.id: position for position, p in enumerate(ranking, start=1)}
    for proposal in proposals:
        why = result.explanations[str(proposal.id)]
        pot_name = result.pot_of(str(proposal.id))
        db.session.add(CountOutcome(
            count_id=count.id, proposal_id=proposal.id, selected=why.selected,
            amount=proposal.amount_requested if why.selected else 0,
            pot_theme_id=pot_theme.get(pot_name) if pot_name and pot_name != GENERAL_POT else None,
            support=support[proposal.id], supporters=supporters[proposal.id], rank=rank[proposal.id],
            reason=why.reason, sentence=why.sentence, facts=dict(why.facts)))
        if proposal.state in ("selected", "not_selected"):
            fire(proposal, "reset_count", on_behalf_of(actor))
        fire(proposal, "mark_selected" if why.selected else "mark_not_selected", on_behalf_of(actor))
    db.session.flush()
    audit.record(actor, "round.counted", round_,
                 f"Count run with {round_.allocation_rule} on {len(election.ballots)} ballots: "
                 f"{len(result.selected)} proposals selected, {format_pence(int(result.cost))} allocated",
                 after={"count_id": count.id, "selected": sorted(int(p) for p in result.selected),
                        "total": int(result.cost)})
    return count


def rerun_count(round_: Round, actor) -> Count:
    """Count again (after paper ballots were added, say) while the round is still counting."""
    if round_.state != "counting":
        raise Refused(_("The count can only be re-run before the allocation goes to the partnership for review"))
    return run_count(round_, actor)


def reset_count(round_: Round, actor) -> None:
    """The current result no longer stands (a recount or a re-vote): proposals go back in the vote."""
    current = latest_count(round_)
    if current is not None:
        current.current = False
        db.session.add(current)
    for proposal in db.session.exec(select(Proposal).where(
            Proposal.round_id == round_.id, Proposal.state.in_(("selected", "not_selected")))).all():
        fire(proposal, "reset_count", on_behalf_of(actor))
    audit.record(actor, "round.count_reset", round_, "The count was set aside for a recount or a new vote")
