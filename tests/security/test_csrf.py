"""CSRF on every POST route: with CSRF on (as in production), a POST without a token gets 400 and
saves nothing.

The routes are enumerated from ``app.url_map``: ``tests/security/world.py``'s ``POST_CASES`` must
name every POST endpoint (``test_fuzz.test_every_post_route_has_a_case``), and this test posts to
each case's path, signed in as the role that may post there, with the form's fields filled as the
fuzz's baseline would be but no token. Every table is compared before and after each request.
"""

from __future__ import annotations

import re

import pytest

from grants import create_app
from tests import factories
from tests.security.world import ANON, POST_CASES, Snapshot, build_world, changed_tables, post_endpoints

TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


@pytest.fixture
def csrf_app(app_config, outbox):
    app = create_app({**app_config, "WTF_CSRF_ENABLED": True, "RATELIMIT_ENABLED": False})
    yield app
    app.extensions["commonpot_db"].dispose()


def _signed_in(app, person):
    """A client signed in through the real form, token and all."""
    client = app.test_client()
    token = TOKEN.search(client.get("/login").data.decode())[1]
    response = client.post("/login", data={"email": person.email, "password": factories.PASSWORD, "csrf_token": token})
    assert response.status_code == 302
    return client


def test_every_post_route_refuses_a_post_without_a_token(csrf_app, app_config):
    world = build_world(csrf_app)
    ids = world["ids"]["alpha"]
    assert post_endpoints(csrf_app) <= {case.endpoint for case in POST_CASES}
    clients = {}
    snapshot = Snapshot(app_config["DATABASE_URL"])
    try:
        before = snapshot.take()
        tried = set()
        for case in POST_CASES:
            if case.role not in clients:
                clients[case.role] = (csrf_app.test_client() if case.role == ANON
                                      else _signed_in(csrf_app, world["people"][case.role]))
            data = {key: [value.format(**ids) for value in values] for key, values in (case.baseline or {}).items()}
            data.setdefault("name", ["Forged"])
            response = clients[case.role].post(case.path.format(**ids), data=data)
            assert response.status_code == 400, (case.endpoint, response.status_code)
            assert "Your form expired" in response.data.decode(), case.endpoint
            after = snapshot.take()
            assert changed_tables(before, after) == [], case.endpoint
            tried.add(case.endpoint)
        assert tried == post_endpoints(csrf_app)
    finally:
        snapshot.dispose()
