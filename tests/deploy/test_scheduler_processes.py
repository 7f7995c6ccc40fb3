"""Two scheduler processes on one PostgreSQL database: one fires, the other stands by and takes over."""

from __future__ import annotations

import secrets
from datetime import timedelta

import sqlalchemy as sa
from sqlmodel import select

from grants.collectives.models import Invitation
from grants.db import db
from grants.timeutil import utcnow
from grants.workflow.models import StateHistory
from grants.workflow.scheduler import ADVISORY_LOCK_KEY
from tests import factories
from tests.deploy.support import host_env, wait_until


def _due_invitations(collective, count: int, tag: str) -> list[int]:
    ids = []
    for n in range(count):
        invitation = Invitation(collective_id=collective.id, email=f"{tag}{n}@example.org", roles=["member"],
                                token_hash=secrets.token_hex(32), expires_at=utcnow() - timedelta(seconds=1))
        db.session.add(invitation)
        db.session.flush()
        ids.append(invitation.id)
    db.session.commit()
    return ids


def _moves(app, ids) -> dict[int, int]:
    with app.app_context():
        rows = db.session.exec(select(StateHistory.object_id).where(
            StateHistory.object_type == "invitation", StateHistory.object_id.in_(ids))).all()
    return {object_id: rows.count(object_id) for object_id in ids}


def _all_fired(app, ids) -> bool:
    return all(count >= 1 for count in _moves(app, ids).values())


def _holder_pid(app) -> int | None:
    with app.app_context():
        name = db.session.execute(sa.text(
            "SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid"
            " WHERE l.locktype = 'advisory' AND l.granted AND l.objid::bigint = :key"
            # pg_locks is the whole server's: a scheduler another test worker started on its own
            # database holds the same key there.
            " AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())"),
            {"key": ADVISORY_LOCK_KEY}).scalar()
        db.session.rollback()
    return int(name.rsplit(" ", 1)[1]) if name else None


def test_two_schedulers_fire_each_due_row_once_and_the_standby_takes_over_from_a_killed_one(
        app, postgres_url, processes, tmp_path):
    with app.app_context():
        collective = factories.collective("schedulers")
        first_batch = _due_invitations(collective, 12, "first")
    env = dict(database_url=postgres_url, secret_key="two-schedulers", base_url="http://127.0.0.1:5000")
    command = ["scheduler", "--interval", "1", "--standby-poll", "0.3"]
    one = processes.flask("scheduler-1", command, host_env(instance=tmp_path / "host-1", **env))
    two = processes.flask("scheduler-2", command, host_env(instance=tmp_path / "host-2", **env))

    wait_until(lambda: _all_fired(app, first_batch), timeout=60, what="the first batch to fire")
    holder = wait_until(lambda: _holder_pid(app), timeout=30, what="a scheduler to hold the lock")
    assert holder in (one.pid, two.pid)
    active, standby = (one, two) if holder == one.pid else (two, one)
    wait_until(lambda: "standing by" in standby.output(), timeout=30, what="the other to stand by")
    # both raced for the same due rows from the start: still one move per row
    assert set(_moves(app, first_batch).values()) == {1}
    assert "scheduler lock taken" not in standby.output()

    active.kill()                                      # SIGKILL: no chance to let go of anything
    with app.app_context():
        collective = db.session.merge(collective)
        second_batch = _due_invitations(collective, 6, "second")
    wait_until(lambda: _all_fired(app, second_batch), timeout=60, what="the standby to fire the new rows")
    assert _holder_pid(app) == standby.pid
    assert "scheduler lock taken" in standby.output()
    assert set(_moves(app, first_batch + second_batch).values()) == {1}
    with app.app_context():
        states = db.session.exec(select(Invitation.state).where(Invitation.id.in_(first_batch + second_batch))).all()
    assert set(states) == {"expired"}
