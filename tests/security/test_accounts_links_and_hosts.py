"""Emailed links come only from COMMONPOT_BASE_URL, and a request for any other host is refused (ASVS V5, V14)."""

from __future__ import annotations

import re

import pytest

from grants import config as config_module
from grants import create_app
from grants.db import db
from grants.urls import external_url
from tests import factories
from tests.mailserver import body


@pytest.fixture
def public_app(app_config, outbox):
    app = create_app({**app_config, "COMMONPOT_BASE_URL": "https://grants.example.org"})
    yield app
    app.extensions["commonpot_db"].dispose()


def test_a_forged_host_gets_a_styled_400_and_no_reset_link_goes_anywhere(public_app, mail_server):
    with public_app.app_context():
        factories.person(email="victim@example.org")
        db.session.commit()
    client = public_app.test_client()
    response = client.post("/password/forgot", data={"email": "victim@example.org"},
                           headers={"Host": "evil.example"})
    assert response.status_code == 400
    page = response.data.decode()
    assert "this address is not one this site answers to" in page
    assert "govuk-template" in page
    assert "evil.example" not in page
    # the page's own links lead to the configured site
    assert 'href="/"' in page or 'href="https://grants.example.org/"' in page
    assert mail_server.wait_for(1, timeout=0.5) == []
    assert client.get("/login", headers={"Host": "evil.example:443"}).status_code == 400


def test_a_reset_asked_for_on_a_trusted_host_links_to_the_configured_address(public_app, mail_server):
    with public_app.app_context():
        factories.person(email="victim@example.org")
        db.session.commit()
    response = public_app.test_client().post("/password/forgot", data={"email": "victim@example.org"},
                                             headers={"Host": "grants.example.org"})
    assert b"Check your email" in response.data
    text = body(mail_server.wait_for(1)[0])
    links = re.findall(r"https?://\S+", text)
    assert links and all(link.startswith("https://grants.example.org/password/reset/") for link in links)


def test_links_are_the_same_in_a_request_for_localhost_and_outside_any_request(public_app):
    with public_app.test_request_context("/", base_url="http://localhost:8080"):
        inside = external_url("collectives.show", slug="west")
    with public_app.app_context():
        outside = external_url("collectives.show", slug="west")
    assert inside == outside == "https://grants.example.org/c/west"


def test_a_base_url_with_a_path_keeps_it(app_config, outbox):
    app = create_app({**app_config, "COMMONPOT_BASE_URL": "https://example.org/grants"})
    with app.app_context():
        assert external_url("auth.login") == "https://example.org/grants/login"
    app.extensions["commonpot_db"].dispose()


def test_trusted_hosts_default_to_the_base_address_and_this_machine(public_app):
    assert public_app.config["TRUSTED_HOSTS"] == ["grants.example.org", "localhost", "127.0.0.1"]
    client = public_app.test_client()
    for host in ("grants.example.org", "localhost", "127.0.0.1:5000"):
        assert client.get("/login", headers={"Host": host}).status_code == 200, host


def test_trusted_hosts_come_from_the_environment_as_a_comma_list(monkeypatch):
    monkeypatch.setenv("TRUSTED_HOSTS", "grants.example.org, .partners.example.org")
    assert config_module.from_environment()["TRUSTED_HOSTS"] == ["grants.example.org", ".partners.example.org"]


def test_configured_trusted_hosts_replace_the_default(app_config, outbox):
    app = create_app({**app_config, "TRUSTED_HOSTS": [".example.org"]})
    client = app.test_client()
    assert client.get("/login", headers={"Host": "grants.example.org"}).status_code == 200
    assert client.get("/login", headers={"Host": "localhost"}).status_code == 400
    app.extensions["commonpot_db"].dispose()
