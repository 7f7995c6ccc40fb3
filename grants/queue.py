"""Background work through Huey: documents, mail and big imports, off the web request.

Glossary
- *task*: a plain function registered with :func:`task`. It runs in the worker process
  (``flask --app grants worker``) inside an app context with its own database session. A task
  must be idempotent: a worker killed half-way leaves it to run again, so running it twice does
  no harm (claim a row with a compare-and-swap, or check what is already done). A task that
  raises is retried with back-off (``retry_delay`` seconds, multiplied by ``retry_backoff`` at
  each try) until its retries are used up.
- *enqueue*: :func:`enqueue` queues a task for after the current transaction commits, as mail
  is: a rolled-back request queues nothing, and the worker never looks for a row that is not
  committed yet. Outside a transaction it queues at once.
- *storage*: ``SqliteHuey`` in ``instance/huey.sqlite3`` by default (one host, nothing to
  install); ``RedisHuey`` when ``REDIS_URL`` is set (any number of hosts and workers).
  ``HUEY_IMMEDIATE`` (the tests) runs each task in-process, at once, when it is queued.

Tasks are declared at import time (no I/O) and bound to an app's Huey instance by
:func:`init_app`, so the web process, the worker and the tests all see the same names.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from flask import Flask, current_app
from sqlalchemy import event
from sqlalchemy.orm import Session

log = logging.getLogger(__name__)
_PENDING = "commonpot_pending_tasks"
_EXTENSION = "commonpot_huey"


@dataclass(frozen=True)
class TaskSpec:
    name: str
    function: Callable
    retries: int
    retry_delay: int
    retry_backoff: float
    every_minutes: int | None = None


_TASKS: dict[str, TaskSpec] = {}


def task(*, retries: int = 8, retry_delay: int = 30, retry_backoff: float = 2.0):
    """Declare ``function`` a background task (by its module and name).

    The defaults retry for a little over two hours: 30 s, 1 min, 2 min, … 64 min.
    """

    def register(function: Callable) -> Callable:
        name = f"{function.__module__}.{function.__qualname__}"
        _TASKS[name] = TaskSpec(name, function, retries, retry_delay, retry_backoff)
        function.task_name = name
        return function

    return register


def periodic_task(*, every_minutes: int = 1):
    """Declare ``function`` a sweep that every worker runs every ``every_minutes`` minutes.

    For putting right what a killed process left half-done (a claimed row nobody finished): it
    must be safe when several workers run it at once, as every task must be.
    """

    def register(function: Callable) -> Callable:
        name = f"{function.__module__}.{function.__qualname__}"
        _TASKS[name] = TaskSpec(name, function, 0, 0, 0, every_minutes)
        function.task_name = name
        return function

    return register


def make_huey(app: Flask):
    from huey import MemoryHuey, RedisHuey, SqliteHuey

    # The queue's name keys its storage: deployments sharing one Redis keep apart by HUEY_NAME.
    name = app.config.get("HUEY_NAME") or "commonpot"
    if app.config.get("HUEY_IMMEDIATE"):
        return MemoryHuey(name, immediate=True, utc=True)
    if app.config.get("REDIS_URL"):
        return RedisHuey(name, url=app.config["REDIS_URL"], utc=True)
    path = Path(app.config.get("HUEY_SQLITE_PATH") or Path(app.instance_path) / "huey.sqlite3")
    path.parent.mkdir(parents=True, exist_ok=True)
    return SqliteHuey(name, filename=str(path), utc=True)


def init_app(app: Flask) -> None:
    app.extensions[_EXTENSION] = {"huey": make_huey(app), "bound": {}}
    bind_tasks(app)


def bind_tasks(app: Flask) -> dict:
    """Register every declared task with the app's Huey (again-safe: new ones only)."""
    state = app.extensions[_EXTENSION]
    huey, bound = state["huey"], state["bound"]
    for name, spec in _TASKS.items():
        if name in bound:
            continue
        if spec.every_minutes:
            from huey import crontab

            decorator = huey.periodic_task(crontab(minute=f"*/{spec.every_minutes}"), name=name)
        else:
            decorator = huey.task(retries=spec.retries, retry_delay=spec.retry_delay,
                                  retry_backoff=spec.retry_backoff, name=name)
        bound[name] = decorator(_in_app_context(app, spec))
    return bound


def _in_app_context(app: Flask, spec: TaskSpec) -> Callable:
    def run(*args, **kwargs):
        with app.app_context():
            return spec.function(*args, **kwargs)

    run.__name__ = spec.function.__name__
    return run


def huey_of(app: Flask | None = None):
    return (app or current_app).extensions[_EXTENSION]["huey"]


def _wrapper(function: Callable):
    name = getattr(function, "task_name", None)
    if name is None:
        raise TypeError(f"{function!r} is not a task: declare it with @grants.queue.task()")
    bound = bind_tasks(current_app._get_current_object())
    return bound[name]


def enqueue(function: Callable, *args, delay: int | None = None, **kwargs) -> None:
    """Queue ``function(*args, **kwargs)`` for the worker once this transaction commits."""
    from grants.db import db

    wrapper = _wrapper(function)
    session = db.session
    call = (wrapper, args, kwargs, delay)
    if session.in_transaction():
        session.info.setdefault(_PENDING, []).append(call)
    else:
        _send(call)


def _send(call) -> None:
    wrapper, args, kwargs, delay = call
    if delay:
        wrapper.schedule(args=args, kwargs=kwargs, delay=delay)
    else:
        wrapper(*args, **kwargs)


def check_ready(app: Flask | None = None) -> None:
    """Raise if the queue's storage cannot be reached (for ``/readyz``)."""
    huey_of(app).pending_count()


@event.listens_for(Session, "after_commit")
def _send_after_commit(session: Session) -> None:
    for call in session.info.pop(_PENDING, []):
        try:
            _send(call)
        except Exception:  # noqa: BLE001 - the change is committed; say so loudly, never a 500
            log.exception("could not queue task %s", call[0].name)


@event.listens_for(Session, "after_soft_rollback")
def _discard_after_rollback(session: Session, previous_transaction) -> None:
    if not previous_transaction.nested:
        session.info.pop(_PENDING, None)
