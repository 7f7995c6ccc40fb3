"""Operator commands: create-admin, seed-demo."""

from __future__ import annotations

from sqlmodel import func, select

from grants.auth.models import Person
from grants.collectives.models import Collective, Membership, Outcome, Theme
from grants.db import db
from grants.organisations.models import Organisation


def test_create_admin_creates_then_promotes(runner, app):
    result = runner.invoke(args=["create-admin", "--email", "Root@Example.org", "--name", "Root",
                                 "--password", "a long admin password"])
    assert result.exit_code == 0, result.output
    assert "Admin account created for root@example.org" in result.output
    result = runner.invoke(args=["create-admin", "--email", "root@example.org", "--name", "Root",
                                 "--password", "whatever password"])
    assert "is now a site admin" in result.output
    with app.app_context():
        admins = db.session.exec(select(Person).where(Person.is_admin == True)).all()  # noqa: E712
        assert [a.email for a in admins] == ["root@example.org"]


def test_create_admin_refuses_bad_input_without_a_traceback(runner, app):
    result = runner.invoke(args=["create-admin", "--email", "not-an-email", "--name", "X", "--password", "long password!"])
    assert result.exit_code == 2
    assert "Invalid value for --email" in result.output
    result = runner.invoke(args=["create-admin", "--email", "a@example.org", "--name", "X", "--password", "short"])
    assert result.exit_code == 2
    assert "at least 10 characters" in result.output
    with app.app_context():
        assert db.session.exec(select(Person)).all() == []


def test_seed_demo_builds_a_realistic_collective_once(runner, app):
    app.config["COMMONPOT_DEMO"] = True   # the seed runs only for the demo, by its flag
    result = runner.invoke(args=["seed-demo", "--force"])
    assert result.exit_code == 0, result.output
    assert "facilitator@demo.example.org" in result.output
    assert "commonpot-demo" in result.output
    again = runner.invoke(args=["seed-demo", "--force"])
    assert again.exit_code == 0
    with app.app_context():
        assert db.session.exec(select(func.count()).select_from(Collective)).one() == 1
        collective = db.session.exec(select(Collective)).one()
        assert collective.slug == "demo"
        organisations = db.session.exec(select(Organisation)).all()
        assert 8 <= len(organisations) <= 12
        assert len({o.kind for o in organisations}) >= 5
        assert len({c for o in organisations for c in o.communities_served}) >= 8
        memberships = db.session.exec(select(Membership)).all()
        assert sum(m.is_reviewer for m in memberships) == 2
        assert sum(m.is_facilitator for m in memberships) >= 1
        assert sum(m.is_member for m in memberships) >= 8
        assert len(db.session.exec(select(Theme)).all()) == 5
        assert {o.term for o in db.session.exec(select(Outcome)).all()} == {"short", "medium", "long"}
        # a round in progress: its vote is open, with proposals in it and some ballots cast
        from grants.proposals.models import Proposal
        from grants.rounds.models import Round
        from grants.voting.models import Ballot

        states = sorted(r.state for r in db.session.exec(select(Round)).all())
        assert states == ["awarded", "voting"]
        assert len(db.session.exec(select(Proposal).where(Proposal.state == "in_vote")).all()) >= 6
        assert len(db.session.exec(select(Ballot)).all()) >= 3
        # and one already awarded, so every document has something real to show
        from grants.awards.models import Grant
        from grants.reporting.models import Report

        assert {g.state for g in db.session.exec(select(Grant)).all()} >= {"offered", "paid", "closed"}
        # one report waiting for the facilitator, one accepted (it feeds "you said, we did")
        assert sorted(r.state for r in db.session.exec(select(Report)).all()) == ["accepted", "submitted"]


def test_demo_logins_work(runner, app, client, outbox):
    app.config["COMMONPOT_DEMO"] = True   # the seed runs only for the demo, by its flag
    runner.invoke(args=["seed-demo", "--force"])
    assert outbox == []          # seeding emails nobody
    response = client.post("/login", data={"email": "facilitator@demo.example.org", "password": "commonpot-demo"})
    assert response.status_code == 302
    assert b"Join requests" in client.get("/c/demo").data


def test_the_pabulib_commands_are_on_the_flask_cli(runner):
    import json

    from tests.conftest import SHARED

    path = SHARED / "pabulib" / "instances" / "Netherlands_Assen_2024.pb"
    result = runner.invoke(args=["pabulib", "allocate", str(path), "--rule", "greedy_cost", "--json"])
    assert result.exit_code == 0, result.output
    reference = json.loads((SHARED / "pabulib" / "reference.json").read_text())["Netherlands_Assen_2024.pb"]
    assert set(json.loads(result.output)["greedy_cost"]["selected"]) == set(reference["greedy_cost"]["selected"])
    assert runner.invoke(args=["pabulib", "check", str(path)]).output.startswith("OK: 14 projects")
