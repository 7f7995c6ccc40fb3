"""Personal data (UK GDPR): a person downloads everything held about them; a site admin erases a
person on request, after which no page, download or log shows their name or email address."""

from __future__ import annotations

from grants.auth.models import SignInEvent

import json

import sqlalchemy as sa
from sqlmodel import select

from grants.auth.models import Person
from grants.db import db
from grants.voting.models import Ballot
from tests import factories
from tests.security.crawl import crawl
from tests.security.ballot_world import ERASABLE, decided_round


def _login(app, who):
    client = app.test_client()
    assert factories.login(client, who).status_code == 302
    return client


def test_a_person_sees_and_downloads_everything_held_about_them_and_only_their_own_ballot(app):
    w = decided_round(app)
    voter = w["members"][0]
    client = _login(app, voter)
    account = client.get("/account").get_data(as_text=True)
    assert 'href="/account/your-data"' in account and 'href="/account/your-data.json"' in account
    response = client.get("/account/your-data.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert "attachment" in response.headers["Content-Disposition"] and response.headers["Cache-Control"] == "no-store"
    data = json.loads(response.data)
    assert data["account"] == [{**data["account"][0], "name": ERASABLE[1][0], "email": ERASABLE[1][1]}]
    assert [m["collective"] for m in data["memberships"]] == ["West Collective"]
    assert len(data["ballots"]) == 1
    assert data["ballots"][0]["marks"] == {"Project A": 1, "Project B": 1}
    assert data["ballots"][0]["kind"] == "online"
    assert [row["action"] for row in data["audit"]] == ["ballot.cast"]
    page = client.get("/account/your-data").get_data(as_text=True)
    assert "Project A: 1; Project B: 1" in page and "Your ballots" in page
    # Nobody else's ballot, and no one else's address.
    others = [m.email for m in w["members"][1:]] + [w["facilitator"].email]
    assert not [email for email in others if email in response.get_data(as_text=True) or email in page]

    applicant = _login(app, w["applicants"][0])
    data = applicant.get("/account/your-data.json").get_json()
    assert [o["organisation"] for o in data["contact_for"]] == ["Organisation A"]
    assert data["contact_for"][0]["contact_phone"] == "0121 496 0000"
    assert [p["title"] for p in data["proposals"]] == ["Project A"]
    assert data["grants_accepted"][0]["name_you_typed"] == ERASABLE[0][0]
    assert data["ballots"] == []
    assert {"grant.accept", "proposal.submit"} & {row["action"] for row in data["audit"]} or data["history"]
    assert "accept" in {row["transition"] for row in data["history"]}

    paper_voter = _login(app, w["members"][3])
    data = paper_voter.get("/account/your-data.json").get_json()
    assert data["ballots"][0]["kind"].startswith("paper") and data["ballots"][0]["marks"] == {"Project C": 1}
    assert [row["action"] for row in data["audit"]] == ["ballot.paper_entered"]
    assert w["facilitator"].email not in json.dumps(data)   # who entered it: by name only


def _log_text(app) -> str:
    with app.app_context():
        rows = []
        for table in ("audit_event", "state_history", "review_message", "count", "grant", "organisation",
                      "invitation", "join_request", "person", "outbox_message"):
            rows += [str(tuple(row)) for row in db.session.execute(sa.text(f'SELECT * FROM "{table}"'))]
        return "\n".join(rows).lower()


def test_after_erasure_no_page_download_or_log_shows_the_person(app):
    w = decided_round(app)
    admin = factories_admin(app)
    people = [w["applicants"][0], w["members"][0], w["members"][3]]
    round_id = w["round"].id
    with app.app_context():
        before_file = app.test_client().get(f"/c/west/rounds/{round_id}/election.pb").data
    facilitator = _login(app, w["facilitator"])
    assert facilitator.get(f"/admin/people/{people[0].id}/erase").status_code == 403
    text = _log_text(app)
    assert all(name.lower() in text and email in text for name, email in ERASABLE)   # the test can see them

    client = _login(app, admin)
    page = client.get(f"/admin/people/{people[0].id}/erase").get_data(as_text=True)
    assert "What is kept" in page and "Grant records" in page and "Their ballots" in page
    # Without the confirmation nothing happens, and the page says why.
    response = client.post(f"/admin/people/{people[0].id}/erase", data={"request_note": "Email of 1 December"})
    assert response.status_code == 200 and "Confirm that you have checked the request" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Person, people[0].id).erased_at is None
    _login(app, people[1])   # a sign-in on record, with its network address
    with app.app_context():
        assert db.session.execute(sa.select(sa.func.count()).select_from(SignInEvent)
                                  .where(SignInEvent.person_id == people[1].id)).scalar() >= 1
    for person in people:
        response = client.post(f"/admin/people/{person.id}/erase",
                               data={"request_note": f"Email from {person.name}", "confirmed": "y"})
        assert response.status_code == 302, response.get_data(as_text=True)

    # Everything the facilitator, the admin, a reviewer, a member and the public can reach.
    start = ("/", "/c/west", f"/c/west/rounds/{round_id}", f"/c/west/rounds/{round_id}/results",
             f"/c/west/rounds/{round_id}/election.pb", f"/c/west/rounds/{round_id}/turnout",
             f"/c/west/rounds/{round_id}/review/", f"/c/west/rounds/{round_id}/review/decision-report.pdf",
             f"/c/west/rounds/{round_id}/impact-report.pdf", "/c/west/audit", "/c/west/audit?page=2",
             "/c/west/grants/", "/c/west/grants/grants.csv", f"/c/west/grants/{w['grant_id']}",
             f"/c/west/grants/{w['grant_id']}/award-letter.pdf", "/admin/", "/admin/people", "/admin/mail",
             "/c/west/mail")
    reached_pages = 0
    for who in (w["facilitator"], admin, w["reviewer"], w["members"][1], None):
        visitor = _login(app, who) if who is not None else app.test_client()
        reached = crawl(visitor, start)
        reached_pages += len(reached.pages)
        for name, email in ERASABLE:
            assert reached.containing(name) == [] and reached.containing(email) == [], (who, name)
    assert reached_pages > 100
    text = _log_text(app)
    assert not [name for name, email in ERASABLE if name.lower() in text or email in text]

    with app.app_context():
        for person in people:
            erased = db.session.get(Person, person.id)
            assert erased.email == f"erased-{person.id}@invalid" and erased.name == "Former member"
            assert not erased.active and erased.erased_at is not None and not erased.check_password(factories.PASSWORD)
        # Their ballots still count, linked to nobody; the election file is the same file.
        assert db.session.exec(select(Ballot.member_id).where(Ballot.round_id == round_id)).all().count(None) == 2
        assert db.session.execute(sa.text("SELECT count(*) FROM audit_event WHERE erased_at IS NOT NULL")).scalar() > 0
        # Their sign-ins (network addresses) are gone with them.
        ids = tuple(person.id for person in people)
        assert db.session.execute(sa.select(sa.func.count()).select_from(SignInEvent)
                                  .where(SignInEvent.person_id.in_(ids))).scalar() == 0
    assert app.test_client().get(f"/c/west/rounds/{round_id}/election.pb").data == before_file
    assert factories.login(app.test_client(), people[1]).headers.get("Location") is None   # cannot sign in
    assert "a former member" in _login(app, w["facilitator"]).get("/c/west/audit").get_data(as_text=True)
    # Erasing twice is refused, and the admin is told.
    page = client.get(f"/admin/people/{people[0].id}/erase").get_data(as_text=True)
    assert "has been erased" in page


def factories_admin(app):
    with app.app_context():
        admin = factories.person("Site Admin", "admin@example.org", is_admin=True)
        db.session.commit()
        return admin
