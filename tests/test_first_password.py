"""The demo stays a demo: seeding needs the demo flag, and the admin's published password is replaced
at first sign-in anywhere but on one's own machine."""

from __future__ import annotations

import pytest
from sqlmodel import func, select

from grants.audit.models import AuditEvent
from grants.auth.models import Person
from grants.collectives.models import Collective
from grants.db import db
from grants.demo import DEMO_PASSWORD
from tests import factories

PUBLIC = "http://grants.example.org"
ADMIN = "admin@demo.example.org"


@pytest.fixture(autouse=True)
def public_host(app):
    app.config["TRUSTED_HOSTS"] = ["grants.example.org", "localhost", "127.0.0.1"]


def _seed(app, runner, *args):
    app.config["COMMONPOT_DEMO"] = True
    return runner.invoke(args=["seed-demo", *args])


def _count(model) -> int:
    return db.session.exec(select(func.count()).select_from(model)).one()


def test_seed_demo_needs_the_demo_flag(app, runner):
    result = runner.invoke(args=["seed-demo", "--force"])
    assert result.exit_code == 1
    assert "COMMONPOT_DEMO=1" in result.output
    with app.app_context():
        assert _count(Person) == 0


def test_seed_demo_refuses_a_database_url_database_unless_forced(app, runner):
    # the test database is named by DATABASE_URL, not the demo's own instance/commonpot.sqlite3
    result = _seed(app, runner)
    assert result.exit_code == 1
    assert "DATABASE_URL names" in result.output and "--force" in result.output
    assert "password" not in result.output.split("DATABASE_URL names", 1)[1].split(",")[0]
    with app.app_context():
        assert _count(Person) == 0
    assert _seed(app, runner, "--force").exit_code == 0


def test_seed_demo_refuses_a_database_that_already_has_people(app, runner):
    with app.app_context():
        factories.person("Real Person", "real@example.org")
        db.session.commit()
    refused = _seed(app, runner, "--force")
    assert refused.exit_code == 1 and "already has accounts" in refused.output
    skipped = _seed(app, runner, "--force", "--if-empty")       # what make run does: say so, go on
    assert skipped.exit_code == 0 and "already has accounts" in skipped.output
    with app.app_context():
        assert _count(Collective) == 0 and _count(Person) == 1


def test_seed_demo_into_its_own_database_needs_no_force(app, runner, monkeypatch):
    from grants import config as config_module

    real_defaults = config_module.defaults
    monkeypatch.setattr(config_module, "defaults",
                        lambda path: {**real_defaults(path), "DATABASE_URL": app.config["DATABASE_URL"]})
    result = _seed(app, runner, "--if-empty")
    assert result.exit_code == 0, result.output
    assert ADMIN in result.output and "choose a new password at first sign-in" in result.output
    again = _seed(app, runner, "--if-empty")                     # make run a second time: the same logins
    assert again.exit_code == 0 and ADMIN in again.output


def _signed_in_admin(app, runner, base_url):
    assert _seed(app, runner, "--force").exit_code == 0
    client = app.test_client()
    response = client.post("/login", data={"email": ADMIN, "password": DEMO_PASSWORD}, base_url=base_url)
    assert response.status_code == 302
    return client


def test_the_demo_admin_chooses_a_new_password_before_anything_else_on_a_public_host(app, runner):
    client = _signed_in_admin(app, runner, PUBLIC)
    for path in ("/", "/admin/", "/admin/people", "/account", "/c/demo"):
        response = client.get(path, base_url=PUBLIC)
        assert response.status_code == 302, path
        assert response.headers["Location"].endswith("/account/new-password"), path
    with app.app_context():
        someone = db.session.exec(select(Person).where(Person.email == "member1@demo.example.org")).one()
    # a POST is turned away too, and changes nothing
    response = client.post(f"/admin/people/{someone.id}/active/0", base_url=PUBLIC)
    assert response.headers["Location"].endswith("/account/new-password")
    with app.app_context():
        assert db.session.get(Person, someone.id).active
    assert client.get("/healthz", base_url=PUBLIC).status_code == 200

    page = client.get("/account/new-password", base_url=PUBLIC)
    assert page.status_code == 200 and b"published with the demo" in page.data
    same = client.post("/account/new-password", data={"password": DEMO_PASSWORD, "confirm": DEMO_PASSWORD},
                       base_url=PUBLIC)
    assert same.status_code == 200 and b"different from the one you signed in with" in same.data
    mismatch = client.post("/account/new-password", data={"password": "a brand new phrase", "confirm": "other"},
                           base_url=PUBLIC)
    assert b"The passwords do not match" in mismatch.data
    done = client.post("/account/new-password", data={"password": "a brand new phrase",
                                                      "confirm": "a brand new phrase"}, base_url=PUBLIC)
    assert done.status_code == 302
    assert client.get("/admin/", base_url=PUBLIC).status_code == 200
    assert client.get("/account/new-password", base_url=PUBLIC).headers["Location"].endswith("/account")
    with app.app_context():
        admin = db.session.exec(select(Person).where(Person.email == ADMIN)).one()
        assert not admin.must_change_password and admin.check_password("a brand new phrase")
        assert db.session.exec(select(AuditEvent).where(AuditEvent.action == "account.password_chosen")).one()


def test_on_localhost_the_demo_admin_goes_straight_in(app, runner):
    client = _signed_in_admin(app, runner, "http://127.0.0.1:5000")
    assert client.get("/admin/", base_url="http://127.0.0.1:5000").status_code == 200
    # a forged Host from elsewhere is not localhost
    assert client.get("/admin/", base_url="http://127.0.0.1:5000",
                      environ_overrides={"REMOTE_ADDR": "203.0.113.5"}).status_code == 302


def test_only_the_demo_admin_is_asked(app, runner):
    assert _seed(app, runner, "--force").exit_code == 0
    client = app.test_client()
    client.post("/login", data={"email": "facilitator@demo.example.org", "password": DEMO_PASSWORD},
                base_url=PUBLIC)
    assert client.get("/c/demo", base_url=PUBLIC).status_code == 200


def test_choosing_the_new_password_ends_every_other_session(app, runner):
    """Whoever else signed in with the published password is signed out once it is replaced."""
    client = _signed_in_admin(app, runner, PUBLIC)
    other = app.test_client()
    other.post("/login", data={"email": ADMIN, "password": DEMO_PASSWORD}, base_url=PUBLIC)
    assert other.get("/account/new-password", base_url=PUBLIC).status_code == 200
    done = client.post("/account/new-password", data={"password": "a brand new phrase",
                                                      "confirm": "a brand new phrase"}, base_url=PUBLIC)
    assert done.status_code == 302
    assert client.get("/admin/", base_url=PUBLIC).status_code == 200          # this browser stays in
    ended = other.get("/admin/", base_url=PUBLIC)
    assert ended.status_code == 302 and "/login" in ended.headers["Location"]
    with app.app_context():
        event = db.session.exec(select(AuditEvent).where(AuditEvent.action == "account.password_chosen")).one()
        assert "every other session ended" in event.summary
