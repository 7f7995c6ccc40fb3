"""Fixtures for the deployment tests: PostgreSQL and Redis shared by real processes, as hosts are.

These tests run on the PostgreSQL pass of ``make test`` (they are skipped on the SQLite pass: two
hosts cannot share a SQLite file) and need Redis (``REDIS_URL``, default ``redis://127.0.0.1:6379``).
Each run uses a Redis database of its own, emptied before and after, so a queue left by an
earlier run never reaches this one's worker.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.deploy.support import PYTHON, Process, Processes, free_port, host_env, wait_until


@pytest.fixture
def postgres_url(database_url) -> str:
    if not database_url.startswith("postgresql"):
        pytest.skip("hosts share a PostgreSQL database: runs on make test's PostgreSQL pass")
    return database_url


_OWN_REDIS_DATABASES = (1, 2, 3, 4, 5, 6, 8, 9, 10, 11, 12, 13, 14)


@pytest.fixture
def redis_url() -> str:
    import redis

    from urllib.parse import urlsplit

    base = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379"
    # A Redis database of this test process's own, emptied before and after each test: chosen by
    # the xdist worker's number, so that the workers of one run never share one (chosen by process
    # id, two workers had a one-in-fifteen chance to empty each other's queue in mid-test). The
    # databases other tests use (0, 7 and 15) are left out.
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    number = int(worker[2:]) if worker.startswith("gw") and worker[2:].isdigit() else os.getpid()
    database = _OWN_REDIS_DATABASES[number % len(_OWN_REDIS_DATABASES)]
    url = urlsplit(base)._replace(path=f"/{database}").geturl()
    client = redis.Redis.from_url(url)
    try:
        client.ping()
    except redis.RedisError as error:
        pytest.fail(f"Redis is not reachable at {url} ({error}): start it (.ci/run does) or set REDIS_URL")
    client.flushdb()
    yield url
    client.flushdb()
    client.close()


@pytest.hookimpl(hookwrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"report_{report.when}", report)


@pytest.fixture
def processes(tmp_path, request):
    directory = tmp_path / "processes"
    directory.mkdir()
    started = Processes(directory)
    yield started
    started.stop_all()
    failed = getattr(request.node, "report_call", None)
    if failed is not None and failed.failed:
        print(started.logs())   # shown with the failure


@dataclass
class Hosts:
    a: str
    b: str
    web_a: Process
    web_b: Process
    worker: Process
    scheduler: Process
    smtp: Process
    smtp_port: int
    mail_dir: Path
    worker_env: dict
    smtp_env: dict


def _ready(processes: Processes, process: Process, base: str) -> bool:
    import urllib.error
    import urllib.request

    assert process.alive(), f"{process.name} exited:\n{process.output()[-4000:]}"
    try:
        with urllib.request.urlopen(f"{base}/healthz", timeout=2) as answer:
            return answer.status == 200
    except (urllib.error.URLError, OSError):
        return False


@pytest.fixture
def hosts(app, postgres_url, redis_url, processes, tmp_path) -> Hosts:
    """Two web hosts (own instance folders), one worker, one scheduler and an SMTP server."""
    secret_key = secrets.token_hex(32)
    port_a, port_b, smtp_port = free_port(), free_port(), free_port()
    a, b = f"http://127.0.0.1:{port_a}", f"http://127.0.0.1:{port_b}"
    mail_dir = tmp_path / "mail-received"
    # Mail that could not be sent is tried again after 1, 2, then every 4 seconds (in production 1, 2,
    # 4 … 60 minutes): the tests take SMTP down and bring it back, and waited a minute for the retry.
    shared = dict(database_url=postgres_url, secret_key=secret_key, base_url=a, REDIS_URL=redis_url,
                  MAIL_SERVER="127.0.0.1", MAIL_PORT=str(smtp_port), MAIL_RETRY_DELAY="1", MAIL_RETRY_MAX_DELAY="4")
    smtp_env = host_env(instance=tmp_path / "smtp", **shared)
    smtp = processes.smtp("smtp", smtp_port, mail_dir, smtp_env)
    web_a = processes.gunicorn("web-a", port_a, host_env(instance=tmp_path / "host-a", **shared))
    web_b = processes.gunicorn("web-b", port_b, host_env(instance=tmp_path / "host-b", **shared))
    worker_env = host_env(instance=tmp_path / "host-worker", **shared)
    # The first worker holds every document build at "laying out the pages" (tests/gated_worker.py), so a
    # test can kill it mid-build; a replacement started with ``worker_env`` builds freely.
    gated_env = {**worker_env, "COMMONPOT_TEST_BUILD_GATE": str(tmp_path / "gate-never-opens")}
    worker = processes.start("worker", [PYTHON, "-m", "tests.gated_worker", "--app", "grants", "worker"], gated_env)
    scheduler = processes.flask("scheduler", ["scheduler", "--interval", "2", "--standby-poll", "0.5"],
                                host_env(instance=tmp_path / "host-scheduler", **shared))
    for process, base in ((web_a, a), (web_b, b)):
        wait_until(lambda: _ready(processes, process, base), timeout=60, what=f"{process.name} to answer /healthz")
    return Hosts(a, b, web_a, web_b, worker, scheduler, smtp, smtp_port, mail_dir, worker_env, smtp_env)
