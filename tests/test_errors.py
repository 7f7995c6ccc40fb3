"""Error pages and refusals: styled, clear, never a traceback, and nothing saved half-done."""

from __future__ import annotations

import pytest
from sqlmodel import select

from grants import create_app
from grants.auth.models import Person
from grants.db import db


def test_404_is_a_styled_page(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert b"Page not found" in response.data
    assert b"govuk-template" in response.data


def test_403_is_a_styled_page(client, app):
    from tests import factories

    with app.app_context():
        factories.collective("closed")
        who = factories.person()
        db.session.commit()
    factories.login(client, who)
    response = client.get("/c/closed/audit")
    assert response.status_code == 403
    assert b"You do not have access to this page" in response.data


def test_500_is_a_styled_page_and_rolls_back(app_config):
    app = create_app({**app_config, "TESTING": False, "PROPAGATE_EXCEPTIONS": False})

    @app.route("/boom")
    def boom():
        db.session.add(Person(email="half@example.org", name="Half", password_hash="x"))
        db.session.flush()
        raise RuntimeError("boom")

    response = app.test_client().get("/boom")
    assert response.status_code == 500
    assert b"Sorry, there is a problem with the service" in response.data
    assert b"RuntimeError" not in response.data
    with app.app_context():
        assert db.session.exec(select(Person)).all() == []
    app.extensions["commonpot_db"].dispose()


def test_oversized_requests_are_refused_with_a_clear_page(client, app):
    response = client.post("/register", data={"name": "x" * (3 * 1024 * 1024)})
    assert response.status_code == 413
    assert b"too large" in response.data
    with app.app_context():
        assert db.session.exec(select(Person)).all() == []


@pytest.mark.parametrize("path", ["/c/nope", "/c/nope/organisations/", "/c/nope/organisations/1/edit"])
def test_unknown_collectives_are_not_found(client, app, path):
    from tests import factories

    with app.app_context():
        who = factories.person()
        db.session.commit()
    factories.login(client, who)
    assert client.get(path).status_code == 404


def test_non_numeric_ids_are_not_found(client):
    assert client.get("/c/x/organisations/abc").status_code == 404
