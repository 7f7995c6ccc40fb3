"""The job queue: tasks are queued after the commit, never on a rollback, and run in an app context."""

from __future__ import annotations

from flask import current_app

from grants import create_app, queue
from grants.db import db

RAN: list = []


@queue.task(retries=0)
def remember(value):
    RAN.append((value, current_app.name))


def test_a_task_queued_in_a_transaction_runs_only_after_the_commit(app):
    RAN.clear()
    with app.app_context():
        db.session.begin()
        queue.enqueue(remember, "after commit")
        assert RAN == []
        db.session.commit()
    assert RAN == [("after commit", app.name)]


def test_a_rolled_back_transaction_queues_nothing(app):
    RAN.clear()
    with app.app_context():
        db.session.begin()
        queue.enqueue(remember, "never")
        db.session.rollback()
        db.session.begin()
        db.session.commit()
    assert RAN == []


def test_the_default_queue_is_a_sqlite_file_that_a_worker_drains(app_config, tmp_path):
    RAN.clear()
    app = create_app({**app_config, "HUEY_IMMEDIATE": False, "INSTANCE_PATH": str(tmp_path / "instance")})
    huey = queue.huey_of(app)
    assert type(huey).__name__ == "SqliteHuey"
    assert (tmp_path / "instance" / "huey.sqlite3").exists()
    with app.app_context():
        queue.enqueue(remember, "from the file")
    assert RAN == [] and huey.pending_count() == 1
    huey.execute(huey.dequeue())  # what the worker's consumer does with each message
    assert RAN == [("from the file", app.name)]
    queue.check_ready(app)
    app.extensions["commonpot_db"].dispose()


def test_redis_url_selects_redis(app_config):
    app = create_app({**app_config, "HUEY_IMMEDIATE": False, "REDIS_URL": "redis://127.0.0.1:6379/15"})
    assert type(queue.huey_of(app)).__name__ == "RedisHuey"
    queue.check_ready(app)
    app.extensions["commonpot_db"].dispose()


def test_only_declared_tasks_can_be_queued(app):
    with app.app_context():
        try:
            queue.enqueue(print, "x")
        except TypeError as error:
            assert "not a task" in str(error)
        else:
            raise AssertionError("an undeclared function was queued")


SWEPT: list = []


@queue.periodic_task(every_minutes=5)
def sweep():
    SWEPT.append(current_app.name)


def test_a_periodic_sweep_is_registered_on_the_workers_schedule(app_config, tmp_path):
    from datetime import datetime

    app = create_app({**app_config, "HUEY_IMMEDIATE": False, "INSTANCE_PATH": str(tmp_path / "instance")})
    huey = queue.huey_of(app)
    due = {task.name for task in huey.read_periodic(datetime(2026, 12, 2, 10, 5))}
    assert sweep.task_name in due
    assert sweep.task_name not in {task.name for task in huey.read_periodic(datetime(2026, 12, 2, 10, 6))}
    SWEPT.clear()
    for message in huey.read_periodic(datetime(2026, 12, 2, 10, 5)):
        if message.name == sweep.task_name:
            huey.execute(message)
    assert SWEPT == [app.name]
    app.extensions["commonpot_db"].dispose()
