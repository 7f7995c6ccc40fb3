"""The collective's home is a task list for each role (issue 13, item 10).

A grantee could find their offer only through the email link, no menu had "Grants" and
facilitators reached the grants list only by typing its address. Now the home of a collective
shows each signed-in person what waits on them, with links, and the menu has "Grants" for those
the grants list is for.
"""

from __future__ import annotations

import re

from sqlmodel import select

from grants.awards import operations as award_ops
from grants.awards.models import Grant
from grants.collectives.models import JoinRequest
from grants.db import db
from grants.reporting import operations as report_ops
from grants.reporting.models import Report
from grants.rounds import operations as round_ops
from grants.rounds.models import Round
from tests import factories
from tests.rounds_helpers import award_round, counted_round, open_round, proposal, to_voting, vote, world
from tests.test_rounds_scale import counting_queries

NAV = re.compile(r'<nav[^>]*aria-label="Menu".*?</nav>', re.S)


def _nav(page: str) -> str:
    found = NAV.search(page)
    return found.group(0) if found else ""


def _in_menu(page: str, text: str) -> bool:
    return re.search(rf">\s*{text}\s*<", _nav(page)) is not None


def _home(client, person) -> str:
    factories.login(client, person)
    return client.get("/c/west").data.decode()


def _awarded(app, amounts=(300_000, 90_000)):
    w = counted_round(app, amounts=amounts)
    with app.test_request_context("/", method="POST"):
        award_round(w)
        w["grants"] = db.session.exec(select(Grant).order_by(Grant.id)).all()
    return w


def _accept(app, w, index: int) -> Grant:
    with app.test_request_context("/", method="POST"):
        grant = db.session.get(Grant, w["grants"][index].id)
        award_ops.accept_grant(grant, w["applicants"][index], accepted_by_name="A Person", conditions_confirmed=True)
        db.session.commit()
        return grant


def test_a_grantee_finds_their_offer_on_the_home_page_and_in_the_menu(client, app):
    w = _awarded(app)
    grant = w["grants"][0]
    page = _home(client, w["applicants"][0])
    assert "Your grants and offers" in page
    assert f'href="/c/west/grants/{grant.id}"' in page
    assert "Grant for Project A" in page and "Accept or decline" in page
    assert "The offer ends on" in page
    # their organisation's proposal, but not another organisation's grant
    assert "Your organisation&#39;s proposals" in page or "Your organisation's proposals" in page
    assert "Grant for Project B" not in page
    assert 'href="/c/west/grants/"' in _nav(page) and _in_menu(page, "Grants")


def test_a_grantee_sees_the_reports_they_owe(client, app):
    w = _awarded(app)
    _accept(app, w, 0)
    page = _home(client, w["applicants"][0])
    assert "Reports to send" in page
    with app.app_context():
        report = db.session.exec(select(Report).where(Report.grant_id == w["grants"][0].id)).first()
    assert f'href="/c/west/grants/{w["grants"][0].id}/reports/{report.id}"' in page
    assert "End report for Project A" in page and "Due " in page


def test_a_member_sees_the_ballots_open_to_them_and_no_grants_menu(client, app):
    with app.test_request_context("/", method="POST"):
        w = world(organisations=2, extra_members=2)
        open_round(w)
        ps = [proposal(w, 0, title="Walking club", amount=300_000), proposal(w, 1, title="Baby massage", amount=300_000)]
        to_voting(w, ps)
        vote(w, w["members"][0], {ps[0].id: 1})
    voted = _home(client, w["members"][0])
    assert "Ballots open to you" in voted
    assert f'href="/c/west/rounds/{w["round"].id}/ballot"' in voted
    assert "Vote in Spring 2027 small grants" in voted and "Ballot saved" in voted
    assert not _in_menu(voted, "Grants") and _in_menu(voted, "Rounds")
    client.post("/logout", data={})
    other = app.test_client()
    page = _home(other, w["members"][1])
    assert "Not voted" in page


def test_a_facilitator_sees_what_waits_on_them(client, app):
    with app.test_request_context("/", method="POST"):
        w = world(organisations=2)
        open_round(w)
        proposal(w, 0, title="Walking club", amount=300_000)
        proposal(w, 1, title="Baby massage", amount=300_000)
        round_ops.move_round(w["round"], "close_proposals", w["facilitator"])
        outsider = factories.person("Olu", "olu@example.org")
        org = factories.organisation(w["collective"], "Olu's Group", status="pending")
        db.session.add(JoinRequest(collective_id=w["collective"].id, person_id=outsider.id, organisation_id=org.id))
        db.session.commit()
    page = _home(client, w["facilitator"])
    assert "What waits on you" in page
    assert "2 proposals to check for eligibility" in page
    assert f'href="/c/west/rounds/{w["round"].id}"' in page
    assert "Join requests" in page and "1 waiting" in page
    assert _in_menu(page, "Grants")


def test_a_facilitator_sees_reports_to_review_and_payments_due(client, app):
    w = _awarded(app)
    _accept(app, w, 0)
    _accept(app, w, 1)
    with app.test_request_context("/", method="POST"):
        report = db.session.exec(select(Report).where(Report.grant_id == w["grants"][1].id)).first()
        report_ops.save_report(report, {"what_happened": "Twelve walks.", "people_reached": {"black_african": 12},
                                        "outcomes_achieved": {}, "story": "", "story_consent": False, "spend": {}},
                               w["applicants"][1])
        report_ops.submit_report(report, w["applicants"][1])
        db.session.commit()
    page = _home(client, w["facilitator"])
    assert "Pay the grant for Project A" in page and "Payment due" in page
    assert "Review the end report for Project B" in page
    assert f'href="/c/west/grants/{w["grants"][1].id}/reports/{report.id}"' in page


def test_a_reviewer_sees_the_allocations_awaiting_review(client, app):
    w = counted_round(app)
    with app.test_request_context("/", method="POST"):
        round_ops.move_round(db.session.get(Round, w["round"].id), "submit_for_review", w["facilitator"])
        db.session.commit()
    page = _home(client, w["reviewer"])
    assert "Allocations awaiting your review" in page
    assert f'href="/c/west/rounds/{w["round"].id}/review/"' in page
    assert "To review" in page
    assert _in_menu(page, "Grants")


def test_the_proposal_page_links_to_its_grant(client, app):
    w = _awarded(app)
    grant = w["grants"][0]
    factories.login(client, w["applicants"][0])
    page = client.get(f"/c/west/rounds/{w['round'].id}/proposals/{grant.proposal_id}").data.decode()
    assert f'href="/c/west/grants/{grant.id}"' in page
    # a member who is not the grantee is not pointed at a grant they may not open
    other = app.test_client()
    factories.login(other, w["members"][0])
    page = other.get(f"/c/west/rounds/{w['round'].id}/proposals/{grant.proposal_id}").data.decode()
    assert f'href="/c/west/grants/{grant.id}"' not in page


def _facilitator_home_queries(app, amounts) -> int:
    w = _awarded(app, amounts=amounts)
    for n in range(len(amounts)):
        _accept(app, w, n)
    client = app.test_client()
    factories.login(client, w["facilitator"])
    client.get("/c/west")
    with counting_queries(app) as statements:
        assert client.get("/c/west").status_code == 200
    return len(statements)


def test_the_home_page_does_not_query_once_per_task(app):
    few = _facilitator_home_queries(app, (90_000,))
    from tests.conftest import _empty_tables

    with app.app_context():
        _empty_tables(db.engine)
    many = _facilitator_home_queries(app, (90_000, 80_000, 70_000, 60_000))
    assert many == few
