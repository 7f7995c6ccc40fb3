"""The workflow engine in the app: compare-and-swap firing, history, effects, the scheduler."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
import time_machine
from sqlmodel import select

import workflows
from grants.audit.models import AuditEvent
from grants.collectives.models import Invitation, JoinRequest, Membership
from grants.db import db
from grants.workflow import operations
from grants.workflow.models import StateHistory
from grants.workflow.operations import StaleState, fire
from grants.workflow.scheduler import JOBSTORE_TABLE, build_scheduler, fire_due_transitions
from tests import factories
from workflows import GuardFailed, NotAllowed, WrongState

T0 = datetime(2027, 3, 1, 12, 0, tzinfo=timezone.utc)


def _join_request(collective=None):
    collective = collective or factories.collective()
    facilitator = factories.member(collective, roles=("facilitator",))
    asker = factories.person()
    organisation = factories.organisation(collective, status="pending")
    join = JoinRequest(collective_id=collective.id, person_id=asker.id, organisation_id=organisation.id)
    db.session.add(join)
    db.session.commit()
    return join, facilitator, asker


def _invitation(collective, expires_at, email="invitee@example.org"):
    invitation = Invitation(collective_id=collective.id, email=email, roles=["member"],
                            token_hash=email.ljust(64, "x")[:64], expires_at=expires_at)
    db.session.add(invitation)
    db.session.commit()
    return invitation


def history_of(row):
    return db.session.exec(select(StateHistory).where(
        StateHistory.object_type == type(row).__tablename__, StateHistory.object_id == row.id)).all()


def test_fire_moves_the_row_and_writes_history_and_audit_in_one_transaction(app, ctx):
    join, facilitator, _asker = _join_request()
    move = fire(join, "approve", facilitator)
    assert (move.from_state.value, move.to_state.value) == ("pending", "approved")
    assert (join.state, join.version) == ("approved", 2)
    db.session.rollback()                      # nothing of it survives a rollback
    db.session.expire_all()
    assert db.session.get(JoinRequest, join.id).state == "pending"
    assert history_of(join) == []
    assert db.session.exec(select(AuditEvent)).all() == []

    join = db.session.get(JoinRequest, join.id)
    fire(join, "approve", facilitator)
    db.session.commit()
    [row] = history_of(join)
    assert (row.transition, row.from_state, row.to_state, row.actor_id) == ("approve", "pending", "approved", facilitator.id)
    assert db.session.exec(select(AuditEvent.action)).all() == ["join_request.approve"]
    # the effect ran in the same transaction: the organisation is in, the asker a member
    membership = db.session.exec(select(Membership).where(Membership.person_id == join.person_id)).one()
    assert membership.roles == {"member", "applicant"}


def test_refusals_raise_with_a_human_reason_and_change_nothing(app, ctx):
    join, facilitator, asker = _join_request()
    with pytest.raises(NotAllowed, match="Only a facilitator can do this"):
        fire(join, "approve", asker)
    with pytest.raises(GuardFailed, match="Say why you are declining"):
        fire(join, "decline", facilitator, data={"reason": "  "})
    with pytest.raises(workflows.UnknownTransition):
        fire(join, "teleport", facilitator)
    db.session.rollback()
    assert db.session.get(JoinRequest, join.id).version == 1
    assert history_of(join) == []


def test_a_stale_read_loses_and_says_who_moved_it_first(app):
    with app.app_context():
        join, facilitator, asker = _join_request()
    with app.app_context():                     # a facilitator's page reads the request (and ends)...
        stale = db.session.get(JoinRequest, join.id)
        stale_facilitator = db.session.merge(facilitator)
        db.session.commit()
        with app.app_context():                 # ...meanwhile the asker withdraws it and commits
            fresh = db.session.get(JoinRequest, join.id)
            fire(fresh, "withdraw", db.session.merge(asker))
            db.session.commit()
        with pytest.raises(StaleState) as caught:
            fire(stale, "approve", stale_facilitator)
        db.session.rollback()
        assert f"already moved on by {asker.name}" in caught.value.reason
        assert "it is now “Withdrawn”" in caught.value.reason
    with app.app_context():
        assert [h.transition for h in history_of(join)] == ["withdraw"]


def test_two_people_firing_at_once_exactly_one_wins(app, database_url):
    with app.app_context():
        join, facilitator, _asker = _join_request()
        second = factories.member(_collective_of(join), roles=("facilitator",))
        db.session.commit()
    racing = database_url.startswith("postgresql")
    # On PostgreSQL both read before either writes, so the compare-and-swap decides; SQLite takes
    # the write lock at BEGIN, so the second reads after the first commits and is refused then.
    barrier = threading.Barrier(2, timeout=10) if racing else None
    outcomes: dict[str, object] = {}

    def attempt(person_id, approve):
        from grants.auth.models import Person
        from grants.collectives.operations import decide_join_request

        with app.test_request_context("/", method="POST"):   # as the two form posts would
            person = db.session.get(Person, person_id)
            row = db.session.get(JoinRequest, join.id)
            if barrier:
                barrier.wait()
            try:
                decide_join_request(row, approve=approve, reason="" if approve else "Outside our area", actor=person)
                db.session.commit()
                outcomes[approve] = "won"
            except (StaleState, WrongState) as error:
                db.session.rollback()
                outcomes[approve] = error

    threads = [threading.Thread(target=attempt, args=(facilitator.id, True)),
               threading.Thread(target=attempt, args=(second.id, False))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert len(outcomes) == 2 and list(outcomes.values()).count("won") == 1, outcomes
    loser = next(o for o in outcomes.values() if o != "won")
    assert loser.reason
    with app.app_context():
        assert len(history_of(join)) == 1
        stored = db.session.get(JoinRequest, join.id)
        assert stored.version == 2
        # the winner's decision and reason, never a mix of the two
        assert (stored.state, stored.decision_reason) in {("approved", ""), ("declined", "Outside our area")}


def _collective_of(join):
    from grants.collectives.models import Collective

    return db.session.get(Collective, join.collective_id)


def test_history_rows_are_append_only(app, ctx):
    join, facilitator, _asker = _join_request()
    fire(join, "approve", facilitator)
    db.session.commit()
    [row] = history_of(join)
    row.reason = "rewritten"
    db.session.add(row)
    with pytest.raises(PermissionError):
        db.session.flush()
    db.session.rollback()


def test_every_effect_of_the_workflows_the_app_fires_has_a_handler(app):
    import grants.collectives.operations  # noqa: F401 - registers its handlers

    for name in ("join_request", "invitation"):
        assert workflows.get(name).effect_names <= operations.registered_effects()


def test_an_effect_without_a_handler_is_an_error_not_a_silent_skip(app, ctx, monkeypatch):
    join, facilitator, _asker = _join_request()
    monkeypatch.delitem(operations._EFFECTS, "admit_organisation")
    with pytest.raises(LookupError, match="admit_organisation"):
        fire(join, "approve", facilitator)
    db.session.rollback()


# -- the scheduler ----------------------------------------------------------------------------

def test_due_transitions_fire_once_and_not_before_their_time(app, ctx):
    collective = factories.collective()
    invitation = _invitation(collective, T0 + timedelta(days=1))
    with time_machine.travel(T0 + timedelta(hours=23), tick=False):
        assert fire_due_transitions() == []
    with time_machine.travel(T0 + timedelta(days=1, minutes=1), tick=False):
        moves = fire_due_transitions()
        assert [(m.workflow, m.transition) for m in moves] == [("invitation", "expire")]
        assert fire_due_transitions() == []          # a second run changes nothing
    db.session.expire_all()
    assert db.session.get(Invitation, invitation.id).state == "expired"
    [row] = history_of(invitation)
    assert row.actor_label == "scheduler" and row.actor_id is None


def test_after_downtime_everything_overdue_fires_once(app, ctx):
    collective = factories.collective()
    invitations = [_invitation(collective, T0 + timedelta(days=d), f"p{d}@example.org") for d in (1, 2, 3)]
    later = _invitation(collective, T0 + timedelta(days=30), "later@example.org")
    with time_machine.travel(T0 + timedelta(days=10), tick=False):   # the scheduler was down for a week
        assert len(fire_due_transitions()) == 3
        assert fire_due_transitions() == []
    db.session.expire_all()
    assert [db.session.get(Invitation, i.id).state for i in invitations] == ["expired"] * 3
    assert db.session.get(Invitation, later.id).state == "sent"
    assert all(len(history_of(i)) == 1 for i in invitations)


def test_two_schedulers_at_once_never_fire_twice(app):
    with app.app_context():
        collective = factories.collective()
        ids = [_invitation(collective, T0, f"r{n}@example.org").id for n in range(6)]
    fired: list[int] = []

    def run():
        with app.app_context():
            fired.append(len(fire_due_transitions(now=T0 + timedelta(minutes=1))))

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sum(fired) == 6
    with app.app_context():
        rows = db.session.exec(select(StateHistory)).all()
        assert sorted(r.object_id for r in rows) == sorted(ids)


def test_a_row_whose_effect_raises_is_rolled_back_logged_and_retried_while_the_others_fire(app, ctx, monkeypatch,
                                                                                          caplog):
    import logging

    from grants.workflow import scheduler

    collective = factories.collective()
    invitations = [_invitation(collective, T0, f"e{n}@example.org") for n in range(3)]
    broken = invitations[1]
    real_fire = scheduler.fire

    def fire_with_a_broken_effect(row, transition, actor, **kwargs):
        move = real_fire(row, transition, actor, **kwargs)   # state, history and audit are written...
        if row.id == broken.id:
            raise RuntimeError("the effect's mail server is on fire")   # ...then the effect fails
        return move

    monkeypatch.setattr(scheduler, "fire", fire_with_a_broken_effect)
    caplog.set_level(logging.ERROR, logger="grants.workflow.scheduler")
    moves = scheduler.fire_due_transitions(now=T0 + timedelta(minutes=1))
    assert len(moves) == 2
    db.session.expire_all()
    assert [db.session.get(Invitation, i.id).state for i in invitations] == ["expired", "sent", "expired"]
    assert history_of(broken) == []                                   # rolled back whole
    assert db.session.exec(select(AuditEvent).where(AuditEvent.object_id == broken.id)).all() == []
    [record] = caplog.records
    assert record.object_id == broken.id and record.object_type == "invitation"
    assert f"invitation {broken.id}" in record.getMessage() and "tried again" in record.getMessage()
    monkeypatch.setattr(scheduler, "fire", real_fire)                  # mended: the next run fires it
    assert [m.transition for m in scheduler.fire_due_transitions(now=T0 + timedelta(minutes=2))] == ["expire"]
    db.session.expire_all()
    assert db.session.get(Invitation, broken.id).state == "expired" and len(history_of(broken)) == 1


def test_a_failing_job_does_not_keep_the_others_from_running(app, ctx, monkeypatch):
    from grants.voting import operations as voting
    from grants.workflow import scheduler

    collective = factories.collective()
    _invitation(collective, T0)

    def broken(_now=None):
        raise RuntimeError("no")

    monkeypatch.setattr(voting, "send_voting_reminders", broken)
    done = scheduler.run_jobs(T0 + timedelta(minutes=1))
    assert done == {"transitions": 1, "voting_reminders": 0, "report_reminders": 0}


def test_only_one_process_holds_the_scheduler_lock(app):
    from grants.workflow.scheduler import SchedulerLock

    first, second = SchedulerLock(app), SchedulerLock(app)
    try:
        assert first.acquire() and first.held()
        assert not second.acquire() and not second.held()
        first.release()
        assert second.acquire() and second.held()     # the standby takes over once it is free
        assert not first.acquire()
    finally:
        first.release()
        second.release()


def test_scheduler_once_fires_nothing_while_another_scheduler_holds_the_lock(app, runner):
    from grants.workflow.scheduler import SchedulerLock

    with app.app_context():
        collective = factories.collective()
        invitation = _invitation(collective, datetime.now(timezone.utc) - timedelta(days=1))
    active = SchedulerLock(app)
    assert active.acquire()
    try:
        result = runner.invoke(args=["scheduler", "--once"])
        assert result.exit_code == 0, result.output
        assert "Another scheduler is running" in result.output
        with app.app_context():
            assert db.session.get(Invitation, invitation.id).state == "sent"
    finally:
        active.release()


def test_apscheduler_runs_the_job_from_its_persistent_store(app):
    with app.app_context():
        collective = factories.collective()
        invitation = _invitation(collective, datetime.now(timezone.utc) - timedelta(minutes=5))
    scheduler = build_scheduler(app, interval_seconds=3600, blocking=False)
    scheduler.start()
    try:
        import time

        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            with app.app_context():
                if db.session.get(Invitation, invitation.id).state == "expired":
                    break
            time.sleep(0.1)
        with app.app_context():
            assert db.session.get(Invitation, invitation.id).state == "expired"
            jobs = db.session.execute(sa.text(f"SELECT id FROM {JOBSTORE_TABLE}")).scalars().all()
            assert jobs == ["fire-due-transitions"]
    finally:
        scheduler.shutdown(wait=True)
        with app.app_context(), db.engine.begin() as connection:
            connection.execute(sa.text(f"DROP TABLE {JOBSTORE_TABLE}"))


def test_scheduler_once_from_the_command_line(app, runner):
    with app.app_context():
        collective = factories.collective()
        _invitation(collective, datetime.now(timezone.utc) - timedelta(days=1))
    result = runner.invoke(args=["scheduler", "--once"])
    assert result.exit_code == 0, result.output
    assert "Fired 1 due transition(s)" in result.output
    assert "invitation.expire: sent → expired" in result.output


# -- pages ------------------------------------------------------------------------------------

def test_workflow_pages_show_the_diagram_and_the_rules(client, app):
    with app.app_context():
        collective = factories.collective("west")
        reviewer = factories.member(collective, roles=("reviewer",))
        db.session.commit()
    factories.login(client, reviewer)
    page = client.get("/c/west/workflows/").data.decode()
    assert "Grant round (standard)" in page
    page = client.get("/c/west/workflows/round").data.decode()
    assert "<svg" in page and 'role="img"' in page
    assert "stateDiagram-v2" in page
    assert "Voting closes" in page or "voting closes at passes" in page.lower()
    assert client.get("/c/west/workflows/nonsense").status_code == 404


def test_the_join_request_page_shows_state_history_and_what_the_viewer_can_do(client, app):
    with app.app_context():
        join, facilitator, _asker = _join_request(factories.collective("west"))
    factories.login(client, facilitator)
    page = client.get(f"/c/west/join-requests/{join.id}").data.decode()
    assert "Waiting for a decision" in page
    # only what this person can do, in plain words: withdrawing is the asker's, so it is not listed
    assert "Withdraw the request" not in page and "Only an applicant can do this" not in page
    assert "Decline: <strong>you can do this now</strong> (you will be asked for a reason)" in page
    client.post(f"/c/west/join-requests/{join.id}", data={"decision": "decline", "reason": "Outside our area"})
    page = client.get(f"/c/west/join-requests/{join.id}").data.decode()
    assert "Waiting for a decision → Declined" in page
    assert "Outside our area" in page
    # a decided request refuses a second decision with the engine's reason, and nothing changes
    page = client.post(f"/c/west/join-requests/{join.id}", data={"decision": "approve"}).data.decode()
    assert "is only possible from" in page
    with app.app_context():
        assert db.session.get(JoinRequest, join.id).state == "declined"


def test_every_workflow_driven_table_says_which_roles_a_person_holds_for_a_row(app):
    from grants.workflow.scheduler import workflow_models

    models = workflow_models()
    assert len(models) >= 7
    for model in models:
        assert callable(model.__dict__.get("actor_roles")), f"{model.__name__} has no actor_roles"
        assert model.__workflows__ and all(name in workflows.WORKFLOWS for name in model.__workflows__)
