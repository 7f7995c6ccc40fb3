"""Queuing email: delivered to the SMTP server only after the commit, never after a rollback, and
not at all while mail is silenced; commissioning's own templates go through the same outbox."""

from __future__ import annotations

import time
from types import SimpleNamespace

from grants import mail
from grants.commissioning import notify
from grants.db import db
from tests import factories
from tests.mailserver import body

CYCLE = SimpleNamespace(name="2027 community health")


def test_a_rendered_body_is_sent_after_the_commit_and_dropped_on_a_rollback(app, ctx, mail_server, outbox):
    mail.queue_body("amina@example.org", "Rolled back", "This never leaves.")
    db.session.rollback()
    mail.queue_body("amina@example.org", "Your report", "Thank you for your report.\n")
    assert outbox == []                                   # nothing before the commit
    db.session.commit()
    [message] = mail_server.wait_for(1)
    assert message["Subject"] == "Your report" and message["To"] == "amina@example.org"
    assert body(message).strip() == "Thank you for your report."
    time.sleep(0.2)
    assert len(outbox) == 1                               # the rolled-back one never came


def test_silenced_sessions_queue_nothing_from_either_door(app, ctx, mail_server, outbox):
    mail.silence_mail()
    collective = factories.collective("west", "West Collective")
    mail.queue_body("amina@example.org", "Silenced", "Nobody hears this.")
    notify.queue("amina@example.org", "Silenced too", "loop_closed.txt", collective=collective, cycle=CYCLE,
                 link="http://example.org/")
    db.session.commit()
    time.sleep(0.3)
    assert outbox == []


def test_commissioning_mail_renders_its_own_template_onto_the_same_outbox(app, ctx, mail_server, outbox):
    collective = factories.collective("west", "West Collective")
    link = notify.external_url("commissioning.public", slug="west")
    assert link.endswith("/c/west/you-said-we-did")
    queued = notify.queue("amina@example.org", "You said, we did", "loop_closed.txt", collective=collective,
                          cycle=CYCLE, link=link)
    assert isinstance(queued, mail.OutboxMessage) and link in queued.body
    assert 'West Collective has closed the loop on its commissioning cycle "2027 community health"' in queued.body
    db.session.commit()
    [message] = mail_server.wait_for(1)
    assert message["Subject"] == "You said, we did" and link in body(message)
