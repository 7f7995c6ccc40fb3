"""Registration confirms the email address with a signed, single-use, expiring link; registration
and password reset answer the same whether or not an account exists (ASVS V2.1, V2.5)."""

from __future__ import annotations

import re

from datetime import timedelta

import time_machine
from sqlmodel import select

from grants.audit.models import AuditEvent
from grants.auth.models import Person
from grants.db import db
from grants.timeutil import utcnow
from tests import factories
from tests.mailserver import body

NEW = {"name": "Amina Yusuf", "email": "amina@example.org", "password": "a long enough password",
       "confirm": "a long enough password", "preferred_language": "en"}


def _link(message, path: str) -> str:
    return re.search(rf"http://127\.0\.0\.1:5000({path}/\S+)", body(message)).group(1)


def _sign_in(client, email=NEW["email"], password=NEW["password"]):
    return client.post("/login", data={"email": email, "password": password})


def test_an_unconfirmed_account_cannot_sign_in_and_is_told_how_to_get_a_link(client, app, mail_server):
    client.post("/register", data=NEW)
    mail_server.wait_for(1)
    response = _sign_in(client)
    page = response.data.decode()
    assert response.status_code == 200
    assert "Confirm your email address before you sign in" in page
    assert "/email/confirm?email=amina@example.org" in page
    assert client.get("/account").status_code == 302
    # a wrong password says nothing about the account's state
    response = _sign_in(client, password="not the password at all")
    assert "Confirm your email address" not in response.data.decode()
    assert "Enter a correct email address and password" in response.data.decode()


def test_the_link_confirms_once_and_then_the_person_signs_in(client, app, mail_server):
    client.post("/register", data=NEW)
    path = _link(mail_server.wait_for(1)[0], "/email/confirm")
    page = client.get(path)
    assert page.status_code == 200 and b"Confirm my email address" in page.data
    with app.app_context():
        assert db.session.exec(select(Person)).one().email_verified_at is None  # a GET changes nothing
    response = client.post(path)
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    with app.app_context():
        person = db.session.exec(select(Person)).one()
        assert person.email_verified_at is not None
        assert db.session.exec(select(AuditEvent).where(AuditEvent.action == "account.email_verified")).one()
    assert _sign_in(client).status_code == 302
    # used: the same link no longer works
    client.post("/logout")
    assert client.get(path).status_code == 400
    assert b"This link does not work" in client.post(path).data


def test_the_link_expires(client, app, mail_server):
    client.post("/register", data=NEW)
    path = _link(mail_server.wait_for(1)[0], "/email/confirm")
    hours = app.config["EMAIL_VERIFICATION_HOURS"]
    with time_machine.travel(utcnow() + timedelta(hours=hours, minutes=1)):
        assert client.get(path).status_code == 400
        assert client.post(path).status_code == 400
    with app.app_context():
        assert db.session.exec(select(Person)).one().email_verified_at is None


def test_forged_and_mangled_links_are_refused(client, app, mail_server):
    client.post("/register", data=NEW)
    path = _link(mail_server.wait_for(1)[0], "/email/confirm")
    for bad in (path[:-3] + "abc", "/email/confirm/garbage", "/email/confirm/" + "a" * 300):
        assert client.post(bad).status_code == 400
    with app.app_context():
        assert db.session.exec(select(Person)).one().email_verified_at is None


def test_a_new_link_can_be_asked_for_and_the_answer_is_the_same_for_anyone(client, app, mail_server):
    client.post("/register", data=NEW)
    mail_server.wait_for(1)
    mail_server.messages.clear()
    answers = []
    for email in ("amina@example.org", "nobody@example.org"):
        response = client.post("/email/confirm", data={"email": email})
        answers.append(response.data.decode().replace(email, "EMAIL"))
    assert _without_nonces(answers[0]) == _without_nonces(answers[1])
    messages = mail_server.wait_for(2, timeout=1)
    assert [m["To"] for m in messages] == ["amina@example.org"]
    assert client.post(_link(messages[0], "/email/confirm")).status_code == 302


def test_registering_a_taken_address_answers_the_same_and_emails_its_owner_a_reset_link(client, app, mail_server):
    with app.app_context():
        owner = factories.person("Owner Person", "owner@example.org")
        db.session.commit()
    fresh = client.post("/register", data={**NEW, "email": "fresh@example.org"}).data.decode()
    taken = client.post("/register", data={**NEW, "email": "owner@example.org"}).data.decode()
    assert _without_nonces(fresh.replace("fresh@example.org", "EMAIL")) == _without_nonces(taken.replace("owner@example.org", "EMAIL"))
    messages = {m["To"]: m for m in mail_server.wait_for(2)}
    assert "Confirm your email address" in messages["fresh@example.org"]["Subject"]
    warning = messages["owner@example.org"]
    assert "tried to create a Commonpot account" in warning["Subject"]
    reset = _link(warning, "/password/reset")
    with app.app_context():
        person = db.session.get(Person, owner.id)
        assert person.name == "Owner Person" and person.check_password(factories.PASSWORD)  # nothing changed
    response = client.post(reset, data={"password": "a brand new password", "confirm": "a brand new password"})
    assert response.status_code == 302
    assert _sign_in(client, "owner@example.org", "a brand new password").status_code == 302


def test_password_reset_answers_the_same_for_any_address(client, app, mail_server):
    with app.app_context():
        factories.person(email="known@example.org")
        db.session.commit()
    known = client.post("/password/forgot", data={"email": "known@example.org"}).data.decode()
    unknown = client.post("/password/forgot", data={"email": "ghost@example.org"}).data.decode()
    assert _without_nonces(known.replace("known@example.org", "EMAIL")) == _without_nonces(unknown.replace("ghost@example.org", "EMAIL"))
    assert [m["To"] for m in mail_server.wait_for(2, timeout=1)] == ["known@example.org"]


def test_a_reset_link_also_confirms_the_address(client, app, mail_server):
    client.post("/register", data=NEW)
    mail_server.wait_for(1)
    mail_server.messages.clear()
    client.post("/password/forgot", data={"email": NEW["email"]})
    reset = _link(mail_server.wait_for(1)[0], "/password/reset")
    client.post(reset, data={"password": "a brand new password", "confirm": "a brand new password"})
    assert _sign_in(client, password="a brand new password").status_code == 302


def test_accounts_from_an_invitation_or_the_demo_are_confirmed(app, runner):
    result = runner.invoke(args=["create-admin", "--email", "admin@example.org", "--name", "Admin",
                                 "--password", "a long admin password"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert db.session.exec(select(Person)).one().email_verified_at is not None


def _without_nonces(page: str) -> str:
    """A page as a person sees it: the CSP nonce (new on every response) left out."""
    return re.sub(r' nonce="[^"]*"', "", page)
