"""Two-factor secrets are sealed at rest, survive a rotation of SECRET_KEY, and a lost key is no 500."""

from __future__ import annotations

import pyotp
import sqlalchemy as sa
from sqlmodel import select

from grants.auth.twofactor import TwoFactor
from grants.db import db
from tests import factories
from tests.security.test_two_factor import STEP, clock, code_now, enrolled, password_step, signed_in  # noqa: F401

OLD, NEW = "test-secret-key", "a-brand-new-secret-key"


def stored(app, who) -> str:
    """The value as the database holds it, past the column type."""
    with app.app_context():
        return db.session.execute(sa.text("SELECT secret FROM two_factor WHERE person_id = :p"),
                                  {"p": who.id}).scalar_one()


def sign_in_with_code(app, who, secret, clock):
    client = app.test_client()
    password_step(client, who)
    clock.shift(STEP)
    return client, client.post("/login/two-factor", data={"code": code_now(secret)})


def test_the_secret_is_sealed_in_the_database_and_still_signs_in(app, client, clock):
    who, secret, _codes = enrolled(app, client)
    raw = stored(app, who)
    assert raw.startswith("gAAAAA") and secret not in raw
    assert pyotp.random_base32() != raw and len(raw) <= 200
    _client, response = sign_in_with_code(app, who, secret, clock)
    assert response.status_code == 302 and response.headers["Location"].endswith("/")


def test_a_rotated_key_still_opens_it_and_reseal_moves_it_to_the_new_key(app, make_app, client, clock):
    who, secret, _codes = enrolled(app, client)
    before = stored(app, who)
    rotated = make_app(SECRET_KEY=NEW, SECRET_KEY_FALLBACKS=[OLD])
    _client, response = sign_in_with_code(rotated, who, secret, clock)
    assert response.status_code == 302

    result = rotated.test_cli_runner().invoke(args=["reseal-secrets"])
    assert result.exit_code == 0 and "1 sealed again" in result.output
    after = stored(rotated, who)
    assert after != before and after.startswith("gAAAAA")
    # the old key can now go
    new_only = make_app(SECRET_KEY=NEW)
    _client, response = sign_in_with_code(new_only, who, secret, clock)
    assert response.status_code == 302
    again = new_only.test_cli_runner().invoke(args=["reseal-secrets"])
    assert again.exit_code == 0 and "0 sealed again" in again.output


def test_a_lost_key_is_explained_and_a_recovery_code_still_works(app, make_app, client, clock):
    who, secret, codes = enrolled(app, client)
    lost = make_app(SECRET_KEY=NEW)
    other, response = sign_in_with_code(lost, who, secret, clock)
    assert response.status_code == 200
    assert "Codes from your app cannot be checked on this site just now" in response.data.decode()
    assert not signed_in(other)
    assert other.post("/login/two-factor", data={"code": codes[0]}).status_code == 302
    assert signed_in(other)
    result = lost.test_cli_runner().invoke(args=["reseal-secrets"])
    assert result.exit_code == 1 and "open with none of SECRET_KEY" in result.output
    assert stored(lost, who).startswith("gAAAAA")               # left as it was, for the old key


def test_a_secret_saved_before_sealing_is_read_then_sealed(app, client, clock):
    with app.app_context():
        who = factories.person()
        db.session.commit()
    plain = pyotp.random_base32()
    with app.app_context():
        db.session.execute(sa.text(
            "INSERT INTO two_factor (person_id, secret, confirmed_at, created_at) "
            "VALUES (:p, :s, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"), {"p": who.id, "s": plain})
        db.session.commit()
        assert db.session.exec(select(TwoFactor.secret).where(TwoFactor.person_id == who.id)).one() == plain
    _client, response = sign_in_with_code(app, who, plain, clock)
    assert response.status_code == 302
    assert app.test_cli_runner().invoke(args=["reseal-secrets"]).exit_code == 0
    raw = stored(app, who)
    assert raw.startswith("gAAAAA") and plain not in raw


def test_an_emailed_link_signed_before_a_rotation_still_works(app, make_app):
    from grants.auth.tokens import password_reset_token, read_password_reset_token

    with app.app_context():
        who = factories.person()
        db.session.commit()
        with app.test_request_context("/"):
            token = password_reset_token(who)
    rotated = make_app(SECRET_KEY=NEW, SECRET_KEY_FALLBACKS=[OLD])
    with rotated.app_context(), rotated.test_request_context("/"):
        assert read_password_reset_token(token) is not None
    new_only = make_app(SECRET_KEY=NEW)
    with new_only.app_context(), new_only.test_request_context("/"):
        assert read_password_reset_token(token) is None
