"""The audit log: written in the same transaction as the change, append-only, visible to facilitators."""

from __future__ import annotations

import pytest
from sqlmodel import select

from grants import audit
from grants.audit.models import AuditEvent
from grants.db import db
from tests import factories


def test_audit_rows_commit_and_roll_back_with_the_change(app, ctx):
    collective = factories.collective()
    audit.record("tester", "thing.done", collective, "Committed change")
    db.session.commit()
    audit.record("tester", "thing.undone", collective, "Rolled-back change")
    db.session.rollback()
    actions = db.session.exec(select(AuditEvent.action)).all()
    assert actions == ["thing.done"]


def test_audit_rows_cannot_be_changed_or_deleted(app, ctx):
    collective = factories.collective()
    row = audit.record("tester", "thing.done", collective, "Original")
    db.session.commit()
    row.summary = "Rewritten history"
    db.session.add(row)
    with pytest.raises(PermissionError):
        db.session.flush()
    db.session.rollback()
    db.session.delete(db.session.get(AuditEvent, row.id))
    with pytest.raises(PermissionError):
        db.session.flush()
    db.session.rollback()


def test_facilitators_see_their_collectives_log_only(client, app):
    with app.app_context():
        alpha, beta = factories.collective("alpha"), factories.collective("beta")
        facilitator = factories.member(alpha, roles=("facilitator",))
        audit.record(facilitator, "alpha.thing", alpha, "Something in alpha", collective_id=alpha.id)
        audit.record(facilitator, "beta.thing", beta, "Something secret in beta", collective_id=beta.id)
        db.session.commit()
    factories.login(client, facilitator)
    page = client.get("/c/alpha/audit").data.decode()
    assert "Something in alpha" in page
    assert "Something secret in beta" not in page


def test_a_long_name_and_email_fit_the_log(app, ctx):
    """Name (up to 120) and email (up to 254) together are longer than the log's actor column:
    the row keeps its first 120 characters, on either database."""
    collective = factories.collective()
    actor = factories.person("N" * 120, ("e" * 60) + "@" + ("d" * 60) + ".example.org")
    audit.record(actor, "thing.done", collective, "By the ORM")
    db.session.commit()
    labels = db.session.exec(select(AuditEvent.actor_label).order_by(AuditEvent.id)).all()
    assert labels == ["N" * 120]
