"""The scheduler: fires every timed transition that is due, through the same ``fire`` as people.

``fire_due_transitions(now)`` is the one job. It is idempotent: a row is moved only by a
compare-and-swap on its state and version, so a job run twice, or two scheduler processes at
once, never fire a transition twice; the loser sees the row already moved and skips it. After
downtime the first run catches up on everything whose date has passed.

``flask --app grants scheduler`` runs APScheduler (3.x) in its own process with a persistent job
store in the application database and a single interval job; never start it inside the web app.
"""

from __future__ import annotations

import logging
from datetime import datetime, timezone

from sqlmodel import select

import workflows
from grants.db import db
from grants.timeutil import utcnow
from grants.workflow.models import WorkflowFields
from grants.workflow.operations import SCHEDULER, fire
from workflows import TransitionError

log = logging.getLogger(__name__)
JOB_ID = "fire-due-transitions"
JOBSTORE_TABLE = "apscheduler_jobs"
_app = None


def workflow_models() -> list[type[WorkflowFields]]:
    import grants.models  # noqa: F401 - every table is registered on import

    def walk(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from walk(sub)

    return [cls for cls in walk(WorkflowFields) if getattr(cls, "__table__", None) is not None]


def fire_due_transitions(now: datetime | None = None) -> list[workflows.Move]:
    """Fire every due timed transition once; commit each row on its own. Returns what fired."""
    now = now or utcnow()
    fired: list[workflows.Move] = []
    for model in workflow_models():
        for name in model.__workflows__:
            workflow = workflows.get(name)
            for transition in workflow.transitions:
                if not transition.timed:
                    continue
                column = getattr(model, transition.timed_by)
                ids = db.session.exec(select(model.id).where(
                    model.state.in_([s.value for s in transition.source]), column <= now)).all()
                db.session.rollback()  # release the read before the writes below
                for row_id in ids:
                    row = db.session.get(model, row_id)
                    if row is None or row.workflow_name != name or transition not in workflow.due_transitions(row, now):
                        db.session.rollback()
                        continue
                    try:
                        fired.append(fire(row, transition.name, SCHEDULER, now=now))
                        db.session.commit()
                    except TransitionError as error:  # moved on meanwhile (another process, a person)
                        db.session.rollback()
                        log.info("skipped %s %s: %s", name, row_id, error.reason)
    return fired


def run_jobs(now: datetime | None = None) -> dict[str, int]:
    """Everything the scheduler does on each run, in order: timed transitions, then reminders.

    Every job here is idempotent (a second run, or a second scheduler, does nothing more)."""
    from grants.reporting.operations import send_report_reminders
    from grants.voting.operations import send_voting_reminders

    now = now or utcnow()
    return {"transitions": len(fire_due_transitions(now)), "voting_reminders": send_voting_reminders(now),
            "report_reminders": send_report_reminders(now)}


def tick() -> None:
    """The APScheduler job (referenced by name, so the persistent job store can keep it)."""
    app = _app
    if app is None:
        from grants import create_app

        app = create_app()
    with app.app_context():
        done = run_jobs()
        if any(done.values()):
            log.info("scheduler run: %s", done)


def build_scheduler(app, *, interval_seconds: int = 60, blocking: bool = True):
    """An APScheduler with its job store in the app database and the one periodic job."""
    global _app
    from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
    from apscheduler.schedulers.background import BackgroundScheduler
    from apscheduler.schedulers.blocking import BlockingScheduler

    _app = app
    with app.app_context():
        engine = db.engine
    scheduler_class = BlockingScheduler if blocking else BackgroundScheduler
    scheduler = scheduler_class(
        jobstores={"default": SQLAlchemyJobStore(engine=engine, tablename=JOBSTORE_TABLE)},
        timezone=timezone.utc,
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None},
    )
    # Run at once on start (catching up after downtime), then every interval.
    scheduler.add_job(tick, "interval", seconds=interval_seconds, id=JOB_ID, replace_existing=True,
                      next_run_time=datetime.now(timezone.utc))
    return scheduler
