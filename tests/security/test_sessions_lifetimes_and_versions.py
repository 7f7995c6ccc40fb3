"""Sessions (ASVS V3): cookie flags, an idle timeout and an absolute lifetime, and a session version
that a password change, a reset or "sign out everywhere" raises, ending every other session."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from werkzeug.http import parse_cookie

from grants import create_app
from grants.auth.models import Person
from grants.db import db
from grants.timeutil import utcnow
from tests import factories
from tests.mailserver import body


def _person(app, email="sam@example.org"):
    with app.app_context():
        who = factories.person("Sam Okafor", email)
        db.session.commit()
        return who


def _set_cookies(response) -> dict[str, str]:
    """Each Set-Cookie header of a response, by cookie name, as written."""
    return {header.split("=", 1)[0]: header for header in response.headers.getlist("Set-Cookie")}


def _signed_in(client) -> bool:
    return client.get("/account").status_code == 200


def _sign_in(client, who, password=factories.PASSWORD, remember=False):
    data = {"email": who.email, "password": password}
    if remember:
        data["remember"] = "y"
    response = client.post("/login", data=data)
    assert response.status_code == 302, response.data
    return response


def test_the_session_and_remember_cookies_are_secure_httponly_and_lax(client, app):
    who = _person(app)
    cookies = _set_cookies(_sign_in(client, who, remember=True))
    for name in ("session", "remember_token"):
        flags = [part.strip().lower() for part in cookies[name].split(";")]
        assert "secure" in flags and "httponly" in flags and "samesite=lax" in flags, cookies[name]


@pytest.mark.parametrize(("debug", "base_url", "secure"), [
    (True, "http://127.0.0.1:5000", False),        # developing on this machine
    (True, "http://localhost:5000", False),
    (True, "https://grants.example.org", True),    # debug, but reached from elsewhere
    (False, "http://127.0.0.1:5000", True),
])
def test_secure_cookies_unless_debugging_on_localhost(app_config, outbox, debug, base_url, secure):
    app = create_app({**app_config, "DEBUG": debug, "COMMONPOT_BASE_URL": base_url})
    assert app.config["SESSION_COOKIE_SECURE"] is secure
    assert app.config["REMEMBER_COOKIE_SECURE"] is secure
    app.extensions["commonpot_db"].dispose()


def test_an_idle_session_ends(client, app):
    who = _person(app)
    _sign_in(client, who)
    idle = app.config["SESSION_IDLE_MINUTES"]
    with time_machine.travel(utcnow() + timedelta(minutes=idle - 1)):
        assert _signed_in(client)      # a request moves the idle clock on...
    with time_machine.travel(utcnow() + timedelta(minutes=2 * idle - 3)):
        assert _signed_in(client)
    with time_machine.travel(utcnow() + timedelta(minutes=3 * idle)):
        response = client.get("/account")
        assert response.status_code == 302 and "/login" in response.headers["Location"]
        assert f"had not done anything for {idle} minutes" in client.get("/login").data.decode()


def test_a_busy_session_still_ends_at_its_absolute_lifetime(client, app):
    who = _person(app)
    _sign_in(client, who)
    hours = app.config["SESSION_ABSOLUTE_HOURS"]
    step = timedelta(minutes=app.config["SESSION_IDLE_MINUTES"] - 5)
    moment, end = utcnow(), utcnow() + timedelta(hours=hours)
    while moment + step < end:
        moment += step
        with time_machine.travel(moment):
            assert _signed_in(client), moment
    with time_machine.travel(end + timedelta(minutes=1)):
        assert not _signed_in(client)
        assert f"signed in more than {hours} hours ago" in client.get("/login").data.decode()


def test_remember_me_survives_the_browser_closing_and_idleness_but_not_the_lifetime(client, app):
    who = _person(app)
    _sign_in(client, who, remember=True)
    client.delete_cookie("session")                      # the browser was closed
    assert _signed_in(client)
    idle = app.config["SESSION_IDLE_MINUTES"]
    with time_machine.travel(utcnow() + timedelta(minutes=idle + 5)):
        assert _signed_in(client)
    with time_machine.travel(utcnow() + timedelta(hours=app.config["SESSION_ABSOLUTE_HOURS"], minutes=1)):
        client.delete_cookie("session")
        assert not _signed_in(client)


def test_without_remember_me_closing_the_browser_signs_out(client, app):
    who = _person(app)
    cookies = _set_cookies(_sign_in(client, who))
    assert "remember_token" not in cookies
    assert "expires" not in cookies["session"].lower()   # a browser-session cookie
    client.delete_cookie("session")
    assert not _signed_in(client)


def test_changing_the_password_ends_every_other_session_and_keeps_this_one(app):
    who = _person(app)
    here, there, remembered = app.test_client(), app.test_client(), app.test_client()
    for client in (here, there):
        _sign_in(client, who)
    _sign_in(remembered, who, remember=True)
    response = here.post("/account", data={"password-current": factories.PASSWORD,
                                           "password-password": "another long password",
                                           "password-confirm": "another long password", "password-submit": "x"})
    assert response.status_code == 302
    assert _signed_in(here)
    assert not _signed_in(there)
    assert "your password was changed or you signed out everywhere" in there.get("/login").data.decode()
    remembered.delete_cookie("session")                  # the remember-me cookie is refused too
    assert not _signed_in(remembered)


def test_a_remembered_session_that_changes_the_password_stays_remembered(client, app):
    who = _person(app)
    _sign_in(client, who, remember=True)
    client.post("/account", data={"password-current": factories.PASSWORD, "password-password": "another long password",
                                  "password-confirm": "another long password", "password-submit": "x"})
    client.delete_cookie("session")
    assert _signed_in(client)


def test_a_password_reset_ends_every_session(client, app, mail_server):
    who = _person(app)
    other = app.test_client()
    _sign_in(other, who)
    client.post("/password/forgot", data={"email": who.email})
    path = re.search(r"http://127\.0\.0\.1:5000(/password/reset/\S+)", body(mail_server.wait_for(1)[0])).group(1)
    client.post(path, data={"password": "a brand new password", "confirm": "a brand new password"})
    assert not _signed_in(other)
    assert not _signed_in(client)                         # the reset does not sign anyone in
    _sign_in(client, who, "a brand new password")


def test_sign_out_everywhere_ends_the_other_sessions(app):
    who = _person(app)
    here, there = app.test_client(), app.test_client()
    _sign_in(here, who)
    _sign_in(there, who)
    page = here.get("/account").data.decode()
    assert "Sign out everywhere" in page and "Sign out of every other device" in page
    response = here.post("/account", data={"everywhere-submit": "x"})
    assert response.status_code == 302
    assert "signed out on every other device" in here.get("/account").data.decode()
    assert not _signed_in(there)
    with app.app_context():
        assert db.session.get(Person, who.id).session_version == 2


def test_a_stolen_session_cookie_stops_working_after_sign_out_everywhere(app):
    who = _person(app)
    victim = app.test_client()
    _sign_in(victim, who)
    stolen = parse_cookie(victim.get_cookie("session").value and f"session={victim.get_cookie('session').value}")
    thief = app.test_client()
    thief.set_cookie("session", stolen["session"])
    assert _signed_in(thief)
    victim.post("/account", data={"everywhere-submit": "x"})
    assert not _signed_in(thief)
    assert _signed_in(victim)


def test_signing_out_ends_the_session_and_the_remember_cookie(client, app):
    who = _person(app)
    _sign_in(client, who, remember=True)
    client.post("/logout")
    assert not _signed_in(client)
    client.delete_cookie("session")
    assert not _signed_in(client)


def test_signing_in_starts_a_fresh_session(client, app):
    """Nothing a visitor's session held before signing in carries over (no session fixation)."""
    who = _person(app)
    with client.session_transaction() as session:
        session["planted"] = "by someone else"
    _sign_in(client, who)
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session["_user_id"].startswith(f"{who.id}:1:")


@pytest.mark.parametrize("identity", ["5", "x:y:z", "1:1", "99999999999999999999:1:1", "²:1:1"])
def test_old_or_malformed_session_identities_are_signed_out(client, app, identity):
    _person(app)
    with client.session_transaction() as session:
        session["_user_id"] = identity
    assert not _signed_in(client)
