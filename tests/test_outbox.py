"""The mail outbox: a row per email in the change's own transaction, delivered once by the worker,
retried with back-off while the SMTP server is down or says "later", failed (and retryable by a
person) when it refuses or the attempts run out; a 50-member announcement survives an outage.

Delays are the settings' (``MAIL_RETRY_*``); time is moved with time-machine, never slept through.
The outage tests run the real worker (``flask --app grants worker``) on a SqliteHuey file.
"""

from __future__ import annotations

import collections
import os
import subprocess
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from sqlmodel import select

from grants import REPO_ROOT, queue
from grants.audit.models import AuditEvent
from grants.auth.models import Person
from grants.collectives.models import Membership
from grants.db import db
from grants.mail import OutboxMessage, delivery, queue_body, silence_mail
from grants.mail.headers import clean_header
from grants.timeutil import utcnow
from tests import factories
from tests.mailserver import MailServer, _Handler


def _rows():
    db.session.commit()
    return db.session.exec(select(OutboxMessage).order_by(OutboxMessage.id)).all()


def _fresh(row: OutboxMessage) -> OutboxMessage:
    """The row as the database has it now (a new transaction: an open one would see its old snapshot)."""
    db.session.commit()
    db.session.expire_all()
    return db.session.get(OutboxMessage, row.id)


# --- the row and its transaction --------------------------------------------------------------

def test_a_rollback_leaves_no_row_and_sends_nothing(app, ctx, mail_server, outbox):
    queue_body("amina@example.org", "Rolled back", "Never sent.")
    db.session.rollback()
    db.session.begin()
    db.session.commit()
    assert _rows() == []
    time.sleep(0.2)  # a message would have had time to arrive over the socket
    assert outbox == []


def test_a_message_is_a_row_sent_once_with_its_own_message_id(app, ctx, mail_server, outbox):
    queued = queue_body("amina@example.org", "Your report", "Thank you.\n")
    assert outbox == [] and queued.state == "queued"
    db.session.commit()
    [message] = mail_server.wait_for(1)
    row = _fresh(queued)
    assert row.state == "sent" and row.attempts == 1 and row.sent_at is not None
    assert row.last_answer.startswith("250 ")
    assert message["Message-ID"] == row.message_id and row.message_id.endswith("@commonpot.local>")
    assert message["From"] == "Commonpot <no-reply@commonpot.local>"

    delivery.deliver_mail([row.id])      # the task run again: the row is sent, so it is skipped
    delivery.sweep_outbox()
    time.sleep(0.2)
    assert len(outbox) == 1 and _fresh(row).attempts == 1


def test_silenced_sessions_write_no_row(app, ctx, outbox):
    silence_mail()
    queue_body("amina@example.org", "Demo", "Nobody hears this.")
    db.session.commit()
    assert _rows() == []


def test_a_subject_with_a_newline_is_delivered_on_one_line(app, ctx, mail_server, outbox):
    title = "Our project\r\nBcc: everyone@example.org\n\u2028 and\tmore\x00"
    queue_body("amina@example.org", f"We have your proposal: {title}", "Thank you.")
    db.session.commit()
    [message] = mail_server.wait_for(1)
    assert message["Subject"] == "We have your proposal: Our project Bcc: everyone@example.org and more"
    assert message["Bcc"] is None and message["To"] == "amina@example.org"
    assert clean_header(" a\r\n\r\nb ") == "a b"


def test_a_display_name_with_control_characters_is_cleaned(app_config, make_app, mail_server, outbox):
    app = make_app(MAIL_DEFAULT_SENDER="West\r\nCollective\x1b <west@example.org>")
    with app.test_request_context("/"):
        queue_body("Amina\nBegum <amina@example.org>", "Hello", "Hi.")
        db.session.commit()
    [message] = mail_server.wait_for(1)
    assert message["From"].addresses[0].display_name == "West Collective"
    assert message["To"].addresses[0].display_name == "Amina Begum"
    assert message["To"].addresses[0].addr_spec == "amina@example.org"


def test_every_caller_files_its_mail_under_its_collective(app, ctx, mail_server, outbox):
    from grants.auth import operations as auth_operations
    from grants.collectives import operations as collective_operations
    from tests import rounds_helpers

    w = rounds_helpers.world(organisations=1, extra_members=1)
    rounds_helpers.open_round(w)                     # the round's announcement: context has round=
    collective_operations.invite(w["collective"], email="new@example.org", roles=["member"], organisation_id=None,
                                 actor=w["facilitator"])   # context has collective=
    auth_operations.request_password_reset(w["facilitator"].email)   # an account's mail: no collective
    db.session.commit()
    rows = {row.recipient: row for row in _rows()}
    assert {rows[e].collective_id for e in ("app0@example.org", "member0@example.org", "new@example.org")} == {
        w["collective"].id}
    assert rows["fola@example.org"].collective_id is None
    mail_server.wait_for(len(rows))
    assert {row.state for row in _rows()} == {"sent"}


def test_without_a_mail_server_each_message_is_a_file_once(app_config, make_app, outbox, tmp_path):
    app = make_app(MAIL_SERVER="")
    with app.test_request_context("/"):
        queued = queue_body("amina@example.org", "Filed", "Read me in a file.")
        db.session.commit()
        delivery.deliver_mail([queued.id])
        row = _fresh(queued)
        assert row.state == "sent" and "instance/mail/" in row.last_answer
    [file] = list((Path(app.instance_path) / "mail").glob("*.eml"))
    assert row.message_id in file.read_text() and "Read me in a file." in file.read_text()
    assert outbox == []


# --- retries, back-off and failure ------------------------------------------------------------

def test_smtp_down_retries_with_back_off_then_fails(app_config, make_app, outbox):
    down = MailServer()  # never started: every connection is refused
    app = make_app(MAIL_PORT=down.port, MAIL_RETRY_ATTEMPTS=4, MAIL_RETRY_DELAY=60, MAIL_RETRY_MAX_DELAY=150)
    with app.test_request_context("/"), time_machine.travel(utcnow(), tick=False) as clock:
        queued = queue_body("amina@example.org", "Offer", "Your grant.")
        db.session.commit()
        waits = []
        for _attempt in range(3):
            row = _fresh(queued)
            assert row.state == "queued" and "Could not reach the mail server" in row.last_answer
            waits.append(row.next_attempt_at - utcnow())
            clock.shift(waits[-1] - timedelta(seconds=1))
            assert delivery.sweep_outbox() == 0           # not due yet: nothing is tried
            clock.shift(timedelta(seconds=1))
            assert delivery.sweep_outbox() == 1
        assert waits == [timedelta(seconds=60), timedelta(seconds=120), timedelta(seconds=150)]
        row = _fresh(queued)
        assert row.state == "failed" and row.attempts == 4
        assert row.last_answer.startswith("Gave up after 4 attempts. Could not reach the mail server")
        clock.shift(timedelta(hours=5))
        assert delivery.sweep_outbox() == 0               # failed stays failed until a person retries
    assert outbox == []


class _Refusing(_Handler):
    """Refuses some recipients: gone@ for good (550), busy@ for now (451)."""

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802 - aiosmtpd's name
        if address.startswith("gone@"):
            return "550 5.1.1 No such mailbox here"
        if address.startswith("busy@"):
            return "451 4.3.0 Mailbox busy, try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"


def test_a_refusal_for_good_fails_at_once_and_try_later_is_retried(app_config, make_app):
    server = MailServer(_Refusing)
    server.start()
    try:
        app = make_app(MAIL_PORT=server.port)
        with app.test_request_context("/"):
            gone = queue_body("gone@example.org", "One", "1")
            busy = queue_body("busy@example.org", "Two", "2")
            fine = queue_body("fine@example.org", "Three", "3")
            db.session.commit()          # one task, one connection: the refusals do not stop the third
            [message] = server.wait_for(1)
            assert message["To"] == "fine@example.org" and _fresh(fine).state == "sent"
            assert _fresh(gone).state == "failed"
            assert _fresh(gone).last_answer == "Refused by the mail server: 550 5.1.1 No such mailbox here"
            assert _fresh(busy).state == "queued" and _fresh(busy).attempts == 1
            assert "451 4.3.0 Mailbox busy" in _fresh(busy).last_answer
    finally:
        server.stop()


def test_a_message_left_sending_by_a_dead_worker_is_sent_again_with_the_same_id(app_config, make_app, mail_server,
                                                                             outbox):
    app = make_app(HUEY_IMMEDIATE=False, HUEY_SQLITE_PATH=str(Path(app_config["INSTANCE_PATH"]) / "q.sqlite3"),
                   MAIL_SENDING_TIMEOUT=600)
    with app.test_request_context("/"), time_machine.travel(utcnow(), tick=False) as clock:
        queued = queue_body("amina@example.org", "Orphaned", "Sent once the sweep finds it.")
        db.session.commit()
        _token, claimed = delivery.claim([queued.id])   # a worker claims it, then is killed
        assert [c.id for c in claimed] == [queued.id] and _fresh(queued).state == "sending"
        assert delivery.claim([queued.id])[1] == []     # nobody else can take it meanwhile
        clock.shift(timedelta(seconds=599))
        delivery.sweep_outbox()
        assert _fresh(queued).state == "sending"
        clock.shift(timedelta(seconds=2))
        assert delivery.sweep_outbox() == 1
        assert _fresh(queued).state == "queued"
        huey = queue.huey_of(app)
        while huey.pending_count():                     # what the worker does with the sweep's tasks
            huey.execute(huey.dequeue())
        row = _fresh(queued)
        assert row.state == "sent" and row.attempts == 2
    [message] = mail_server.wait_for(1)
    assert message["Message-ID"] == row.message_id


# --- the failed-mail pages and the Retry button -------------------------------------------------

def _failed(collective=None, recipient="lost@example.org", subject="Your offer"):
    row = OutboxMessage(message_id=f"<{uuid.uuid4().hex}@commonpot.local>", recipient=recipient, subject=subject,
                        body="Secret link: https://example.org/token-abc", state="failed", attempts=10,
                        collective_id=getattr(collective, "id", None), last_answer="Refused: 550 5.1.1 No such mailbox")
    db.session.add(row)
    db.session.flush()
    return row


def test_facilitators_see_their_collectives_failed_mail_and_retry_it(app, mail_server, outbox):
    with app.app_context():
        alpha, beta = factories.collective("alpha", "Alpha"), factories.collective("beta", "Beta")
        facilitator = factories.member(alpha, roles=("facilitator",))
        foreign = factories.member(beta, roles=("facilitator",))
        member = factories.member(alpha, roles=("member",))
        mine = _failed(alpha)
        theirs = _failed(beta, "beta.lost@example.org", "Beta news")
        account = _failed(None, "reset@example.org", "Reset your password")
        db.session.commit()
        mine_id, theirs_id, account_id = mine.id, theirs.id, account.id
    client = app.test_client()
    factories.login(client, facilitator)
    home = client.get("/c/alpha").data.decode()
    assert "/c/alpha/mail" in home and "1 not sent" in home
    page = client.get("/c/alpha/mail").data.decode()
    assert "lost@example.org" in page and "550 5.1.1 No such mailbox" in page
    assert "beta.lost@example.org" not in page and "reset@example.org" not in page
    assert "token-abc" not in page                      # a body may hold someone's link: never shown

    assert client.post(f"/c/alpha/mail/{theirs_id}/retry").status_code == 404
    assert client.post(f"/c/beta/mail/{theirs_id}/retry").status_code == 403
    assert client.post(f"/c/alpha/mail/{account_id}/retry").status_code == 404
    assert client.post("/c/alpha/mail/99999999999999999999/retry").status_code == 404
    response = client.post(f"/c/alpha/mail/{mine_id}/retry")
    assert response.status_code == 302 and response.headers["Location"].endswith("/c/alpha/mail")
    [message] = mail_server.wait_for(1)
    with app.app_context():
        assert message["To"] == "lost@example.org" and message["Message-ID"] == db.session.get(OutboxMessage, mine_id).message_id
    assert "queued again" in client.get("/c/alpha/mail").data.decode()
    # pressed again (a second tab): refused with a message, nothing sent twice
    client.post(f"/c/alpha/mail/{mine_id}/retry")
    assert "no longer marked as failed" in client.get("/c/alpha/mail").data.decode()
    time.sleep(0.2)
    assert len(outbox) == 1
    with app.app_context():
        assert db.session.get(OutboxMessage, mine_id).state == "sent"
        assert db.session.get(OutboxMessage, theirs_id).state == "failed"
        [audit_row] = db.session.exec(select(AuditEvent).where(AuditEvent.action == "mail.retried")).all()
        assert audit_row.collective_id == alpha.id and audit_row.actor_id == facilitator.id
        assert audit_row.object_type == "outbox_message" and audit_row.object_id == mine_id
        assert "lost@example.org" in audit_row.summary and audit_row.before["attempts"] == 10

    for who in (member, foreign):
        other = app.test_client()
        factories.login(other, who)
        assert other.get("/c/alpha/mail").status_code == 403
        assert other.post(f"/c/alpha/mail/{mine_id}/retry").status_code == 403


def test_the_site_admin_sees_every_failed_mail_and_retries_it(app, mail_server, outbox):
    with app.app_context():
        alpha = factories.collective("alpha", "Alpha")
        admin = factories.person(is_admin=True)
        facilitator = factories.member(alpha, roles=("facilitator",))
        _failed(alpha)
        account = _failed(None, "reset@example.org", "Reset your password")
        db.session.commit()
        account_id = account.id
    client = app.test_client()
    factories.login(client, admin)
    assert "2 not sent" in client.get("/admin/").data.decode()
    page = client.get("/admin/mail").data.decode()
    assert "lost@example.org" in page and "reset@example.org" in page and "Alpha" in page
    assert client.post(f"/admin/mail/{account_id}/retry").status_code == 302
    [message] = mail_server.wait_for(1)
    assert message["To"] == "reset@example.org"
    other = app.test_client()
    factories.login(other, facilitator)
    assert other.get("/admin/mail").status_code == 403
    assert other.post(f"/admin/mail/{account_id}/retry").status_code == 403


def test_mail_waiting_a_long_time_is_listed_with_its_next_try(app_config, make_app):
    down = MailServer()
    app = make_app(MAIL_PORT=down.port, MAIL_DELAYED_AFTER=900)
    with app.app_context():
        alpha = factories.collective("alpha", "Alpha")
        facilitator = factories.member(alpha, roles=("facilitator",))
        db.session.commit()
    with time_machine.travel(utcnow(), tick=False) as clock:
        with app.test_request_context("/"):
            queue_body("waiting@example.org", "Still trying", "…", collective=alpha)
            db.session.commit()
        client = app.test_client()
        factories.login(client, facilitator)
        assert "waiting@example.org" not in client.get("/c/alpha/mail").data.decode()   # just written
        clock.shift(timedelta(minutes=16))
        page = client.get("/c/alpha/mail").data.decode()
        assert "waiting@example.org" in page and "Could not reach the mail server" in page


# --- a real worker: SMTP down during a round announcement to 50 members -------------------------

def _announce_to_fifty(app) -> list[int]:
    """A round opened for proposals, announced to its 50 members and applicants; the row ids."""
    from grants.rounds import operations as round_ops
    from grants.workflow.operations import fire
    from tests import rounds_helpers
    from tests.rounds_helpers import T0, round_values

    with app.test_request_context("/"):
        collective = factories.collective("west", "West Collective")
        facilitator = factories.member(collective, roles=("facilitator",))
        for n in range(50):
            person = Person(email=f"member{n}@example.org", name=f"Member {n}", password_hash="!")
            db.session.add(person)
            db.session.flush()
            membership = Membership(collective_id=collective.id, person_id=person.id)
            membership.set_roles(("member", "applicant") if n % 5 == 0 else ("member",))
            db.session.add(membership)
        themes = [t.id for t in rounds_helpers._themes(collective)]
        round_ = round_ops.create_round(collective, round_values(), theme_ids=themes, pot_amounts={},
                                        actor=facilitator)
        db.session.commit()
        fire(round_, "open_proposals", facilitator, now=T0)
        db.session.commit()
        ids = [row.id for row in _rows()]
    assert len(ids) == 50
    return ids


class _Worker:
    """``flask --app grants worker`` as its own process, on this test's database and queue file."""

    def __init__(self, config: dict, log: Path) -> None:
        self.config, self.log, self.process, self.output = config, log, None, None

    def start(self) -> None:
        env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
        flask = Path(sys.executable).with_name("flask")
        self.output = self.log.open("ab")
        self.process = subprocess.Popen(
            [str(flask), "--app", f"grants:create_app({self.config!r})", "worker", "--workers", "2"],
            cwd=REPO_ROOT, env=env, stdout=self.output, stderr=subprocess.STDOUT)

    def kill(self) -> None:
        if self.process is not None:
            if self.process.poll() is None:
                self.process.kill()
            self.process.wait(timeout=30)
            self.output.close()
        self.process = None


def _wait_until(check, what: str, timeout: float = 90.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.1)
    raise AssertionError(f"gave up waiting for {what}")


def _states(app) -> collections.Counter:
    with app.app_context():
        return collections.Counter((row.state, row.attempts >= 2) for row in _rows())


def _assert_each_delivered_once(app, server: MailServer, ids: list[int]) -> None:
    with app.app_context():
        delivery.deliver_mail(ids)                      # every task run once more: nothing is sent again
        rows = _rows()
    time.sleep(0.3)
    received = collections.Counter(message["Message-ID"] for message in server.messages)
    assert len(server.messages) == 50
    assert set(received) == {row.message_id for row in rows} and set(received.values()) == {1}
    assert {message["To"] for message in server.messages} == {f"member{n}@example.org" for n in range(50)}
    assert {row.state for row in rows} == {"sent"}


@pytest.fixture
def outage(app_config, make_app, tmp_path):
    server = MailServer()   # down until the test starts it
    config = {**app_config, "HUEY_IMMEDIATE": False, "HUEY_SQLITE_PATH": str(tmp_path / "huey.sqlite3"),
              "MAIL_PORT": server.port, "MAIL_RETRY_DELAY": 1, "MAIL_RETRY_MAX_DELAY": 1,
              "MAIL_RETRY_ATTEMPTS": 10_000, "MAIL_SENDING_TIMEOUT": 3}
    worker = _Worker(config, tmp_path / "worker.log")
    yield make_app(**config), server, worker
    worker.kill()
    server.stop()


def test_smtp_down_during_an_announcement_then_back_every_message_arrives_once(outage):
    app, server, worker = outage
    worker.start()
    ids = _announce_to_fifty(app)
    # the worker keeps trying while the server is down (its own delayed retries)
    _wait_until(lambda: _states(app)[("queued", True)] == 50, "every message to be retried at least once")
    server.start()
    _wait_until(lambda: _states(app)[("sent", True)] == 50, "all 50 to be sent")
    _assert_each_delivered_once(app, server, ids)


def test_after_a_worker_crash_and_a_lost_queue_the_sweep_delivers_every_message_once(outage):
    app, server, worker = outage
    worker.start()
    ids = _announce_to_fifty(app)
    _wait_until(lambda: sum(n for (state, tried), n in _states(app).items() if tried) == 50,
                "every message to be tried twice")
    worker.kill()                                       # SIGKILL, perhaps mid-claim
    queue.huey_of(app).storage.flush_all()              # and every queued and delayed task lost with it
    server.start()
    worker.start()

    def swept_until_sent():
        # What the worker's scheduler does every minute, driven faster.
        with app.app_context():
            queue.enqueue(delivery.sweep_outbox)
        time.sleep(0.3)
        return _states(app)[("sent", True)] == 50

    _wait_until(swept_until_sent, "the sweep to send all 50")
    _assert_each_delivered_once(app, server, ids)
