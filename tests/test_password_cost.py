"""The tests hash passwords cheaply (tests/factories.py); production must keep Werkzeug's strong scrypt."""

from __future__ import annotations

from werkzeug.security import generate_password_hash

from grants import create_app
from grants.auth.models import STRONG_PASSWORD_METHOD, Person, password_method
from grants.config import defaults
from tests import factories


def _cost(method: str) -> tuple[int, int, int]:
    name, n, r, p = method.split(":")
    assert name == "scrypt"
    return int(n), int(r), int(p)


def test_production_hashes_with_scrypt_at_werkzeugs_default_cost(app_config, tmp_path):
    assert _cost(STRONG_PASSWORD_METHOD) >= (2**15, 8, 1)
    assert defaults(str(tmp_path))["PASSWORD_HASH_METHOD"] == STRONG_PASSWORD_METHOD
    config = {key: value for key, value in app_config.items() if key != "PASSWORD_HASH_METHOD"}
    app = create_app(config)
    try:
        with app.app_context():
            assert app.config["PASSWORD_HASH_METHOD"] == STRONG_PASSWORD_METHOD == password_method()
            person = Person(email="strong@example.org", name="Strong", password_hash="")  # nosec B106
            person.set_password(factories.PASSWORD)
            assert person.password_hash.startswith(STRONG_PASSWORD_METHOD + "$")
            assert person.check_password(factories.PASSWORD)
    finally:
        app.extensions["commonpot_db"].dispose()


def test_outside_an_app_passwords_are_hashed_strongly():
    assert password_method() == STRONG_PASSWORD_METHOD


def test_the_tests_cheap_hash_is_scrypt_and_checks_the_same_way(app):
    with app.app_context():
        person = Person(email="cheap@example.org", name="Cheap", password_hash="")  # nosec B106
        person.set_password(factories.PASSWORD)
        assert person.password_hash.startswith(factories.PASSWORD_METHOD + "$")
        assert person.check_password(factories.PASSWORD) and not person.check_password("wrong password")
        # a hash stored at production's cost (an account made before) still checks: a hash names its method
        person.password_hash = generate_password_hash(factories.PASSWORD, method=STRONG_PASSWORD_METHOD)
        assert person.check_password(factories.PASSWORD) and not person.check_password("wrong password")


def test_paths_without_an_account_hash_at_the_configured_cost(app, monkeypatch):
    """An unknown address at sign-in and a repeated registration spend one hash at the cost a real
    account's check takes (production's strong scrypt there; the tests' cheap one here), so their
    timing reveals nothing and they cost the tests no more than any sign-in."""
    from grants.auth import models, operations

    methods: list[str] = []
    real = models.generate_password_hash

    def spy(password, method="scrypt", salt_length=16):
        methods.append(method)
        return real(password, method=method, salt_length=salt_length)

    monkeypatch.setattr(models, "generate_password_hash", spy)
    with app.test_request_context():
        person = factories.person(email="known@example.org")
        methods.clear()
        assert not operations.check_password("nobody@example.org", "a wrong password").passed
        operations.sign_up(email="known@example.org", name="Someone Else", password="another long password")
    assert methods == [factories.PASSWORD_METHOD, factories.PASSWORD_METHOD]
    assert person.email == "known@example.org"
