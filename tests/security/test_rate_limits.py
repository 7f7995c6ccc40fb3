"""Rate limits (ASVS V2.2, V11): sign-in per account and per address with a growing wait, every form
that sends an email, join requests, invitations, emailed links and anonymous downloads; a styled
429 page with Retry-After; memory by default, Redis when configured."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
import redis
import time_machine

from grants import create_app
from grants.db import db
from grants.timeutil import utcnow
from tests import factories

REDIS_DB_URL = "redis://127.0.0.1:6379/7"


@pytest.fixture
def limited(app_config, outbox):
    """An app with small limits, so a test reaches them in a few requests."""
    made = []

    def make(**limits):
        app = create_app({**app_config, **limits})
        made.append(app)
        return app

    yield make
    for app in made:
        app.extensions["commonpot_db"].dispose()


def _person(app, email="sam@example.org", **roles):
    with app.app_context():
        who = factories.person(email=email, **roles)
        db.session.commit()
        return who


def _fail(client, email="sam@example.org", address="192.0.2.1"):
    return client.post("/login", data={"email": email, "password": "a wrong password"},
                       environ_base={"REMOTE_ADDR": address})


def _assert_limited(response, at_least: int = 1, at_most: int | None = None) -> int:
    """A styled 429 page; its Retry-After in whole seconds (Flask-Limiter rounds the reset up a second)."""
    assert response.status_code == 429
    page = response.data.decode()
    assert "Too many attempts" in page and "Try again in" in page and "govuk-template" in page
    seconds = int(response.headers["Retry-After"])
    assert seconds >= at_least
    if at_most is not None:
        assert seconds <= at_most
    return seconds


def test_sign_in_failures_for_one_account_meet_a_growing_wait(limited):
    app = limited(LIMIT_SIGN_IN_PER_ACCOUNT="2 per minute; 3 per hour")
    who = _person(app)
    client = app.test_client()
    t0 = utcnow()
    with time_machine.travel(t0, tick=False):
        assert _fail(client).status_code == 200
        assert _fail(client).status_code == 200
        _assert_limited(_fail(client), at_most=61)
        # the right password waits too: the limit is on the account, not on being wrong
        _assert_limited(client.post("/login", data={"email": who.email, "password": factories.PASSWORD}))
    with time_machine.travel(t0 + timedelta(seconds=61), tick=False):
        assert _fail(client).status_code == 200            # the minute has passed: one more try
        wait = _assert_limited(_fail(client), at_least=60 * 58)     # then the hour's window
    with time_machine.travel(t0 + timedelta(seconds=61 + wait), tick=False):
        assert factories.login(client, who).status_code == 302


def test_the_account_limit_holds_whatever_address_the_guesses_come_from(limited):
    app = limited(LIMIT_SIGN_IN_PER_ACCOUNT="2 per minute")
    _person(app)
    client = app.test_client()
    assert _fail(client, address="192.0.2.1").status_code == 200
    assert _fail(client, email="SAM@example.org ", address="192.0.2.2").status_code == 200
    _assert_limited(_fail(client, address="192.0.2.3"))
    assert _fail(client, email="someone.else@example.org", address="192.0.2.3").status_code == 200


def test_one_address_trying_many_accounts_is_limited(limited):
    app = limited(LIMIT_SIGN_IN_PER_ADDRESS="3 per minute")
    client = app.test_client()
    for n in range(3):
        assert _fail(client, email=f"guess{n}@example.org").status_code == 200
    _assert_limited(_fail(client, email="guess9@example.org"))
    assert _fail(client, email="guess9@example.org", address="198.51.100.7").status_code == 200


def test_successful_sign_ins_are_not_counted(limited):
    app = limited(LIMIT_SIGN_IN_PER_ACCOUNT="2 per minute", LIMIT_SIGN_IN_PER_ADDRESS="2 per minute")
    who = _person(app)
    for _ in range(4):
        assert factories.login(app.test_client(), who).status_code == 302


def test_password_reset_mails_one_address_only_a_few_times(limited, mail_server):
    app = limited(LIMIT_EMAIL_PER_ACCOUNT="2 per hour")
    _person(app)
    client = app.test_client()
    for _ in range(2):
        assert client.post("/password/forgot", data={"email": "sam@example.org"}).status_code == 200
    _assert_limited(client.post("/password/forgot", data={"email": "sam@example.org"}), at_least=3000)
    # the same count covers every form that emails the address
    _assert_limited(client.post("/email/confirm", data={"email": "sam@example.org"}))
    assert len(mail_server.wait_for(3, timeout=1)) == 2


def test_registration_from_one_address_is_limited(limited, mail_server):
    app = limited(LIMIT_EMAIL_PER_ADDRESS="2 per hour")
    client = app.test_client()
    form = {"name": "A Person", "password": "a long enough password", "confirm": "a long enough password",
            "preferred_language": "en"}
    for n in range(2):
        assert client.post("/register", data={**form, "email": f"new{n}@example.org"}).status_code == 200
    _assert_limited(client.post("/register", data={**form, "email": "new9@example.org"}))
    assert len(mail_server.wait_for(3, timeout=1)) == 2
    assert client.get("/register").status_code == 200     # reading the form is never limited


def test_join_requests_are_limited_per_person(limited):
    app = limited(LIMIT_JOIN_REQUESTS="1 per hour")
    with app.app_context():
        factories.collective("west")
        who = factories.person()
        db.session.commit()
    client = app.test_client()
    factories.login(client, who)
    assert client.post("/c/west/join", data={}).status_code == 200       # refused by the form, but counted
    _assert_limited(client.post("/c/west/join", data={}))
    other = app.test_client()
    factories.login(other, _person(app, "other@example.org"))
    assert other.post("/c/west/join", data={}).status_code == 200


def test_invitations_are_limited_per_facilitator(limited):
    app = limited(LIMIT_INVITATIONS="1 per hour")
    with app.app_context():
        collective = factories.collective("west")
        facilitator = factories.member(collective, factories.person(), roles=("facilitator",))
        db.session.commit()
    client = app.test_client()
    factories.login(client, facilitator)
    response = client.post("/c/west/invitations/new", data={"email": "new@example.org", "roles": ["member"],
                                                             "organisation_id": ""})
    assert response.status_code in (200, 302)           # sent, or refused by the form: counted either way
    _assert_limited(client.post("/c/west/invitations/new", data={"email": "new2@example.org", "roles": ["member"]}))


def test_emailed_links_are_limited_per_address(limited):
    app = limited(LIMIT_EMAILED_LINKS="2 per minute")
    client = app.test_client()
    assert client.get("/password/reset/guess-one").status_code == 400
    assert client.get("/email/confirm/guess-two").status_code == 400
    _assert_limited(client.get("/invitations/guess-three"))


def test_anonymous_documents_and_public_pages_share_one_limit_and_people_signed_in_are_not_counted(limited):
    app = limited(LIMIT_PUBLIC_DOCUMENTS="3 per minute")
    with app.app_context():
        factories.collective("west")
        db.session.commit()
    anonymous = app.test_client()
    assert anonymous.get("/c/west/rounds/999/election.pb").status_code == 404
    assert anonymous.get("/c/west/rounds/999/impact-report.pdf").status_code == 404
    assert anonymous.get("/c/west/you-said-we-did").status_code == 200
    _assert_limited(anonymous.get("/c/west/rounds/999/results"))
    _assert_limited(anonymous.get("/c/west/you-said-we-did"))
    signed_in = app.test_client()
    factories.login(signed_in, _person(app))
    for _ in range(4):
        assert signed_in.get("/c/west/you-said-we-did").status_code == 200


def test_limits_are_settings_and_can_be_turned_off(limited):
    app = limited(LIMIT_SIGN_IN_PER_ACCOUNT="1 per minute", RATELIMIT_ENABLED=False)
    client = app.test_client()
    for _ in range(3):
        assert _fail(client).status_code == 200


def test_counts_do_not_leak_from_one_app_to_the_next(limited):
    first = limited(LIMIT_SIGN_IN_PER_ACCOUNT="1 per minute")
    assert _fail(first.test_client()).status_code == 200
    _assert_limited(_fail(first.test_client()))
    second = limited(LIMIT_SIGN_IN_PER_ACCOUNT="1 per minute")
    assert _fail(second.test_client()).status_code == 200


@pytest.fixture
def redis_limits():
    connection = redis.Redis.from_url(REDIS_DB_URL)
    try:
        connection.ping()
    except redis.ConnectionError:
        pytest.fail("Redis is not running on 127.0.0.1:6379 (make test starts it)")

    def ours():
        return list(connection.scan_iter(match="*commonpot*"))

    for key in ours():
        connection.delete(key)
    yield ours
    for key in ours():
        connection.delete(key)
    connection.close()


def test_with_redis_every_host_shares_the_count(limited, redis_limits):
    config = {"RATELIMIT_STORAGE_URI": REDIS_DB_URL, "LIMIT_SIGN_IN_PER_ACCOUNT": "2 per minute"}
    email = f"{uuid.uuid4().hex}@example.org"
    one = limited(**config)
    assert _fail(one.test_client(), email=email).status_code == 200
    assert redis_limits()                                 # the count is in Redis, not in this process
    other = limited(**config)                             # another host: a new process, the same Redis
    assert _fail(other.test_client(), email=email).status_code == 200
    _assert_limited(_fail(other.test_client(), email=email), at_most=61)
