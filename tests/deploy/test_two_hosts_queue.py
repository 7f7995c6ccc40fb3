"""Two hosts and the job queue: documents built by the worker and served by any host, mail kept
until the SMTP server answers.

These depend on the job-queue work of issue 12 done alongside this branch (documents stored in the
database and built as Huey tasks; the mail outbox delivered by the worker with retries and a
periodic sweep). They describe what must be true once it is merged.
"""

from __future__ import annotations

import re
import sqlalchemy as sa
from sqlmodel import select

from grants.db import db
from grants.rounds.models import Round
from tests import rounds_helpers
from tests.deploy.support import Browser, read_messages, wait_until

PACK_PROPOSALS = 40


def _builds(app, round_id: int) -> list[tuple[int, str]]:
    from grants.documents.models import DocumentBuild

    with app.app_context():
        rows = db.session.exec(select(DocumentBuild.id, DocumentBuild.state).where(
            DocumentBuild.kind == "proposal-pack", DocumentBuild.object_id == round_id)
            .order_by(DocumentBuild.id)).all()
        db.session.rollback()
    return [tuple(row) for row in rows]


def _facilitator_browser(hosts, email_address: str) -> Browser:
    browser = Browser()
    signed_in = browser.sign_in(hosts.a, email_address, rounds_helpers.factories.PASSWORD)
    assert signed_in.status == 302, signed_in.text[:2000]
    return browser


def test_a_pack_asked_for_on_host_a_downloads_from_host_b_and_survives_a_killed_worker(app, hosts, processes):
    with app.test_request_context("/", method="POST"):
        world = rounds_helpers.world(organisations=PACK_PROPOSALS, extra_members=0)
        rounds_helpers.open_round(world)
        proposals = [rounds_helpers.proposal(world, n, title=f"Community project {n}", amount=60_000 + n * 1_000)
                     for n in range(PACK_PROPOSALS)]
        rounds_helpers.to_voting(world, proposals)
        round_id, slug, facilitator = world["round"].id, world["collective"].slug, world["facilitator"].email
    pack = f"/c/{slug}/rounds/{round_id}/proposal-pack"
    browser = _facilitator_browser(hosts, facilitator)

    asked = browser.post(f"{hosts.a}{pack}", {"csrf_token": browser.csrf_token(f"{hosts.a}{pack}")})
    assert asked.status == 302, asked.text[:2000]
    # the worker claims the build; kill it (SIGKILL, no clean-up) in the middle of rendering
    wait_until(lambda: any(state == "running" for _id, state in _builds(app, round_id)), timeout=60, every=0.05,
               what="the worker to start building the pack")
    hosts.worker.kill()
    builds = _builds(app, round_id)
    assert [state for _id, state in builds] == ["running"], \
        f"the pack was built before the worker could be killed ({builds}): make it bigger"
    [(build_id, _state)] = builds
    _as_if_killed_long_ago(app, build_id)

    replacement = processes.flask("worker-2", ["worker"], hosts.worker_env)
    wait_until(lambda: _builds(app, round_id) == [(build_id, "done")], timeout=300, every=0.5,
               what=f"a new worker to finish build {build_id} (now {_builds(app, round_id)})")
    assert replacement.alive()

    # host B has never seen the file: it is served from the database
    page = browser.get(f"{hosts.b}{pack}")
    assert page.status == 200 and "proposal-pack.pdf" in page.text
    pdf = browser.get(f"{hosts.b}{pack}.pdf")
    assert pdf.status == 200, pdf.text[:2000]
    assert pdf.headers.get("Content-Type", "").startswith("application/pdf") and pdf.body.startswith(b"%PDF")
    import io

    from pypdf import PdfReader

    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.body)).pages)
    assert all(f"Community project {n}" in text for n in range(PACK_PROPOSALS))
    # built once: one build, done, and asking again on host B finds it up to date
    again = browser.post(f"{hosts.b}{pack}", {"csrf_token": browser.csrf_token(f"{hosts.b}{pack}")})
    assert again.status == 302
    assert _builds(app, round_id) == [(build_id, "done")]


def _as_if_killed_long_ago(app, build_id: int) -> None:
    """Move the dead worker's last heartbeat back past STUCK_AFTER, so the next sweep (at the next
    minute) takes the build up, instead of this test waiting ten minutes."""
    from datetime import timedelta

    from grants.documents.models import STUCK_AFTER, DocumentBuild
    from grants.timeutil import utcnow

    with app.app_context():
        db.session.execute(sa.update(DocumentBuild).where(DocumentBuild.id == build_id)
                           .values(updated_at=utcnow() - STUCK_AFTER - timedelta(minutes=1)))
        db.session.commit()


MEMBERS = 50


def _pending_work(redis_url: str) -> int:
    from huey import RedisHuey

    huey = RedisHuey("commonpot", url=redis_url, utc=True)
    try:
        return huey.pending_count() + huey.scheduled_count()
    finally:
        huey.storage.conn.close()


def test_a_round_announced_while_smtp_is_down_reaches_all_50_members_once_it_is_back(app, hosts, processes,
                                                                                     redis_url):
    with app.test_request_context("/", method="POST"):
        world = rounds_helpers.world(organisations=0, extra_members=MEMBERS)
        round_id, slug, facilitator = world["round"].id, world["collective"].slug, world["facilitator"].email
        members = sorted(m.email for m in world["members"])
    browser = _facilitator_browser(hosts, facilitator)

    hosts.smtp.stop()                                    # the mail server goes down
    round_page = f"{hosts.a}/c/{slug}/rounds/{round_id}"
    token = browser.csrf_token(round_page)
    moved = browser.post(f"{round_page}/move", {"csrf_token": token, "transition": "open_proposals", "reason": ""})
    assert moved.status == 302, moved.text[:2000]
    with app.app_context():
        assert db.session.get(Round, round_id).state == "open_for_proposals"   # the page did not wait for mail
    # the worker tries, and fails, while SMTP is down
    failing = re.compile(r"refused|retry|re-enqueu|failed", re.IGNORECASE)
    wait_until(lambda: failing.search(hosts.worker.output()), timeout=60, what="the worker to try to deliver")
    assert read_messages(hosts.mail_dir) == []

    processes.smtp("smtp-again", hosts.smtp_port, hosts.mail_dir, hosts.smtp_env)   # back, same address
    wait_until(lambda: len(list(hosts.mail_dir.glob("*.eml"))) >= MEMBERS, timeout=300, every=0.5,
               what=f"{MEMBERS} messages once SMTP is back (got {len(list(hosts.mail_dir.glob('*.eml')))})")
    # nothing left queued or scheduled that could still send a duplicate
    wait_until(lambda: _pending_work(redis_url) == 0, timeout=120, every=0.5, what="the queue to empty")
    messages = read_messages(hosts.mail_dir)
    assert len(messages) == MEMBERS
    assert sorted(str(m["To"]).split("<")[-1].rstrip(">") for m in messages) == members     # each member once
    assert len({m["Message-ID"] for m in messages}) == MEMBERS
    assert all("is open for proposals" in m["Subject"] for m in messages)
    with app.app_context():
        unsent = _unsent_outbox_rows()
    assert unsent == 0


def _unsent_outbox_rows() -> int:
    """Rows of the mail outbox not yet delivered (whatever the table is called, its state says so)."""
    inspector = sa.inspect(db.engine)
    tables = [name for name in inspector.get_table_names() if "outbox" in name or name.startswith("mail")]
    assert tables, "no mail outbox table"
    total = 0
    for name in tables:
        columns = {c["name"] for c in inspector.get_columns(name)}
        if "state" in columns:
            total += db.session.execute(sa.text(f"SELECT count(*) FROM {name} WHERE state <> 'sent'")).scalar()  # nosec B608 - table names from the schema
    db.session.rollback()
    return total
