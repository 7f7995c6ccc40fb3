"""Two-factor sign-in through HTTP: set up, sign in with a code, replay, recovery codes, limits, rules.

The clock is frozen on a 30-second boundary (time-machine), and codes are computed by pyotp from
the secret the page showed, exactly as a phone would.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

import pyotp
import pytest
import time_machine
from sqlmodel import select

from grants.audit.models import AuditEvent
from grants.auth.twofactor import RecoveryCode, TwoFactor
from grants.collectives.models import Collective
from grants.db import db
from tests import factories

T0 = datetime(2026, 12, 2, 10, 0, 0, tzinfo=timezone.utc)
STEP = timedelta(seconds=30)
CODE_ON_PAGE = re.compile(r"<code>([a-z2-9]{5}-[a-z2-9]{5})</code>")


@pytest.fixture
def clock():
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


def actions(app) -> list[str]:
    with app.app_context():
        return [e.action for e in db.session.exec(select(AuditEvent).order_by(AuditEvent.id)).all()]


def make_person(app, **kwargs):
    with app.app_context():
        who = factories.person(**kwargs)
        db.session.commit()
        return who


def secret_of(app, who) -> str:
    with app.app_context():
        return db.session.exec(select(TwoFactor.secret).where(TwoFactor.person_id == who.id)).one()


def code_now(secret: str) -> str:
    return pyotp.TOTP(secret).at(datetime.now(timezone.utc))


def set_up(client, app, who) -> tuple[str, list[str]]:
    """Turn two-factor on through the account pages; (secret, recovery codes shown once)."""
    assert client.post("/account/two-factor", data={"start-submit": "y"}).status_code == 302
    page = client.get("/account/two-factor").data.decode()
    secret = secret_of(app, who)
    assert " ".join(secret[i:i + 4] for i in range(0, 32, 4)) in page     # typed-in form, in fours
    response = client.post("/account/two-factor", data={"confirm-code": code_now(secret), "confirm-submit": "y"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/account/two-factor/recovery-codes")
    codes = CODE_ON_PAGE.findall(client.get("/account/two-factor/recovery-codes").data.decode())
    assert len(codes) == 10
    return secret, codes


def sign_out(client):
    client.post("/logout")
    assert client.get("/account").status_code == 302


def signed_in(client) -> bool:
    return client.get("/account").status_code == 200


def enrolled(app, client) -> tuple:
    """A person who has turned two-factor on and signed out: (person, secret, recovery codes)."""
    who = make_person(app)
    factories.login(client, who)
    secret, codes = set_up(client, app, who)
    sign_out(client)
    return who, secret, codes


def password_step(client, who, next_url: str = ""):
    response = client.post("/login", data={"email": who.email, "password": factories.PASSWORD, "next": next_url})
    assert response.status_code == 302 and response.headers["Location"].endswith("/login/two-factor")
    assert not signed_in(client)   # the password alone is not a sign-in
    return response


def test_set_up_then_sign_in_with_password_and_code(app, client, clock, outbox, mail_server):
    who = make_person(app, name="Fola Adeyemi")
    factories.login(client, who)
    intro = client.get("/account").data.decode()
    assert "Set up two-factor sign-in" in intro
    client.post("/account/two-factor", data={"start-submit": "y"})
    page = client.get("/account/two-factor")
    html = page.data.decode()
    assert page.headers["Cache-Control"] == "no-store"
    assert '<svg role="img"' in html and "QR code to scan with your authenticator app" in html
    assert "<img" not in html and "otpauth://" not in html    # drawn here, never fetched from elsewhere
    secret, codes = set_up(client, app, who)
    # shown once: the codes are not on the page again, and only their hashes are kept
    again = client.get("/account/two-factor/recovery-codes").data.decode()
    assert CODE_ON_PAGE.findall(again) == [] and "shown only once" in again
    with app.app_context():
        hashes = db.session.exec(select(RecoveryCode.code_hash).where(RecoveryCode.person_id == who.id)).all()
        assert len(hashes) == 10 and not set(hashes) & {c.replace("-", "") for c in codes}
    assert secret not in client.get("/account/two-factor").data.decode()   # no longer shown once on
    assert any("Two-factor sign-in is on" in m["Subject"] for m in mail_server.wait_for(1))
    sign_out(client)

    password_step(client, who, next_url="/account")
    challenge = client.get("/login/two-factor").data.decode()
    assert "Enter the code from your authenticator app" in challenge
    clock.shift(STEP)
    response = client.post("/login/two-factor", data={"code": code_now(secret)})
    assert response.status_code == 302 and response.headers["Location"].endswith("/account")
    assert signed_in(client)
    assert actions(app)[-3:] == ["account.two_factor_set_up_started", "account.two_factor_enabled",
                                 "account.two_factor_passed"]


def test_a_code_works_once(app, client, clock):
    who = make_person(app)
    factories.login(client, who)
    secret, _codes = set_up(client, app, who)
    used_for_set_up = code_now(secret)
    sign_out(client)

    password_step(client, who)
    response = client.post("/login/two-factor", data={"code": used_for_set_up})
    assert response.status_code == 200 and "already been used" in response.data.decode()
    assert not signed_in(client)
    clock.shift(STEP)
    fresh = code_now(secret)
    assert client.post("/login/two-factor", data={"code": fresh}).status_code == 302
    sign_out(client)

    password_step(client, who)   # the same code again, still inside its drift window
    response = client.post("/login/two-factor", data={"code": fresh})
    assert "already been used" in response.data.decode() and not signed_in(client)
    # an earlier step inside the window is refused too: codes only move forwards
    clock.shift(STEP)
    earlier = pyotp.TOTP(secret).at(datetime.now(timezone.utc) - STEP)
    assert "already been used" in client.post("/login/two-factor", data={"code": earlier}).data.decode()
    assert actions(app).count("account.two_factor_failed") == 3


@pytest.mark.parametrize("remember", [True, False])
def test_remember_me_is_carried_through_the_code(app, client, clock, remember):
    who, secret, _codes = enrolled(app, client)
    clock.shift(STEP)
    response = client.post("/login", data={"email": who.email, "password": factories.PASSWORD,
                                           "remember": "y" if remember else ""})
    assert response.headers["Location"].endswith("/login/two-factor")
    assert "remember_token" not in response.headers.get("Set-Cookie", "")   # not before the code
    signed = client.post("/login/two-factor", data={"code": code_now(secret)})
    assert signed.status_code == 302
    assert ("remember_token=" in " ".join(signed.headers.getlist("Set-Cookie"))) is remember
    client.delete_cookie("session")                                          # the browser was closed
    assert signed_in(client) is remember


def test_a_code_one_step_either_side_is_accepted(app, client, clock):
    who, secret, _codes = enrolled(app, client)
    clock.shift(STEP * 5)
    password_step(client, who)
    slow_phone = pyotp.TOTP(secret).at(datetime.now(timezone.utc) - STEP)
    assert client.post("/login/two-factor", data={"code": slow_phone}).status_code == 302
    sign_out(client)
    password_step(client, who)
    too_fast = pyotp.TOTP(secret).at(datetime.now(timezone.utc) + STEP * 2)
    assert client.post("/login/two-factor", data={"code": too_fast}).status_code == 200
    assert not signed_in(client)


def test_a_recovery_code_works_once(app, client, clock, mail_server):
    who, _secret, codes = enrolled(app, client)

    password_step(client, who)
    response = client.post("/login/two-factor", data={"code": codes[3].upper().replace("-", " ")}, follow_redirects=True)
    assert "You used a recovery code: 9 left" in response.data.decode()
    assert signed_in(client)
    assert any("recovery code was used" in m["Subject"] for m in mail_server.wait_for(2))
    sign_out(client)

    password_step(client, who)
    response = client.post("/login/two-factor", data={"code": codes[3]})
    assert "That recovery code has already been used" in response.data.decode()
    assert not signed_in(client)
    assert client.post("/login/two-factor", data={"code": codes[4]}).status_code == 302


def test_a_wrong_code_is_explained_beside_the_field_and_audited(app, client, clock):
    who, secret, _codes = enrolled(app, client)
    password_step(client, who)
    right = code_now(secret)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    page = client.post("/login/two-factor", data={"code": wrong}).data.decode()
    assert 'class="govuk-error-message"' in page and "That code is not right" in page
    assert f'value="{wrong}"' in page                      # what was typed is kept
    assert "There is a problem" in page
    page = client.post("/login/two-factor", data={"code": "not a code"}).data.decode()
    assert "Enter the 6-digit code from your authenticator app, or one of your recovery codes" in page
    page = client.post("/login/two-factor", data={"code": ""}).data.decode()
    assert "Enter the 6-digit code from your authenticator app, or a recovery code" in page
    assert not signed_in(client)
    with app.app_context():
        failed = db.session.exec(select(AuditEvent).where(AuditEvent.action == "account.two_factor_failed")).all()
        assert len(failed) == 2 and all(e.object_id == who.id for e in failed)
        assert all(wrong not in e.summary for e in failed)   # never the code itself


def test_a_pending_sign_in_expires(app, client, clock):
    who, secret, _codes = enrolled(app, client)
    password_step(client, who)
    clock.shift(timedelta(minutes=5, seconds=1))
    response = client.post("/login/two-factor", data={"code": code_now(secret)})
    assert response.status_code == 302 and response.headers["Location"].endswith("/login")
    assert "a sign-in waits only 5 minutes" in client.get("/login").data.decode()
    assert not signed_in(client)
    # and without any pending sign-in the page sends a person to the password step
    response = client.get("/login/two-factor")
    assert response.status_code == 302 and response.headers["Location"].endswith("/login")


def test_wrong_codes_are_rate_limited_per_account(app, client, clock):
    who, secret, _codes = enrolled(app, client)
    password_step(client, who)
    for _ in range(5):
        assert client.post("/login/two-factor", data={"code": "000001"}).status_code == 200
    clock.shift(STEP)
    assert client.post("/login/two-factor", data={"code": code_now(secret)}).status_code == 429
    assert not signed_in(client)
    # another browser, another address: the same account is still held back
    other = app.test_client()
    password_step(other, who)
    assert other.post("/login/two-factor", data={"code": code_now(secret)},
                      environ_base={"REMOTE_ADDR": "203.0.113.9"}).status_code == 429
    clock.shift(timedelta(minutes=1))
    assert other.post("/login/two-factor", data={"code": code_now(secret)}).status_code == 302


def test_a_right_password_alone_never_signs_in_after_a_reset(app, client, clock):
    from grants.auth.tokens import password_reset_token

    who = make_person(app)
    factories.login(client, who)
    set_up(client, app, who)
    sign_out(client)
    with app.test_request_context():
        token = password_reset_token(who)
    response = client.post(f"/password/reset/{token}", data={"password": "a brand new password",
                                                             "confirm": "a brand new password"})
    # A reset signs nobody in: the person signs in again, through both steps.
    assert response.status_code == 302 and response.headers["Location"].endswith("/login")
    assert not signed_in(client)
    response = client.post("/login", data={"email": who.email, "password": "a brand new password"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/login/two-factor")
    assert not signed_in(client)


def test_turning_it_off_needs_the_password_or_a_current_code(app, client, clock, mail_server):
    who = make_person(app)
    factories.login(client, who)
    secret, _codes = set_up(client, app, who)
    page = client.post("/account/two-factor", data={"off-proof": "not my password", "off-submit": "y"}).data.decode()
    assert "Enter your password, or the 6-digit code your app shows now" in page
    response = client.post("/account/two-factor", data={"off-proof": factories.PASSWORD, "off-submit": "y"})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.exec(select(TwoFactor)).all() == [] and db.session.exec(select(RecoveryCode)).all() == []
    assert "account.two_factor_disabled" in actions(app)
    assert any("Two-factor sign-in is off" in m["Subject"] for m in mail_server.wait_for(2))
    sign_out(client)
    factories.login(client, who)
    assert signed_in(client)   # the password alone again

    clock.shift(STEP)
    secret, _codes = set_up(client, app, who)
    clock.shift(STEP)
    response = client.post("/account/two-factor", data={"off-proof": code_now(secret), "off-submit": "y"})
    assert response.status_code == 302
    assert "Set up two-factor sign-in" in client.get("/account").data.decode()


def test_new_recovery_codes_replace_the_old_ones(app, client, clock):
    who = make_person(app)
    factories.login(client, who)
    _secret, old = set_up(client, app, who)
    page = client.post("/account/two-factor", data={"codes-password": "wrong password", "codes-submit": "y"})
    assert "Your password is not right" in page.data.decode()
    response = client.post("/account/two-factor", data={"codes-password": factories.PASSWORD, "codes-submit": "y"})
    assert response.headers["Location"].endswith("/account/two-factor/recovery-codes")
    new = CODE_ON_PAGE.findall(client.get("/account/two-factor/recovery-codes").data.decode())
    assert len(new) == 10 and not set(new) & set(old)
    assert "account.recovery_codes_replaced" in actions(app)
    sign_out(client)
    password_step(client, who)
    assert "not right" in client.post("/login/two-factor", data={"code": old[0]}).data.decode()
    assert client.post("/login/two-factor", data={"code": new[0]}).status_code == 302


@pytest.fixture
def admins_must(app_config):
    return {**app_config, "TWO_FACTOR_REQUIRED_FOR_ADMINS": True}


def test_a_site_admin_is_sent_to_set_it_up_first(admins_must, clock):
    from grants import create_app

    app = create_app(admins_must)
    client = app.test_client()
    admin = make_person(app, is_admin=True)
    factories.login(client, admin)
    for path in ("/admin/", "/", "/account"):
        response = client.get(path)
        assert response.status_code == 302 and response.headers["Location"].endswith("/account/two-factor"), path
    client.get("/admin/people")
    page = client.get("/account/two-factor").data.decode()
    assert "site admins must use two-factor sign-in" in page
    set_up(client, app, admin)
    assert client.get("/admin/").status_code == 200
    page = client.post("/account/two-factor", data={"off-proof": factories.PASSWORD, "off-submit": "y"}).data.decode()
    assert "You cannot turn two-factor sign-in off" in page
    with app.app_context():
        assert db.session.exec(select(TwoFactor)).one().confirmed_at is not None
    app.extensions["commonpot_db"].dispose()


def test_after_set_up_the_admin_goes_where_they_were_going(admins_must, clock):
    from grants import create_app

    app = create_app(admins_must)
    client = app.test_client()
    admin = make_person(app, is_admin=True)
    factories.login(client, admin)
    client.get("/admin/people")
    client.post("/account/two-factor", data={"start-submit": "y"})
    client.post("/account/two-factor", data={"confirm-code": code_now(secret_of(app, admin)), "confirm-submit": "y"})
    page = client.get("/account/two-factor/recovery-codes").data.decode()
    assert 'href="/admin/people"' in page
    app.extensions["commonpot_db"].dispose()


@pytest.mark.parametrize("base_url, forced", [("http://127.0.0.1:5000", False), ("http://localhost:5000", False),
                                               ("https://grants.example.org", True)])
def test_the_demo_on_localhost_does_not_ask_admins(admins_must, clock, base_url, forced):
    from grants import create_app

    app = create_app({**admins_must, "COMMONPOT_DEMO": True, "COMMONPOT_BASE_URL": base_url})
    client = app.test_client()
    factories.login(client, make_person(app, is_admin=True))
    assert (client.get("/admin/").status_code == 302) is forced
    app.extensions["commonpot_db"].dispose()


def test_a_collective_can_require_it_of_facilitators_and_reviewers(app, client, clock):
    with app.app_context():
        west = factories.collective("west", "West Birmingham Collective")
        facilitator = factories.member(west, roles=("facilitator",))
        reviewer = factories.member(west, roles=("reviewer",))
        member = factories.member(west, roles=("member",))
        db.session.commit()
    settings = {"name": "West Birmingham Collective", "locality": "Birmingham", "themes": "Building trust",
                "requires_two_factor": "y", "variation_move_percent": "20", "variation_date_months": "3"}
    factories.login(client, facilitator)
    page = client.post("/c/west/settings", data=settings).data.decode()
    assert "Turn on two-factor sign-in for your own account first" in page
    with app.app_context():
        assert not db.session.exec(select(Collective)).one().requires_two_factor
    facilitator_secret, _codes = set_up(client, app, facilitator)
    assert client.post("/c/west/settings", data=settings).status_code == 302
    assert "collective.two_factor_required" in actions(app)
    with app.app_context():
        assert db.session.exec(select(Collective)).one().requires_two_factor
    assert "checked" in client.get("/c/west/settings").data.decode().split('name="requires_two_factor"')[1][:40]
    sign_out(client)

    reviewer_client = app.test_client()
    factories.login(reviewer_client, reviewer)
    assert reviewer_client.get("/").status_code == 200          # other pages are open
    for path in ("/c/west", "/c/west/rounds/", "/c/west/commissioning/"):
        response = reviewer_client.get(path)
        assert response.status_code == 302 and response.headers["Location"].endswith("/account/two-factor"), path
    page = reviewer_client.get("/account/two-factor").data.decode()
    assert "West Birmingham Collective asks its facilitators and reviewers to use two-factor sign-in" in page
    set_up(reviewer_client, app, reviewer)
    assert reviewer_client.get("/c/west/commissioning/").status_code == 200
    page = reviewer_client.post("/account/two-factor", data={"off-proof": factories.PASSWORD,
                                                            "off-submit": "y"}).data.decode()
    assert "You cannot turn two-factor sign-in off" in page

    member_client = app.test_client()
    factories.login(member_client, member)
    assert member_client.get("/c/west/rounds/").status_code == 200   # members are not asked

    # the facilitator lifts the requirement again: audited, and the reviewer may turn theirs off
    clock.shift(STEP)
    password_step(client, facilitator)
    assert client.post("/login/two-factor", data={"code": code_now(facilitator_secret)}).status_code == 302
    assert client.post("/c/west/settings", data={**settings, "requires_two_factor": ""}).status_code == 302
    assert actions(app).count("collective.two_factor_not_required") == 1
    assert reviewer_client.post("/account/two-factor", data={"off-proof": factories.PASSWORD,
                                                             "off-submit": "y"}).status_code == 302


def test_a_site_admin_resets_a_locked_out_person(app, client, clock, mail_server):
    who = make_person(app, name="Lost Phone")
    admin = make_person(app, is_admin=True)
    factories.login(client, who)
    set_up(client, app, who)
    sign_out(client)
    path = f"/admin/people/{who.id}/two-factor/reset"
    assert client.post(path).status_code == 302 and "/login" in client.post(path).headers["Location"]
    member = app.test_client()
    factories.login(member, make_person(app))
    assert member.post(path).status_code == 403                       # only site admins
    with app.app_context():
        assert db.session.exec(select(TwoFactor)).one().confirmed_at is not None

    admin_client = app.test_client()
    factories.login(admin_client, admin)
    people = admin_client.get("/admin/people").data.decode()
    assert f'action="{path}"' in people
    assert admin_client.post(path).status_code == 302
    assert admin_client.post(f"/admin/people/{admin.id}/two-factor/reset").status_code == 302   # refused, not a 500
    with app.app_context():
        assert db.session.exec(select(TwoFactor)).all() == [] and db.session.exec(select(RecoveryCode)).all() == []
        reset = db.session.exec(select(AuditEvent).where(AuditEvent.action == "account.two_factor_reset")).one()
        assert reset.actor_id == admin.id and reset.object_id == who.id
    assert any(m["To"] == who.email and "is off" in m["Subject"] for m in mail_server.wait_for(2))
    factories.login(client, who)
    assert signed_in(client)
