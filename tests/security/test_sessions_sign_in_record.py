"""Every sign-in attempt is recorded (never the password) and logged; the account page lists them (ASVS V7)."""

from __future__ import annotations

import logging
from datetime import datetime, timezone

import time_machine
from sqlmodel import select

from grants.auth.models import SignInEvent
from grants.auth.sessions import email_digest
from grants.db import db
from tests import factories


def _events(app) -> list[SignInEvent]:
    with app.app_context():
        return list(db.session.exec(select(SignInEvent).order_by(SignInEvent.id)).all())


def test_successful_and_failed_sign_ins_are_recorded_without_the_password(client, app, caplog):
    with app.app_context():
        who = factories.person(email="sam@example.org")
        db.session.commit()
    caplog.set_level(logging.INFO, logger="grants.auth.sessions")
    client.post("/login", data={"email": "sam@example.org", "password": "my secret guess"})
    client.post("/login", data={"email": "Typo@Example.org", "password": "hunter2 password"})
    factories.login(client, who)
    events = _events(app)
    assert [(e.person_id, e.succeeded, e.outcome) for e in events] == [
        (who.id, False, "wrong password"), (None, False, "no such account"), (who.id, True, "signed in")]
    assert all(e.address == "127.0.0.1" for e in events)
    with app.app_context():
        assert events[1].email_digest == email_digest("typo@example.org") and len(events[1].email_digest) == 32
    assert events[0].email_digest is None
    for e in events:
        stored = " ".join(str(v) for v in e.model_dump().values())
        assert "secret guess" not in stored and "hunter2" not in stored and "typo" not in stored.lower()
    logged = caplog.text
    assert "failed sign-in (wrong password)" in logged and "sign-in: person" in logged
    assert "secret guess" not in logged and "hunter2" not in logged and "typo@example.org" not in logged.lower()


def test_the_account_page_lists_recent_sign_ins_in_london_time(client, app):
    with app.app_context():
        who = factories.person(email="sam@example.org")
        db.session.commit()
    # 3 July 2027 13:05 UTC is 14:05 in London (summer time)
    with time_machine.travel(datetime(2027, 7, 3, 13, 5, tzinfo=timezone.utc), tick=False):
        client.post("/login", data={"email": "sam@example.org", "password": "a wrong password"})
        factories.login(client, who)
        page = client.get("/account").data.decode()
    assert "Recent sign-ins" in page
    assert page.count("3 July 2027 at 14:05") == 2
    assert "Failed: wrong password" in page and "Signed in" in page
    assert "127.0.0.1" in page


def test_the_account_page_shows_only_the_persons_own_sign_ins(client, app):
    with app.app_context():
        who = factories.person(email="sam@example.org")
        other = factories.person(email="other@example.org")
        db.session.commit()
    other_client = app.test_client()
    other_client.post("/login", data={"email": other.email, "password": "a wrong password"},
                      environ_base={"REMOTE_ADDR": "203.0.113.9"})
    factories.login(client, who)
    page = client.get("/account").data.decode()
    assert "203.0.113.9" not in page and "Failed" not in page
