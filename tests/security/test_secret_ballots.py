"""Secret ballots: nothing anyone but the database operator can see links a ballot to a person.

The election file (``.pb``) is a function of the multiset of ballots: voters are numbered by
their ballots' content, so the order in which members voted (which the turnout page and the audit
log show) says nothing about which line is whose. And no page, download, PDF or email that a
member, applicant, reviewer, facilitator or the public can reach carries a ballot id, or a
member's name beside a vote.
"""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import select

from grants.allocation import read_pb, write_pb
from grants.audit.models import AuditEvent
from grants.db import db
from grants.rounds import count as counting
from grants.rounds.models import Round
from grants.voting import operations as voting_ops
from grants.voting.models import Ballot
from tests import factories
from tests.rounds_helpers import T0, open_round, proposal, to_voting, world
from tests.security.crawl import crawl
from tests.security.ballot_world import FIRST_BALLOT_ID, decided_round

METHODS = {"approval": {}, "score": {}, "cumulative": {"cumulative_points": 6}}
MAX_MARK = {"approval": 1, "score": 5, "cumulative": 3}
VOTERS = 6


@pytest.fixture(params=sorted(METHODS))
def voting_round(request, app):
    method = request.param
    with app.test_request_context("/", method="POST"):
        w = world(organisations=4, extra_members=VOTERS, voting_method=method, **METHODS[method])
        open_round(w)
        w["proposals"] = [proposal(w, n, title=f"Project {n}", amount=100_000) for n in range(4)]
        to_voting(w, w["proposals"])
        w["method"] = method
    return w


def _ballots(method):
    marks = st.lists(st.integers(0, MAX_MARK[method]), min_size=4, max_size=4)
    if method == "cumulative":
        marks = marks.filter(lambda values: sum(values) <= 6)
    return st.lists(marks, min_size=VOTERS, max_size=VOTERS)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_the_election_file_depends_only_on_the_ballots_not_on_who_voted_when(app, voting_round, data):
    w = voting_round
    ballots = data.draw(_ballots(w["method"]), label="ballots")
    first_order = data.draw(st.permutations(range(VOTERS)), label="first casting order")
    second_order = data.draw(st.permutations(range(VOTERS)), label="second casting order")
    # In the second run some members first cast another ballot, then change their minds.
    changed = data.draw(st.sets(st.sampled_from(range(VOTERS))), label="members who replace a ballot")
    files = []
    with app.test_request_context("/", method="POST"):
        round_ = db.session.get(Round, w["round"].id)
        ids = [p.id for p in w["proposals"]]
        for order, replacing in ((first_order, set()), (second_order, changed)):
            db.session.execute(Ballot.__table__.delete().where(Ballot.__table__.c.round_id == round_.id))
            for step, voter in enumerate(order):
                member = db.session.merge(w["members"][voter])
                at = T0 + timedelta(days=22, minutes=step)
                if voter in replacing:
                    voting_ops.cast_ballot(round_, member, {ids[0]: 1}, actor=member, now=at)
                voting_ops.cast_ballot(round_, member, dict(zip(ids, ballots[voter])), actor=member,
                                       now=at + timedelta(seconds=30))
            db.session.commit()
            election, _proposals = counting.election_of(round_)
            files.append(write_pb(election))
        db.session.rollback()
    assert files[0] == files[1]
    election = read_pb(files[0])
    assert [b.voter_id for b in election.ballots] == [str(n) for n in range(1, VOTERS + 1)]
    exported = sorted(
        tuple(sorted(zip((int(p) for p in b.projects), b.points or (1,) * len(b.projects)))) for b in election.ballots)
    cast = sorted(tuple((pid, value) for pid, value in zip(ids, marks) if value) for marks in ballots)
    assert exported == cast


ROLES = ("facilitator", "reviewer", "member", "applicant", "public")


def _client(app, w, role):
    client = app.test_client()
    who = {"facilitator": w["facilitator"], "reviewer": w["reviewer"], "member": w["members"][0],
           "applicant": w["applicants"][0]}.get(role)
    if who is not None:
        assert factories.login(client, who).status_code == 302
    return client


def _spellings(number: int) -> set[str]:
    return {str(number), f"{number:,}"}


def test_no_page_download_pdf_or_email_carries_a_ballot_id_or_ties_a_name_to_a_vote(app, outbox):
    w = decided_round(app)
    assert min(w["ballot_ids"]) >= FIRST_BALLOT_ID and len(w["ballot_ids"]) == 5
    round_id = w["round"].id
    start = ("/", "/account", "/c/west", f"/c/west/rounds/{round_id}", f"/c/west/rounds/{round_id}/results",
             f"/c/west/rounds/{round_id}/election.pb", f"/c/west/rounds/{round_id}/turnout",
             f"/c/west/rounds/{round_id}/review/", f"/c/west/rounds/{round_id}/review/decision-report.pdf",
             f"/c/west/rounds/{round_id}/impact-report.pdf", f"/c/west/rounds/{round_id}/proposal-pack.pdf",
             "/c/west/audit", "/c/west/grants/", "/c/west/grants/grants.csv")
    members = [m.name for m in w["members"]]
    kinds = set()
    for role in ROLES:
        reached = crawl(_client(app, w, role), start)
        assert f"/c/west/rounds/{round_id}/election.pb" in reached.pages, role   # the round is public by now
        for ballot_id in w["ballot_ids"]:
            for spelling in _spellings(ballot_id):
                assert reached.containing(spelling) == [], (role, spelling)
        for path, text in reached.pages.items():
            if path.startswith("/account/your-data"):
                continue   # a person's own data: their own ballot only (below)
            shows_votes = any(word in path for word in ("results", "election.pb", "review", ".pdf", ".csv", ".json"))
            if shows_votes:
                assert not [name for name in members if name in text], (role, path)
            kinds.add(path.rsplit(".", 1)[-1] if "." in path.rsplit("/", 1)[-1] else "page")
        if role != "public":
            own = json.loads(reached.pages["/account/your-data.json"])["ballots"]
            assert len(own) == (1 if role == "member" else 0), role
        if role == "facilitator":
            assert f"/c/west/rounds/{round_id}/turnout" in reached.pages and "/c/west/audit" in reached.pages
    assert {"page", "pb", "pdf", "csv"} <= kinds
    for message in outbox:
        text = message.as_string()
        for ballot_id in w["ballot_ids"]:
            assert str(ballot_id) not in text
    with app.app_context():
        rows = db.session.exec(select(AuditEvent).where(AuditEvent.action.startswith("ballot."))).all()
        assert len(rows) == 5 and all(row.object_id is None for row in rows)
        titles = [p.title for p in w["proposals"]]
        assert not [row.summary for row in rows if any(title in row.summary for title in titles)]
