"""Two web hosts sharing only PostgreSQL, Redis and the secret key: any host serves any person."""

from __future__ import annotations

import json

from grants.db import db
from tests import factories
from tests.deploy.support import Browser, wait_until


def test_a_session_made_on_host_a_is_good_on_host_b_and_both_are_healthy(app, hosts):
    with app.app_context():
        collective = factories.collective("hosts", "Two Hosts Collective")
        person = factories.member(collective, factories.person("Nadia Host", "nadia@example.org"))
        db.session.commit()
        email_address = person.email

    for base in (hosts.a, hosts.b):
        probe = Browser()
        healthz, readyz = probe.get(f"{base}/healthz"), probe.get(f"{base}/readyz")
        assert (healthz.status, readyz.status) == (200, 200), (base, readyz.text)
        assert json.loads(readyz.body) == {"status": "ok"}
        assert readyz.headers.get("X-Request-ID")

    browser = Browser()
    signed_in = browser.sign_in(hosts.a, email_address, factories.PASSWORD)
    assert signed_in.status == 302, signed_in.text[:2000]
    on_b = browser.get(f"{hosts.b}/account")
    assert on_b.status == 200, on_b.status
    assert "nadia@example.org" in on_b.text and "Two Hosts Collective" in on_b.text
    # and a form made on host B is accepted by host A: one secret key signs every host's tokens
    token = browser.csrf_token(f"{hosts.b}/account")
    saved = browser.post(f"{hosts.a}/account", {"csrf_token": token, "account-csrf_token": token,
                                               "account-name": "Nadia Two-Hosts", "account-preferred_language": "en",
                                               "account-wants_reminders": "y", "account-submit": "Save"})
    assert saved.status == 302, saved.text[:2000]
    assert "Nadia Two-Hosts" in browser.get(f"{hosts.b}/account").text

    # the other processes came up on the same shared configuration
    assert hosts.worker.alive(), hosts.worker.output()
    wait_until(lambda: "scheduler lock taken" in hosts.scheduler.output(), timeout=30,
               what="the scheduler to take its lock")
