"""Accounts: register, sign in and out, reset a password by email, change details."""

from __future__ import annotations

import re

import pytest
from flask_babel import force_locale, gettext
from sqlmodel import func, select

from grants.audit.models import AuditEvent
from grants.auth.models import Person
from grants.db import db
from tests import factories
from tests.mailserver import body

GOOD = {"name": "Amina Yusuf", "email": "Amina@Example.org", "password": "a long enough password",
        "confirm": "a long enough password", "preferred_language": "so"}


def count(model) -> int:
    return db.session.exec(select(func.count()).select_from(model)).one()


def test_register_creates_a_hashed_unconfirmed_account_and_emails_a_link(client, app, mail_server):
    response = client.post("/register", data=GOOD)
    assert response.status_code == 200
    assert b"Check your email" in response.data
    with app.app_context():
        person = db.session.exec(select(Person)).one()
        assert person.email == "amina@example.org"      # stored lower-cased
        assert person.password_hash.startswith("scrypt:")
        assert person.preferred_language == "so"
        assert person.email_verified_at is None
        assert db.session.exec(select(AuditEvent).where(AuditEvent.action == "account.created")).one()
    # not signed in until the address is confirmed
    assert client.get("/account").status_code == 302
    message = mail_server.wait_for(1)[0]
    assert message["To"] == "amina@example.org"
    path = re.search(r"http://127\.0\.0\.1:5000(/email/confirm/\S+)", body(message)).group(1)
    assert client.post(path).status_code == 302
    assert factories.login(client, person, GOOD["password"]).status_code == 302
    assert b"Your account" in client.get("/account").data


@pytest.mark.parametrize("changes, field, message", [
    ({"email": "not-an-email"}, "email", "Enter an email address in the correct format"),
    ({"password": "short", "confirm": "short"}, "password", "at least 10 characters"),
    ({"confirm": "something else entirely"}, "confirm", "The passwords do not match"),
    ({"name": ""}, "name", "Enter your full name"),
    ({"preferred_language": "klingon"}, "preferred_language", "Not a valid choice"),
])
def test_register_refuses_bad_input_beside_the_field_and_keeps_what_was_typed(client, app, changes, field, message):
    response = client.post("/register", data={**GOOD, **changes})
    page = response.data.decode()
    assert response.status_code == 200
    assert message in page
    assert "There is a problem" in page
    assert 'value="Amina Yusuf"' in page or field == "name"
    with app.app_context():
        assert count(Person) == 0


def test_register_with_a_taken_email_whatever_its_case_creates_nothing_and_tells_the_owner(client, app, mail_server):
    client.post("/register", data=GOOD)
    mail_server.wait_for(1)
    mail_server.messages.clear()
    response = client.post("/register", data={**GOOD, "email": "AMINA@example.ORG", "name": "Someone Else"})
    assert b"Check your email" in response.data
    assert b"already exists" not in response.data
    with app.app_context():
        assert count(Person) == 1
    message = mail_server.wait_for(1)[0]
    assert message["To"] == "amina@example.org" and "tried to create" in message["Subject"]


def test_login_with_wrong_password_says_so_without_revealing_which(client, app):
    with app.app_context():
        who = factories.person(email="x@example.org")
        db.session.commit()
    response = client.post("/login", data={"email": who.email, "password": "wrong password"})
    assert b"Enter a correct email address and password" in response.data
    response = client.post("/login", data={"email": "nobody@example.org", "password": "wrong password"})
    assert b"Enter a correct email address and password" in response.data


def test_inactive_accounts_cannot_sign_in(client, app):
    with app.app_context():
        who = factories.person(active=False)
        db.session.commit()
    response = factories.login(client, who)
    assert response.status_code == 200
    assert b"Enter a correct email address and password" in response.data


@pytest.mark.parametrize("target, expected", [
    ("/account", "/account"),
    ("https://evil.example.com/", "/"),
    ("//evil.example.com/", "/"),
    ("/\\evil.example.com", "/"),
    ("javascript:alert(1)", "/"),
])
def test_login_follows_only_safe_next_urls(client, app, target, expected):
    with app.app_context():
        who = factories.person()
        db.session.commit()
    response = client.post("/login", data={"email": who.email, "password": factories.PASSWORD, "next": target})
    assert response.status_code == 302
    assert response.headers["Location"] == expected


def test_logout_is_a_post_and_ends_the_session(client, app):
    with app.app_context():
        who = factories.person()
        db.session.commit()
    factories.login(client, who)
    assert client.get("/logout").status_code == 405
    client.post("/logout")
    assert client.get("/account").status_code == 302


def test_password_reset_by_emailed_link_works_once(client, app, mail_server):
    with app.app_context():
        who = factories.person(email="reset@example.org")
        db.session.commit()
    response = client.post("/password/forgot", data={"email": "RESET@example.org"})
    assert b"Check your email" in response.data
    messages = mail_server.wait_for(1)
    assert messages[0]["To"] == "reset@example.org"
    path = re.search(r"http://127\.0\.0\.1:5000(/password/reset/\S+)", body(messages[0])).group(1)
    response = client.post(path, data={"password": "a brand new password", "confirm": "a brand new password"})
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert factories.login(client, who, "a brand new password").status_code == 302
    # the same link cannot be used twice: the password hash it was bound to has changed
    assert client.get(path).status_code == 400


def test_password_reset_for_unknown_email_sends_nothing_and_says_the_same(client, mail_server):
    response = client.post("/password/forgot", data={"email": "ghost@example.org"})
    assert b"Check your email" in response.data
    assert mail_server.wait_for(1, timeout=0.3) == []


@pytest.mark.parametrize("token", ["garbage", "eyJpZCI6MX0.forged.signature", "a" * 300])
def test_bad_reset_tokens_get_a_clear_page_not_an_error(client, token):
    response = client.get(f"/password/reset/{token}")
    assert response.status_code == 400
    assert b"This link does not work" in response.data


def test_account_details_and_password_change(client, app):
    with app.app_context():
        who = factories.person()
        db.session.commit()
    factories.login(client, who)
    response = client.post("/account", data={"account-name": "New Name", "account-preferred_language": "ur",
                                              "account-submit": "Save changes"})
    assert response.status_code == 302
    response = client.post("/account", data={"password-current": "wrong", "password-password": "another password!",
                                              "password-confirm": "another password!", "password-submit": "x"})
    with app.app_context(), force_locale("ur"):  # the refusal is in the language just chosen
        assert gettext("Your current password is not right") in response.get_data(as_text=True)
    with app.app_context():
        person = db.session.get(Person, who.id)
        assert (person.name, person.preferred_language, person.wants_reminders) == ("New Name", "ur", False)
        assert person.check_password(factories.PASSWORD)
