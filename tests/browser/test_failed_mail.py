"""Failed email in a real browser: the facilitator finds it from the collective's page and retries it."""

from __future__ import annotations


import pytest

from grants.db import db
from grants.mail.models import OutboxMessage
from tests import factories

pytestmark = pytest.mark.browser


def test_a_facilitator_finds_failed_mail_and_retries_it(checked_page, live_app, mail_server, outbox):
    with live_app.app_context():
        collective = factories.collective("west", "West Birmingham Collective")
        facilitator = factories.member(collective, factories.person("Fola Adeyemi", "fola@example.org"),
                                       roles=("facilitator",))
        db.session.add(OutboxMessage(
            message_id="<browser-failed@commonpot.local>", collective_id=collective.id,
            recipient="ladywood.mums@example.org", subject="Spring 2027 small grants is open for proposals",
            body="…", state="failed", attempts=10,
            last_answer="Gave up after 10 attempts. Could not reach the mail server: ConnectionRefusedError"))
        db.session.commit()
    p = checked_page
    p.goto("/login")
    p.fill("Email address", facilitator.email)
    p.fill("Password", factories.PASSWORD)
    p.submit("Sign in")
    p.goto("/c/west")
    assert "1 not sent" in p.text()
    p.click_link("Email that could not be sent")
    assert "ladywood.mums@example.org" in p.text() and "Could not reach the mail server" in p.text()
    p.screenshot("failed-mail")
    p.submit("Retry the email to ladywood.mums@example.org: Spring 2027 small grants is open for proposals")
    assert "The email to ladywood.mums@example.org is queued again" in p.text()
    assert "Every email has been sent or is on its way" in p.text()
    [message] = mail_server.wait_for(1)
    assert message["To"] == "ladywood.mums@example.org"
