"""Document builds run by real worker processes (``flask … worker``): a worker SIGKILLed in the
middle of a build leaves it to the sweep and a new worker, which finish it once; a worker that
was only slow, not dead, finds its claim taken and writes nothing. On the SQLite queue and on
Redis, over whichever database the suite runs on."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlmodel import select

from grants import REPO_ROOT, create_app, queue
from grants.awards import documents
from grants.db import db
from grants.documents import builds
from grants.documents.models import STUCK_AFTER, DocumentBuild
from tests import factories
from tests.test_documents_awards import _voting_round, read

REDIS_URL = "redis://127.0.0.1:6379/0"


def _until(condition, what: str, worker=None, timeout: float = 120):
    """Wait for ``condition()`` (a timeout only stops a broken test from hanging)."""
    deadline = time.monotonic() + timeout
    while not (found := condition()):
        if worker is not None and worker.poll() is not None:
            raise AssertionError(f"the worker stopped while waiting for {what}:\n{worker.log.read_text()[-3000:]}")
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)
    return found


class Workers:
    """Starts ``flask --app 'grants:create_app({...})' worker`` processes on the test's database and queue."""

    def __init__(self, config: dict, folder: Path) -> None:
        self.config, self.folder, self.started = config, folder, []

    def start(self, name: str, gate: Path | None = None) -> subprocess.Popen:
        env = {**os.environ, "PYTHONPATH": str(REPO_ROOT), "FLASK_DEBUG": "0"}
        env.pop("COMMONPOT_TEST_BUILD_GATE", None)
        if gate is not None:
            env["COMMONPOT_TEST_BUILD_GATE"] = str(gate)
        log = self.folder / f"{name}.log"
        with log.open("wb") as output:
            process = subprocess.Popen(
                [sys.executable, "-m", "tests.gated_worker", "--app",
                 f"grants:create_app({self.config!r})", "worker", "--workers", "1"],
                env=env, stdout=output, stderr=subprocess.STDOUT, cwd=str(self.folder))
        process.log = log
        self.started.append(process)
        return process

    def stop_all(self) -> None:
        for process in self.started:
            if process.poll() is None:
                process.send_signal(signal.SIGINT)
        for process in self.started:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@pytest.fixture(params=["sqlite-queue", "redis-queue"])
def workers(request, app_config, tmp_path):
    config = {key: app_config[key] for key in ("DATABASE_URL", "SECRET_KEY", "INSTANCE_PATH")}
    config.update(TESTING=True, HUEY_IMMEDIATE=False, HUEY_NAME=f"commonpot-test-{uuid.uuid4().hex[:8]}")
    if request.param == "redis-queue":
        config["REDIS_URL"] = REDIS_URL
    else:
        config["HUEY_SQLITE_PATH"] = str(tmp_path / "huey.sqlite3")
    app = create_app({**app_config, **config})
    running = Workers(config, tmp_path)
    yield app, running
    running.stop_all()
    if request.param == "redis-queue":
        queue.huey_of(app).flush()
    app.extensions["commonpot_db"].dispose()


def _build(app) -> DocumentBuild:
    with app.app_context():
        return db.session.exec(select(DocumentBuild)).one()


def _ask_for_the_pack(app, w) -> str:
    client = app.test_client()
    factories.login(client, w["facilitator"])
    page_url = f"/c/west/rounds/{w['round'].id}/proposal-pack"
    assert client.post(page_url).status_code == 302
    return page_url


def _heartbeat_stops_long_ago(app) -> None:
    """What the sweep sees once STUCK_AFTER has passed without a word from the build's worker."""
    with app.app_context():
        for build in db.session.exec(select(DocumentBuild)).all():
            db.session.execute(sa.update(DocumentBuild).where(DocumentBuild.id == build.id).values(
                updated_at=build.updated_at - STUCK_AFTER - timedelta(minutes=1)))
        db.session.commit()


def test_a_worker_killed_mid_build_leaves_it_to_a_new_worker_which_finishes_it_once(workers):
    app, running = workers
    w = _voting_round(app, voting_method="approval")
    page_url = _ask_for_the_pack(app, w)
    assert _build(app).state == "queued"

    gate = running.folder / "gate"
    first = running.start("first", gate=gate)
    _until(lambda: _build(app).stage == "Laying out the pages", "the first worker to lay out the pages", first)
    claimed = _build(app)
    assert (claimed.state, claimed.attempts, claimed.progress) == ("running", 1, 20) and claimed.claim

    first.send_signal(signal.SIGKILL)
    first.wait(timeout=30)
    assert _build(app).state == "running"               # nobody knows yet: its heartbeat just stops

    _heartbeat_stops_long_ago(app)
    with app.app_context():
        assert builds.requeue_stalled_builds() == 1      # what every worker's sweep does each minute
        again = db.session.exec(select(DocumentBuild)).one()
        assert (again.state, again.claim, again.stage) == ("queued", None, "Waiting to start again")
    gate.touch()
    second = running.start("second")
    done = _until(lambda: (b := _build(app)).state == "done" and b, "the second worker to finish the pack", second)

    with app.app_context():
        rows = db.session.exec(select(DocumentBuild)).all()
        assert len(rows) == 1 and rows[0].id == claimed.id            # finished once, in the same row
        assert (rows[0].attempts, rows[0].progress) == (2, 100) and rows[0].claim != claimed.claim
        assert builds.requeue_stalled_builds() == 0
    client = app.test_client()
    factories.login(client, w["facilitator"])
    pdf = client.get(page_url + ".pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf" and len(pdf.data) == done.size
    pages, text = read(pdf.data)
    assert pages == done.pages and "Friday diabetes circle" in text and "Roma health navigators" in text


def test_a_slow_worker_whose_claim_was_taken_writes_nothing_over_the_finished_pack(workers):
    app, running = workers
    w = _voting_round(app, voting_method="approval")
    _ask_for_the_pack(app, w)
    gate = running.folder / "gate"
    slow = running.start("slow", gate=gate)
    _until(lambda: _build(app).stage == "Laying out the pages", "the slow worker to lay out the pages", slow)
    slow_claim = _build(app).claim

    _heartbeat_stops_long_ago(app)                      # it is not dead, only silent for too long
    with app.app_context():
        assert builds.requeue_stalled_builds() == 1
    fast = running.start("fast")
    finished = _until(lambda: (b := _build(app)).state == "done" and b, "the fast worker to finish", fast)
    with app.app_context():
        pdf = db.session.get(DocumentBuild, finished.id).content

    gate.touch()                                        # the slow one goes on, and finds its claim gone
    _until(lambda: "its result is dropped" in slow.log.read_text(), "the slow worker to give up", slow)
    with app.app_context():
        rows = db.session.exec(select(DocumentBuild)).all()
        assert len(rows) == 1 and rows[0].state == "done" and rows[0].claim == finished.claim != slow_claim
        assert rows[0].content == pdf and rows[0].finished_at == finished.finished_at
        assert rows[0].attempts == 2


def test_a_build_that_keeps_stopping_fails_after_its_runs_and_can_be_asked_for_again(app, tmp_path):
    from tests.queue_helpers import drain, real_queue

    w = _voting_round(app, voting_method="approval")
    huey = real_queue(app, tmp_path / "huey.sqlite3")
    page_url = _ask_for_the_pack(app, w)
    for attempt in range(1, 4):
        with app.app_context():
            build_id = db.session.exec(select(DocumentBuild.id)).one()
            assert builds._claim(build_id)                # a worker claims it, and dies
        _heartbeat_stops_long_ago(app)
        with app.app_context():
            assert builds.requeue_stalled_builds() == (1 if attempt < 3 else 0)
    stopped = _build(app)
    assert (stopped.state, stopped.attempts) == ("failed", 3) and stopped.error == builds.STALLED
    drain(huey)                                          # the queued messages find nothing to do
    assert _build(app).state == "failed"

    client = app.test_client()
    factories.login(client, w["facilitator"])
    page = client.get(page_url).data.decode()
    assert "The last build did not finish" in page and "Build the pack again" in page
    client.post(page_url)
    assert drain(huey) == 1
    with app.app_context():
        assert [b.state for b in db.session.exec(select(DocumentBuild)).all()] == ["done"]
    assert client.get(page_url + ".pdf").mimetype == "application/pdf"


def test_the_sweep_queues_again_a_build_whose_queue_message_was_lost(app, tmp_path):
    from tests.queue_helpers import drain, real_queue

    w = _voting_round(app, voting_method="approval")
    huey = real_queue(app, tmp_path / "huey.sqlite3")
    _ask_for_the_pack(app, w)
    huey.flush()                                        # e.g. Redis restarted empty
    assert drain(huey) == 0 and _build(app).state == "queued"
    _heartbeat_stops_long_ago(app)
    with app.app_context():
        assert builds.requeue_stalled_builds() == 1
    assert drain(huey) == 1 and _build(app).state == "done"
    assert documents.PROPOSAL_PACK.name == _build(app).kind
