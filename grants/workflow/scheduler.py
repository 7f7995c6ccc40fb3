"""The scheduler: fires every timed transition that is due, through the same ``fire`` as people.

``fire_due_transitions(now)`` is the one job. It is idempotent: a row is moved only by a
compare-and-swap on its state and version, so a job run twice never fires a transition twice.
A row whose effect raises is rolled back on its own, logged with its id, and tried again on the
next run; every other due row still fires. After downtime the first run catches up on everything
whose date has passed.

Exactly one scheduler fires at a time, however many are started (one per host is the usual way to
have a standby): :class:`SchedulerLock` is held by the active one for as long as it runs.
- PostgreSQL: a session-level advisory lock (``pg_try_advisory_lock``) on a connection of its own.
  The server releases it when that connection ends, so a scheduler killed with SIGKILL, or whose
  host died, gives it up at once (or when TCP keepalive notices a vanished host); a standby polls
  every ``standby_poll`` seconds and takes over. The holder is named in ``pg_stat_activity``
  (``application_name`` = ``commonpot-scheduler <host> <pid>``).
- SQLite: ``fcntl.flock`` on a lock file beside the database file. A SQLite database (in WAL mode)
  is only ever used from one host, so a lock the kernel holds for the process, and drops when it
  dies, is exactly "one scheduler per database".
If the lock's connection is lost while its process lives, the scheduler stops firing and stands by;
the moment in which two might run is harmless (the compare-and-swap), only never the normal case.

``flask --app grants scheduler`` runs APScheduler (3.x) in its own process, once it holds the lock,
with a persistent job store in the application database and a single interval job; never start it
inside the web app. APScheduler 3 does not support two processes sharing a job store: the lock is
also what keeps a second scheduler away from it.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from datetime import datetime, timezone
from pathlib import Path

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
                    except Exception:  # noqa: BLE001 - one broken row must not stall every other
                        # Rolled back whole (its effects too) and still due: the next run tries again.
                        db.session.rollback()
                        log.exception("scheduler: %s.%s failed on %s %s; it will be tried again on the next run",
                                      name, transition.name, model.__tablename__, row_id,
                                      extra={"workflow": name, "transition": transition.name,
                                             "object_type": model.__tablename__, "object_id": row_id})
    return fired


def run_jobs(now: datetime | None = None, moves: list | None = None) -> dict[str, int]:
    """Everything the scheduler does on each run, in order: timed transitions, then reminders.

    Every job here is idempotent (a second run does nothing more); one that raises is logged and
    the others still run. ``moves``, if given, receives the transitions fired."""
    from grants.reporting.operations import send_report_reminders
    from grants.voting.operations import send_voting_reminders

    now = now or utcnow()
    def transitions() -> int:
        fired = fire_due_transitions(now)
        if moves is not None:
            moves.extend(fired)
        return len(fired)

    jobs = {"transitions": transitions,
            "voting_reminders": lambda: send_voting_reminders(now),
            "report_reminders": lambda: send_report_reminders(now)}
    done: dict[str, int] = {}
    for name, job in jobs.items():
        try:
            done[name] = job()
        except Exception:  # noqa: BLE001 - a failing job must not keep the others from running
            db.session.rollback()
            log.exception("scheduler: the %s job failed; it runs again next time", name, extra={"job": name})
            done[name] = 0
    return done


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


# The advisory lock's key (any 32-bit number no other code uses; "cpot" in ASCII).
ADVISORY_LOCK_KEY = 0x63706F74


class SchedulerLock:
    """The right to fire: held by one scheduler process per database at a time (see the module)."""

    def __init__(self, app) -> None:
        self.url = app.config["DATABASE_URL"]
        self.instance_path = Path(app.instance_path)
        self.holder = f"commonpot-scheduler {socket.gethostname()} {os.getpid()}"[:63]
        self._connection = None
        self._engine = None
        self._file = None

    @property
    def on_postgres(self) -> bool:
        return self.url.startswith("postgres")

    def acquire(self) -> bool:
        """Take the lock if nobody holds it; never waits."""
        if self._connection is not None or self._file is not None:
            return True
        return self._acquire_postgres() if self.on_postgres else self._acquire_file()

    def held(self) -> bool:
        """Whether this process still holds it (on PostgreSQL: its connection is alive and has it)."""
        if self._file is not None:
            return True
        if self._connection is None:
            return False
        import sqlalchemy as sa

        try:
            return bool(self._connection.execute(sa.text(
                "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted"
                " AND pid = pg_backend_pid() AND classid::bigint = 0 AND objid::bigint = :key)"), {"key": ADVISORY_LOCK_KEY}).scalar())
        except Exception:  # noqa: BLE001 - a lost connection is a lost lock
            log.warning("scheduler lock: its database connection failed", exc_info=True)
            self.release()
            return False

    def release(self) -> None:
        if self._connection is not None:
            try:
                self._connection.close()   # ends the session, and with it the advisory lock
            except Exception:  # noqa: BLE001  # nosec B110  # already gone: so is the lock
                pass
            self._connection = None
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None
        if self._file is not None:
            self._file.close()             # closing the descriptor drops the flock
            self._file = None

    def _acquire_postgres(self) -> bool:
        import sqlalchemy as sa
        from sqlalchemy.pool import NullPool

        from grants.db import make_engine

        if self._engine is None:
            self._engine = make_engine(self.url, poolclass=NullPool, connect_args={
                "connect_timeout": 5, "application_name": self.holder,
                # a holder whose host vanished gives the lock up within about a minute
                "keepalives": 1, "keepalives_idle": 30, "keepalives_interval": 10, "keepalives_count": 3})
        try:
            connection = self._engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        except Exception:  # noqa: BLE001 - the database is down: nobody can fire; try again later
            log.warning("scheduler lock: cannot reach the database", exc_info=True)
            return False
        taken = connection.execute(sa.text("SELECT pg_try_advisory_lock(:key)"), {"key": ADVISORY_LOCK_KEY}).scalar()
        if not taken:
            connection.close()
            return False
        self._connection = connection
        return True

    def lock_path(self) -> Path:
        from sqlalchemy.engine import make_url

        database = make_url(self.url).database
        if database and database != ":memory:":
            return Path(database).with_name(Path(database).name + ".scheduler-lock")
        return self.instance_path / "scheduler.lock"

    def _acquire_file(self) -> bool:
        import fcntl

        path = self.lock_path()
        path.parent.mkdir(parents=True, exist_ok=True)
        handle = path.open("a+")
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            return False
        handle.truncate(0)
        handle.write(self.holder + "\n")   # for an operator asking "which one is it?"
        handle.flush()
        self._file = handle
        return True


def run(app, *, interval_seconds: int = 60, standby_poll: float = 5.0, stop: threading.Event | None = None) -> None:
    """Stand by until this process holds the scheduler lock, then fire due work until ``stop`` is set."""
    stop = stop or threading.Event()
    lock = SchedulerLock(app)
    said_standby = False
    try:
        while not stop.is_set():
            if not lock.acquire():
                if not said_standby:
                    log.info("scheduler standing by: another scheduler holds the lock", extra={"holder": lock.holder})
                    said_standby = True
                stop.wait(standby_poll)
                continue
            said_standby = False
            log.info("scheduler lock taken: this process fires due transitions", extra={"holder": lock.holder})
            scheduler = build_scheduler(app, interval_seconds=interval_seconds, blocking=False)
            scheduler.start()
            try:
                while not stop.is_set() and lock.held():
                    stop.wait(standby_poll)
            finally:
                scheduler.shutdown(wait=True)
            if not stop.is_set():
                log.error("scheduler lock lost: standing by until it can be taken again", extra={"holder": lock.holder})
    finally:
        lock.release()
