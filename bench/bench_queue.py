"""Benchmark the mail outbox: 1,000 queued mails through a real worker process to a local SMTP server.

For each queue backend the script:

1. makes a fresh database with the app's tables: ``sqlite`` is the embedded set-up (a SQLite
   database and a SqliteHuey file in a temporary folder); ``redis`` the distributed one (RedisHuey on
   ``--redis-url``, default ``redis://127.0.0.1:6379/13``, flushed first, and a throwaway PostgreSQL
   database on ``PGHOST:PGPORT`` as ``PGUSER``, default 127.0.0.1:5432 postgres, created and dropped);
2. starts an aiosmtpd server in this process, which notes when each message arrives, and the worker,
   ``flask --app grants worker --workers N``, as its own process under the same configuration, and
   waits until one warm-up message has gone through it (so start-up is not counted);
3. queues ``--mails`` mails (default 1,000) the way the app does — ``grants.mail.queue_body`` in
   transactions of ``--per-commit`` (default 50, a round's announcement), each committed as fast as
   it can — and notes when each commit returned;
4. waits until every message has arrived or ``--timeout`` seconds have passed, then a little longer
   (for duplicates), runs the sweep and every delivery task once more in-process (a row sent must
   not go again), and counts.

Figures: how long the commits took, mails/s (messages ÷ seconds from the first commit to the last
arrival), p50 and p99 from a message's commit to its arrival at the SMTP server, *lost* (queued,
never arrived), *duplicated* (arrived more than once, by Message-ID), and the rows' final states. Its LAST line is one JSON
object: ``{"sqlite": {...}, "redis": {...}}``.

    .venv/bin/python bench/bench_queue.py                 # both
    .venv/bin/python bench/bench_queue.py --queues sqlite --mails 200
"""

from __future__ import annotations

import argparse
import collections
import email
import email.policy
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))


class Arrivals:
    """aiosmtpd handler: every message's Message-ID and when it came (this process's clock)."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, float]] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.seen.append((str(message["Message-ID"]), time.monotonic()))
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


class PostgresDatabase:
    def __init__(self) -> None:
        self.env = {**os.environ}
        for key, default in (("PGHOST", "127.0.0.1"), ("PGPORT", "5432"), ("PGUSER", "postgres")):
            self.env.setdefault(key, default)
        self.name = f"commonpot_bench_queue_{os.getpid()}"
        self.url = f"postgresql+psycopg://{self.env['PGUSER']}@{self.env['PGHOST']}:{self.env['PGPORT']}/{self.name}"

    def __enter__(self) -> str:
        subprocess.run(["createdb", self.name], env=self.env, check=True)
        return self.url

    def __exit__(self, *_exc) -> None:
        subprocess.run(["dropdb", "--if-exists", "--force", self.name], env=self.env, check=False)


def run(queue_name: str, args, folder: Path) -> dict:
    from aiosmtpd.controller import Controller
    from sqlmodel import SQLModel, select

    import grants.models  # noqa: F401 - every table
    from grants import create_app, queue
    from grants.collectives.models import Collective
    from grants.db import db, make_engine
    from grants.mail import OutboxMessage, delivery, queue_body

    postgres = PostgresDatabase() if queue_name == "redis" else None
    database_url = postgres.__enter__() if postgres else f"sqlite:///{folder / 'bench.sqlite3'}"
    arrivals = Arrivals()
    port = free_port()
    smtp = Controller(arrivals, hostname="127.0.0.1", port=port)
    smtp.start()
    config = {
        "SECRET_KEY": "bench-queue", "DATABASE_URL": database_url, "INSTANCE_PATH": str(folder / "instance"),
        "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": port, "HUEY_IMMEDIATE": False,
        "HUEY_SQLITE_PATH": str(folder / "huey.sqlite3"),
        "REDIS_URL": args.redis_url if queue_name == "redis" else "",
    }
    worker = None
    try:
        engine = make_engine(database_url)
        SQLModel.metadata.create_all(engine)
        engine.dispose()
        app = create_app(config)
        queue.huey_of(app).flush()        # a clean queue: nothing left from an earlier run
        log = (folder / f"worker-{queue_name}.log").open("ab")
        worker = subprocess.Popen(
            [str(Path(sys.executable).with_name("flask")), "--app", f"grants:create_app({config!r})", "worker",
             "--workers", str(args.workers)],
            cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)}, stdout=log, stderr=subprocess.STDOUT)

        with app.test_request_context("/"):
            collective = Collective(slug="bench", name="Bench Collective", locality="Birmingham")
            db.session.add(collective)
            db.session.commit()
            queue_body("warm-up@example.org", "Warm-up", "Not counted.", collective=collective)
            db.session.commit()
        deadline = time.monotonic() + 60
        while not arrivals.seen and time.monotonic() < deadline:
            time.sleep(0.05)
        if not arrivals.seen:
            raise SystemExit(f"the worker sent nothing within 60 s: see {folder / f'worker-{queue_name}.log'}")
        arrivals.seen.clear()

        committed: dict[str, float] = {}
        with app.test_request_context("/"):
            for start in range(0, args.mails, args.per_commit):
                rows = [queue_body(f"member{n}@example.org", f"Round {start // args.per_commit + 1} is open",
                                   f"Dear member {n},\n\nThe round is open for proposals.\n", collective=collective)
                        for n in range(start, min(args.mails, start + args.per_commit))]
                db.session.commit()
                at = time.monotonic()
                committed.update({row.message_id: at for row in rows})
        deadline = time.monotonic() + args.timeout
        while len({mid for mid, _at in arrivals.seen}) < len(committed) and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(2)  # anything sent twice would come in now
        with app.app_context():
            ids = list(db.session.exec(select(OutboxMessage.id)).all())
            delivery.sweep_outbox()
            for start in range(0, len(ids), 50):
                delivery.deliver_mail(ids[start:start + 50])
            states = collections.Counter(db.session.exec(select(OutboxMessage.state).where(
                OutboxMessage.recipient != "warm-up@example.org")).all())
        time.sleep(0.5)

        first = {}
        counts = collections.Counter()
        for message_id, at in arrivals.seen:
            counts[message_id] += 1
            first.setdefault(message_id, at)
        latencies = [(first[mid] - committed[mid]) * 1000 for mid in committed if mid in first]
        delivered = sum(1 for mid in committed if mid in first)
        span = (max(first.values()) - min(committed.values())) if first else float("nan")
        return {
            "queue": "SqliteHuey" if queue_name == "sqlite" else "RedisHuey",
            "database": "sqlite" if queue_name == "sqlite" else "postgresql",
            "mails": len(committed), "per_commit": args.per_commit, "workers": args.workers,
            "queued_in_s": round(max(committed.values()) - min(committed.values()), 2),
            "mails_per_s": round(delivered / span, 1) if delivered else 0.0,
            "p50_ms": round(percentile(latencies, 0.50), 1) if latencies else None,
            "p99_ms": round(percentile(latencies, 0.99), 1) if latencies else None,
            "lost": len(committed) - delivered,
            "duplicated": sum(n - 1 for mid, n in counts.items() if mid in committed),
            "states": dict(states),
        }
    finally:
        if worker is not None:
            worker.terminate()
            try:
                worker.wait(timeout=30)
            except subprocess.TimeoutExpired:
                worker.kill()
                worker.wait()
        smtp.stop()
        if "app" in locals():
            app.extensions["commonpot_db"].dispose()
        if postgres:
            postgres.__exit__(None, None, None)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--queues", default="sqlite,redis", help="comma-separated: sqlite,redis")
    parser.add_argument("--mails", type=int, default=1000)
    parser.add_argument("--per-commit", type=int, default=50)
    parser.add_argument("--workers", type=int, default=2, help="the worker's threads")
    parser.add_argument("--timeout", type=float, default=300)
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/13")
    args = parser.parse_args()
    report = {}
    for name in args.queues.split(","):
        with tempfile.TemporaryDirectory(prefix=f"bench-queue-{name}-") as folder:
            figures = run(name, args, Path(folder))
        report[name] = figures
        print(f"{name:>6} ({figures['queue']} + {figures['database']}): {figures['mails']} mails "
              f"committed in {figures['queued_in_s']} s, "
              f"{figures['mails_per_s']} mails/s, commit to delivery p50 {figures['p50_ms']} ms, "
              f"p99 {figures['p99_ms']} ms; {figures['lost']} lost, {figures['duplicated']} duplicated; "
              f"rows {figures['states']}", flush=True)
    print(json.dumps(report), flush=True)


if __name__ == "__main__":
    main()
