"""ASVS V14 headers, written by Flask-Talisman: a nonce-based Content-Security-Policy with no
``unsafe-inline``, no framing, a referrer and a permissions policy, HSTS only over HTTPS, and the
app's own cookie settings left as they are."""

from __future__ import annotations

import re

import pytest

from grants import create_app
from grants.db import db
from tests import factories


def _policy(response) -> dict[str, list[str]]:
    directives = [part.strip().split() for part in response.headers["Content-Security-Policy"].split(";")]
    return {parts[0]: parts[1:] for parts in directives if parts}


def test_every_page_has_a_nonce_policy_and_no_unsafe_inline(client):
    response = client.get("/login")
    assert response.status_code == 200
    policy = _policy(response)
    page = response.get_data(as_text=True)
    nonce = re.search(r"'nonce-([^']+)'", " ".join(policy["script-src"])).group(1)
    assert f"'nonce-{nonce}'" in policy["style-src"]
    assert "'unsafe-inline'" not in response.headers["Content-Security-Policy"]
    assert "'unsafe-eval'" not in response.headers["Content-Security-Policy"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["default-src"] == ["'self'"]
    # Every inline script carries this request's nonce (the GOV.UK template's and our own).
    inline_scripts = re.findall(r"<script(?![^>]*\ssrc=)([^>]*)>", page)
    assert inline_scripts and all(f'nonce="{nonce}"' in attributes for attributes in inline_scripts)
    assert " style=" not in page


def test_the_nonce_changes_with_every_request(client):
    first, second = (_policy(client.get("/login"))["script-src"] for _ in range(2))
    assert first != second


def test_an_error_page_gets_a_nonce_too(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    nonce = re.search(r"'nonce-([^']+)'", response.headers["Content-Security-Policy"]).group(1)
    assert f'nonce="{nonce}"' in response.get_data(as_text=True)


def test_framing_referrer_permissions_and_sniffing(client):
    response = client.get("/login")
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    permissions = response.headers["Permissions-Policy"]
    for feature in ("camera", "microphone", "geolocation", "payment", "browsing-topics"):
        assert f"{feature}=()" in permissions


def test_hsts_only_when_served_over_https(client):
    assert "Strict-Transport-Security" not in client.get("/login").headers
    over_tls = client.get("/login", base_url="https://localhost")
    assert over_tls.status_code == 200  # served, not redirected: the proxy in front terminates TLS
    assert re.fullmatch(r"max-age=\d{8,}", over_tls.headers["Strict-Transport-Security"])
    behind_proxy = client.get("/login", headers={"X-Forwarded-Proto": "https"})
    assert "max-age=" in behind_proxy.headers["Strict-Transport-Security"]


def test_plain_http_is_not_redirected(client):
    assert client.get("/login").status_code == 200


@pytest.mark.parametrize("secure", [True, False])
def test_the_session_cookie_follows_the_apps_setting(app_config, secure):
    app = create_app({**app_config, "SESSION_COOKIE_SECURE": secure})
    try:
        with app.app_context():
            someone = factories.person()
            db.session.commit()
        with app.test_client() as client:
            client.get("/login")  # Talisman runs before every request: it must not change the setting
            assert app.config["SESSION_COOKIE_SECURE"] is secure
            response = factories.login(client, someone)
            assert response.status_code == 302
            cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("session="))
            assert ("; Secure" in cookie) is secure
            assert "; HttpOnly" in cookie and "SameSite=Lax" in cookie
    finally:
        app.extensions["commonpot_db"].dispose()
