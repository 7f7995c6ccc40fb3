"""A real queue for tests that must see work queued but not yet done (the suite's default,
``HUEY_IMMEDIATE``, runs every task at once), and a way to drain it as the worker would."""

from __future__ import annotations

from pathlib import Path

from huey import SqliteHuey

from grants import queue


def real_queue(app, path: Path) -> SqliteHuey:
    """Give ``app`` a SQLite-file queue at ``path`` instead of the immediate one."""
    huey = SqliteHuey("commonpot", filename=str(path), utc=True)
    app.extensions["commonpot_huey"] = {"huey": huey, "bound": {}}
    queue.bind_tasks(app)
    return huey


def drain(huey) -> int:
    """Run every queued message, as ``flask --app grants worker`` does; returns how many ran."""
    ran = 0
    while (message := huey.dequeue()) is not None:
        huey.execute(message)
        ran += 1
    return ran
