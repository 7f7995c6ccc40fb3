"""Benchmark casting and replacing ballots under gunicorn, on SQLite and on PostgreSQL.

For each database the script:

1. makes a fresh database (SQLite: a file in a temporary folder; PostgreSQL: a throwaway database
   on ``PGHOST:PGPORT`` as ``PGUSER``, default 127.0.0.1:5432 postgres, created and dropped here;
   a local cluster that is installed but down is started), migrates it with
   ``flask --app grants db upgrade heads`` (every branch, should the migrations ever have two
   heads), and creates the ceiling's own table (``bench/ballots_app.py``);
2. seeds it through the app's own operations (accounts, a collective with themes, organisations
   admitted through join requests, members through invitations, a round taken through its workflow
   to ``voting`` with one proposal per organisation): ``--members`` members in all, some of them
   acting for an organisation whose proposal is in the vote;
3. starts ``gunicorn 'ballots_app:build()'`` (gthread workers × threads: ``--sqlite-server``, default
   2x4, and ``--postgresql-server``, default 4x8; see SERVER_CHOICE) on a free port of 127.0.0.1,
   and signs every member in over HTTP, four at a time (GET /login, POST /login, GET the ballot page
   for its CSRF token and the proposals it may mark); the session cookie from the ballot page is then
   sent with every request (a browser would follow each redirect and so drop the flash message; this
   client does not follow them, so it keeps the cookie it had);
4. *ceiling*: every member POSTs ``/bench/insert`` (one insert and a commit per request, through the
   same session cookie and CSRF check) in a loop for ``--duration`` seconds in all;
5. *signed-in ceiling*: the same, to ``/bench/c/<slug>/rounds/<id>/saved``, which is the ballot POST
   minus the ballot: Flask-Login loads the member from the session, the app's checks for a page of
   a collective run (its URL names one, as the ballot's does), one row is inserted, "saved" is
   flashed and the answer is the ballot route's redirect back to the ballot page;
6. *ballots*: every member POSTs the ballot form with a random valid choice (never their own
   organisation's proposal; when it ticks none, an abstention by the page's own button) in a loop
   for ``--duration`` seconds; a 302 back to the ballot page is an acknowledged ballot.
   Steps 4–6 take turns in slices of about 5 s (``--slices``), so that on a machine shared with
   other work a burst of it falls on all three alike;
7. checks what is stored: one ballot per member who had at least one acknowledged POST, each with
   exactly the marks of that member's last acknowledged POST (else *lost*), never two ballot rows
   for a member (*duplicated*), and one audit row per acknowledged POST.

The load comes from one asyncio process (aiohttp, keep-alive connections, one connection per
concurrent member), not from threads: it takes about 0.1–0.2 of a core and leaves the rest of this
2-core machine to the server. Where the CPU went in each window (gunicorn, the load generator, this
database's PostgreSQL backends, everything else) and gunicorn's CPU per request are printed, so the
figures can be read against the machine's limits and against whatever else was running. Each
member waits for its response before sending again; loops stop at the deadline by themselves and
traffic goes to 127.0.0.1 only.

Its LAST line is one JSON object::

    {"sqlite": {"ballots_per_s", "ceiling_per_s", "ratio", "signed_in_ceiling_per_s", "signed_in_ratio",
                "p50_ms", "p99_ms", "lost", "duplicated", ...},
     "postgresql": {...}}

``ratio`` is ballots/s over the bare ceiling's requests/s; ``signed_in_ratio`` over the signed-in
ceiling's, the floor any signed-in form that saves a row and redirects stands on.

Typical use (``make bench-ballots`` installs gunicorn and aiohttp into ``.venv-bench``)::

    .venv-bench/bin/python bench/bench_ballots.py
    .venv-bench/bin/python bench/bench_ballots.py --duration 20 --databases sqlite
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BENCH = Path(__file__).resolve().parent
for folder in (REPO, BENCH):
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))

from benchdb import PostgresDatabase, SQLiteDatabase, say  # noqa: E402 - bench/ is on the path now

PASSWORD = "bench-ballots-password"

# gunicorn, per database (workers x gthread threads), on this 2-core machine. Python runs one
# thread per process at a time, so about two busy workers use both cores; the rest of the threads
# only help while requests wait. SQLite: writes take the database's one write lock (BEGIN IMMEDIATE;
# the ballot page reads first and takes it only for its writes), so writers are served one at a
# time whatever the thread count; more concurrent requests only queue on SQLite's lock, whose
# busy handler is unfair and sleeps (p99 of several seconds with 4x8, and now and then a wait past
# the 10 s busy timeout: a 500), while with 2x4 they queue in gunicorn instead. PostgreSQL locks
# rows, and a request spends much of its time waiting for round trips and commits, so 4x8 keeps
# the cores busy (2x8 gave fewer ballots/s; 4x16 and 6x8 no more).
SERVER_CHOICE = {"sqlite": "2x4", "postgresql": "4x8"}
SLUG = "bench"
HOST = "127.0.0.1"


# -- databases (bench/benchdb.py) ----------------------------------------------------------------

SQLITE_ABOUT = "WAL; POSTs write under BEGIN IMMEDIATE, the ballot page after its reads"


def app_env(url: str, secret: str) -> dict:
    env = dict(os.environ)
    env.update(DATABASE_URL=url, SECRET_KEY=secret, PYTHONPATH=os.pathsep.join([str(REPO), str(BENCH)]))
    return env


def migrate(url: str, secret: str) -> None:
    done = subprocess.run([sys.executable, "-m", "flask", "--app", "grants", "db", "upgrade", "heads"], cwd=REPO,
                          env=app_env(url, secret), capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"migration failed:\n{done.stdout}{done.stderr}")


# -- seeding, through the app's operations -------------------------------------------------------

def seed(url: str, secret: str, *, members: int, organisations: int, affiliated: int) -> dict:
    """A collective with ``members`` voting members (``organisations`` applicants, ``affiliated``
    more acting for an organisation, the rest without one) and a round in its vote."""
    from datetime import timedelta

    os.environ.update(DATABASE_URL=url, SECRET_KEY=secret)
    from grants import create_app
    from grants.auth.operations import register_person
    from grants.collectives import operations as collectives
    from grants.db import db
    from grants.mail import silence_mail
    from grants.proposals import operations as proposals
    from grants.rounds import operations as rounds
    from grants.timeutil import utcnow
    from grants.workflow.operations import fire

    app = create_app()
    with app.test_request_context("/", method="POST"):
        silence_mail()
        admin = register_person(email="admin@bench.example.org", name="Bench Admin", password=PASSWORD,
                                is_admin=True)
        facilitator = register_person(email="facilitator@bench.example.org", name="Bench Facilitator",
                                      password=PASSWORD)
        collective = collectives.create_collective(name="Bench Collective", slug=SLUG, locality="Benchtown",
                                                   facilitator=facilitator, actor=admin)
        collectives.update_collective(collective, name=collective.name, locality=collective.locality,
                                      description="A collective for the ballot benchmark.",
                                      theme_lines=["Building trust", "Best start in life"], outcome_lines={},
                                      actor=facilitator)
        db.session.commit()
        orgs, people = [], []   # people: (email, person id, organisation id or None)
        for n in range(organisations):
            email = f"applicant{n}@bench.example.org"
            applicant = register_person(email=email, name=f"Applicant {n}", password=PASSWORD)
            join = collectives.request_to_join(collective, applicant, {
                "name": f"Bench Organisation {n}", "kind": "unregistered", "postcode": "B18 7QH",
                "communities_served": ["asian_pakistani"], "languages": ["en"], "contact_name": f"Applicant {n}",
                "contact_email": email}, message="Please let us in.")
            collectives.decide_join_request(join, approve=True, reason="", actor=facilitator)
            db.session.commit()
            orgs.append((applicant, join.organisation_id))
            people.append((email, applicant.id, join.organisation_id))
        for n in range(members - organisations):
            email = f"member{n}@bench.example.org"
            organisation_id = orgs[n % organisations][1] if n < affiliated else None
            invitation = collectives.invite(collective, email=email, roles=["member"],
                                            organisation_id=organisation_id, actor=facilitator)
            person = collectives.accept_invitation_with_new_account(invitation, name=f"Member {n}",
                                                                    password=PASSWORD)
            people.append((email, person.id, organisation_id))
            if n % 25 == 24:
                db.session.commit()
        db.session.commit()

        themes = [t.id for t in collectives.queries.themes(collective)]
        now = utcnow().replace(microsecond=0)
        round_ = rounds.create_round(collective, {
            "name": "Bench round", "description": "Ballots under load.", "variant": "standard",
            "budget": 2_000_000, "min_grant": 50_000, "max_grant": 500_000, "voting_method": "approval",
            "approval_limit": None, "cumulative_points": None, "allocation_rule": "greedy_cost",
            "proposals_open_at": now - timedelta(days=30), "proposals_close_at": now - timedelta(days=12),
            "voting_opens_at": now - timedelta(days=5), "voting_closes_at": now + timedelta(days=7),
            "review_due_at": now + timedelta(days=21), "reminder_hours": 48, "small_grant_limit": 100_000,
            "medium_grant_limit": 500_000, "ratifications_needed": 1,
        }, theme_ids=themes, pot_amounts={}, actor=facilitator)
        fire(round_, "open_proposals", facilitator)
        submitted = []
        for n, (applicant, _org) in enumerate(orgs):
            proposal = proposals.start_proposal(round_, applicant)
            amount = 60_000 + 10_000 * n
            proposals.save_proposal(proposal, {
                "title": f"Project {n}", "summary": f"What organisation {n} will do.", "amount_requested": amount,
                "theme_id": themes[n % len(themes)], "communities_served": ["asian_pakistani"], "outcome_ids": [],
                "people_reached": 40}, [("Venue and volunteers", amount)], applicant)
            proposals.submit_proposal(proposal, applicant)
            submitted.append(proposal)
        fire(round_, "close_proposals", facilitator)
        for proposal in submitted:
            proposals.decide_eligibility(proposal, eligible=True, reason="", actor=facilitator)
        fire(round_, "open_voting", facilitator)
        db.session.commit()
        assert round_.state == "voting", round_.state
        result = {"round_id": round_.id, "collective_id": collective.id, "people": people,
                  "proposals": {p.id: p.organisation_id for p in submitted}}
    app.extensions["commonpot_db"].dispose()
    return result


def stored_ballots(url: str, secret: str, round_id: int, collective_id: int) -> dict:
    """What the database holds after the run (read through the app's models)."""
    os.environ.update(DATABASE_URL=url, SECRET_KEY=secret)
    from sqlmodel import func, select

    from grants import create_app
    from grants.audit.models import AuditEvent
    from grants.db import db
    from grants.voting.models import Ballot, BallotMark

    app = create_app()
    with app.app_context():
        rows = db.session.exec(select(Ballot.id, Ballot.member_id).where(Ballot.round_id == round_id)).all()
        marks: dict[int, set[int]] = {ballot_id: set() for ballot_id, _member in rows}
        for ballot_id, proposal_id in db.session.exec(
                select(BallotMark.ballot_id, BallotMark.proposal_id).join(Ballot, Ballot.id == BallotMark.ballot_id)
                .where(Ballot.round_id == round_id)).all():
            marks[ballot_id].add(proposal_id)
        audit = dict(db.session.exec(
            select(AuditEvent.action, func.count()).where(AuditEvent.collective_id == collective_id,
                                                          AuditEvent.action.in_(["ballot.cast", "ballot.replaced"]))
            .group_by(AuditEvent.action)).all())
        db.engine.dispose()
    by_member: dict[int, list[frozenset]] = {}
    for ballot_id, member_id in rows:
        by_member.setdefault(member_id, []).append(frozenset(marks[ballot_id]))
    return {"rows": len(rows), "by_member": by_member, "audit": audit}


def ceiling_rows(url: str) -> Counter:
    """Rows each ceiling route wrote, by route ("insert", "saved")."""
    import sqlalchemy as sa

    from grants.db import make_engine

    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return Counter(dict(connection.execute(sa.text("SELECT route, count(*) FROM bench_hit GROUP BY route")).all()))
    finally:
        engine.dispose()


# -- the server ---------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, url: str, secret: str, workdir: Path, workers: int, threads: int) -> None:
        self.port = free_port()
        self.log_path = workdir / f"gunicorn-{self.port}.log"
        self.command = [sys.executable, "-m", "gunicorn", "--chdir", str(BENCH), "--bind", f"{HOST}:{self.port}",
                        "--workers", str(workers), "--worker-class", "gthread", "--threads", str(threads),
                        "--keep-alive", "60", "--backlog", "2048", "--timeout", "120",
                        # gunicorn.conf.py (read from the repository's root) recycles a worker every
                        # ~1000 requests: at these rates several times a window, each time booting the
                        # app again on the cores being measured. The windows measure the routes.
                        "--max-requests", "0",
                        "--error-logfile", str(self.log_path), "ballots_app:build()"]
        self.env = app_env(url, secret)
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.output = open(self.log_path.with_suffix(".out"), "wb")
        self.process = subprocess.Popen(self.command, cwd=REPO, env=self.env, stdout=self.output,
                                        stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"gunicorn exited with {self.process.returncode}:\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(f"http://{HOST}:{self.port}/login", timeout=5) as response:
                    if response.status == 200:
                        time.sleep(1)   # let every worker finish booting
                        return
            except OSError:
                time.sleep(0.3)
        raise SystemExit("gunicorn did not answer within 60 s:\n" + self.log_tail())

    def pids(self) -> list[int]:
        """The master and its workers."""
        if self.process is None:
            return []
        found = [self.process.pid]
        try:
            children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children").read_text().split()
            found += [int(c) for c in children]
        except OSError:
            pass
        return found

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def exceptions(self) -> Counter:
        """The last line of each traceback the app logged (what a 500 was)."""
        found: Counter = Counter()
        try:
            text = self.log_path.with_suffix(".out").read_text(errors="replace")
        except OSError:
            return found
        for line in text.splitlines():
            if re.match(r"^[A-Za-z_][\w.]*(Error|Exception)\b.*", line):
                found[line.strip()[:200]] += 1
        return found

    def log_tail(self, lines: int = 30) -> str:
        text = []
        for path in (self.log_path, self.log_path.with_suffix(".out")):
            try:
                text += path.read_text(errors="replace").splitlines()[-lines:]
            except OSError:
                pass
        return "\n".join(text) or "(no log)"


# -- CPU accounting ------------------------------------------------------------------------------

TICKS = os.sysconf("SC_CLK_TCK")


def machine_ticks() -> tuple[int, int]:
    """(busy, total) jiffies of the whole machine."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + values[4]
    total = sum(values[:8])
    return total - idle, total


def process_ticks(pids: list[int]) -> int:
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])   # utime, stime
        except (OSError, IndexError):
            pass
    return total


def server_ticks(server: "Server") -> tuple[int, list[int]]:
    """CPU jiffies of gunicorn (the master, its workers, and the workers it has reaped: one replaced
    during a window, after a crash or a timeout, still counts), and the pids counted."""
    pids = server.pids()
    total = process_ticks(pids)
    try:
        fields = Path(f"/proc/{pids[0]}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[13]) + int(fields[14])   # cutime, cstime: of children waited for
    except (OSError, IndexError):
        pass
    return total, pids


def all_ticks() -> dict[int, tuple[str, int]]:
    """(short command line, CPU jiffies) of every process on this machine, by pid."""
    found = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                args = (entry / "cmdline").read_bytes().decode(errors="replace").split("\0")
                if args[0].startswith("postgres: "):   # a PostgreSQL process names its database and state
                    name = args[0][:120]
                else:
                    name = " ".join(" ".join([os.path.basename(args[0])] + args[1:3]).split())[:40] \
                        or (entry / "comm").read_text()
                found[int(entry.name)] = (name.strip(), process_ticks([int(entry.name)]))
            except OSError:
                pass
    return found


@dataclass
class CpuWindow:
    """Where the machine's CPU went during a measured window, in cores. A window may be measured in
    slices (``with window:`` once per slice): the figures are then over all of them."""

    server_process: "Server"
    database_name: str = ""
    wall: float = 0.0
    seconds: Counter = field(default_factory=Counter)   # CPU seconds: "machine", "server", "client", "database"
    by_name: Counter = field(default_factory=Counter)   # CPU seconds of every other process, by command line
    start: tuple = ()

    def __enter__(self):
        self.start = (time.monotonic(), machine_ticks(), server_ticks(self.server_process), os.times(), all_ticks())
        return self

    def __exit__(self, *_exc):
        wall0, (busy0, total0), (server0, pids0), own0, all0 = self.start
        wall = time.monotonic() - wall0
        busy1, total1 = machine_ticks()
        own1 = os.times()
        all1 = all_ticks()
        server1, pids1 = server_ticks(self.server_process)
        self.cores = os.cpu_count() or 1
        self.wall += wall
        self.seconds["machine"] += (busy1 - busy0) / max(total1 - total0, 1) * self.cores * wall
        self.seconds["server"] += (server1 - server0) / TICKS
        self.seconds["client"] += (own1.user - own0.user) + (own1.system - own0.system)
        server_pids = set(pids0) | set(pids1)
        used = {pid: (name, (ticks - all0.get(pid, ("", 0))[1]) / TICKS) for pid, (name, ticks) in all1.items()
                if pid not in server_pids and pid != os.getpid()}
        for name, cpu in used.values():
            # PostgreSQL: the backends serving this database (other databases' backends are "other").
            if self.database_name and f" {self.database_name} " in name:
                if name.startswith("postgres: "):
                    self.seconds["database"] += cpu
            else:
                self.by_name[name] += cpu

    def cores_used(self, what: str) -> float:
        return self.seconds[what] / self.wall if self.wall else 0.0

    @property
    def server(self) -> float:
        return self.cores_used("server")

    def text(self) -> str:
        busy, server, client, database = (self.cores_used(k) for k in ("machine", "server", "client", "database"))
        other = max(busy - server - client - database, 0.0)
        named = ", ".join(f"{name} {cpu / self.wall:.2f}" for name, cpu in self.by_name.most_common(3)
                          if cpu / self.wall >= 0.05)
        return (f"CPU: {busy:.2f} of {self.cores} cores busy — gunicorn {server:.2f}, "
                f"load generator {client:.2f}, PostgreSQL backends of this database {database:.2f}, "
                f"other processes (short-lived ones too) and the kernel {other:.2f}" + (f" (busiest: {named})" if named else ""))


# -- the load ------------------------------------------------------------------------------------

CSRF_RE = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
APPROVE_RE = re.compile(r'name="approve" type="checkbox" value="(\d+)"')


@dataclass
class Member:
    email: str
    person_id: int
    organisation_id: int | None
    cookie: str = ""
    csrf: str = ""
    markable: list[int] = field(default_factory=list)
    acked: int = 0
    last: frozenset | None = None
    unsure: set = field(default_factory=set)   # choices sent after the last ack whose fate is unknown


@dataclass
class Phase:
    kind: str
    ok: int = 0
    latencies: list[float] = field(default_factory=list)
    errors: Counter = field(default_factory=Counter)
    error_samples: list[str] = field(default_factory=list)
    elapsed: float = 0.0
    rng: random.Random = field(default_factory=random.Random)

    def __post_init__(self) -> None:
        self.rng.seed(self.kind)

    @property
    def per_s(self) -> float:
        return self.ok / self.elapsed if self.elapsed else 0.0

    def percentile(self, q: float) -> float:
        if not self.latencies:
            return 0.0
        ordered = sorted(self.latencies)
        index = min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))
        return ordered[index] * 1000


def session_cookie(response, previous: str) -> str:
    morsel = response.cookies.get("session")
    return f"session={morsel.value}" if morsel is not None and morsel.value else previous


async def sign_in(http, base: str, member: Member, ballot_path: str, expected: set[int]) -> None:
    async with http.get(f"{base}/login") as r:
        page = await r.text()
        cookie = session_cookie(r, "")
    token = CSRF_RE.search(page).group(1)
    async with http.post(f"{base}/login", data={"csrf_token": token, "email": member.email,
                                                "password": PASSWORD, "next": ""},
                         headers={"Cookie": cookie}, allow_redirects=False) as r:
        await r.read()
        if r.status != 302:
            raise RuntimeError(f"sign-in of {member.email} answered {r.status}")
        cookie = session_cookie(r, cookie)
    async with http.get(f"{base}{ballot_path}", headers={"Cookie": cookie}, allow_redirects=False) as r:
        page = await r.text()
        if r.status != 200:
            raise RuntimeError(f"ballot page for {member.email} answered {r.status}")
        member.cookie = session_cookie(r, cookie)   # the flash is shown: this is the session from now on
    member.csrf = CSRF_RE.search(page).group(1)
    member.markable = sorted(int(v) for v in APPROVE_RE.findall(page))
    if set(member.markable) != expected:
        raise RuntimeError(f"{member.email} may mark {member.markable}, expected {sorted(expected)}")


async def run_phase(http, base: str, members: list[Member], duration: float, phase: Phase, ballot_path: str,
                    saved_path: str) -> None:
    """Every member posts in a loop for ``duration`` seconds (one slice of ``phase``, added to it)."""
    start = time.monotonic()
    deadline = start + duration
    kind, rng = phase.kind, phase.rng

    async def one(member: Member) -> None:
        n = 0
        while time.monotonic() < deadline:
            n += 1
            if kind == "ballots":
                choice = frozenset(rng.sample(member.markable, rng.randint(0, min(4, len(member.markable)))))
                data = [("csrf_token", member.csrf)] + [("approve", str(pid)) for pid in sorted(choice)]
                if not choice:   # nothing ticked: the page's "I choose not to support any proposal" button
                    data.append(("action", "abstain"))
                url = f"{base}{ballot_path}"
            elif kind == "signed_in":
                choice = None
                data = [("csrf_token", member.csrf), ("n", str(n))]
                url = f"{base}{saved_path}"
            else:
                choice = None
                data = [("csrf_token", member.csrf), ("who", str(member.person_id)), ("n", str(n))]
                url = f"{base}/bench/insert"
            sent = time.perf_counter()
            try:
                async with http.post(url, data=data, headers={"Cookie": member.cookie},
                                     allow_redirects=False) as r:
                    body = await r.read()
                    status, location = r.status, r.headers.get("Location", "")
            except Exception as error:   # noqa: BLE001 - counted and reported, never hidden
                phase.errors[f"{type(error).__name__}"] += 1
                if choice is not None:
                    member.unsure.add(choice)
                continue
            phase.latencies.append(time.perf_counter() - sent)
            if kind == "ballots" and status == 302 and location.endswith(ballot_path):
                phase.ok += 1
                member.acked += 1
                member.last = choice
                member.unsure.clear()
            elif kind == "signed_in" and status == 302 and location.endswith(ballot_path):
                phase.ok += 1
            elif kind == "ceiling" and 200 <= status < 300:
                phase.ok += 1
            else:
                label = f"HTTP {status}" + (f" to {location}" if location else "")
                phase.errors[label] += 1
                if len(phase.error_samples) < 3:
                    message = (re.search(rb'govuk-error-summary__list.*?<a[^>]*>(.*?)</a>', body, re.S)
                               or re.search(rb"<title>(.*?)</title>", body, re.S))
                    phase.error_samples.append(f"{label}: " + (" ".join(message.group(1).decode(errors="replace").split())
                                                               if message else body[:120].decode(errors="replace")))

    await asyncio.gather(*(one(m) for m in members))
    phase.elapsed += time.monotonic() - start


PHASES = ("ceiling", "signed_in", "ballots")


async def drive(base: str, members: list[Member], proposals: dict[int, int], duration: float, slices: int,
                ballot_path: str, saved_path: str, server: Server, database_name: str) -> tuple[dict, dict]:
    import aiohttp

    connector = aiohttp.TCPConnector(limit=len(members), limit_per_host=len(members), keepalive_timeout=60)
    timeout = aiohttp.ClientTimeout(total=120)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout,
                                     cookie_jar=aiohttp.DummyCookieJar()) as http:
        started = time.monotonic()
        gate = asyncio.Semaphore(4)   # sign-in hashes a password inside a (SQLite: write) transaction

        async def signed_in(member: Member) -> None:
            expected = {pid for pid, org in proposals.items() if org != member.organisation_id}
            async with gate:
                await sign_in(http, base, member, ballot_path, expected)

        await asyncio.gather(*(signed_in(m) for m in members))
        say(f"  signed in {len(members)} members over HTTP in {time.monotonic() - started:.1f} s "
            f"({sum(1 for m in members if len(m.markable) < len(proposals))} of them act for an organisation "
            "with a proposal in the vote)")
        # The three phases take turns, a slice each, so that on a machine shared with other work a
        # burst of it falls on all three alike and their ratios stay readable.
        phases = {kind: Phase(kind) for kind in PHASES}
        cpu = {kind: CpuWindow(server, database_name) for kind in PHASES}
        for _slice in range(slices):
            for kind in PHASES:
                with cpu[kind]:
                    await run_phase(http, base, members, duration / slices, phases[kind], ballot_path, saved_path)
    return phases, cpu


# -- one database -------------------------------------------------------------------------------

def cpu_ms(window: CpuWindow, phase: Phase) -> float:
    """Server CPU per acknowledged request: steadier than requests/s on a machine shared with other work."""
    return window.seconds["server"] / phase.ok * 1000 if phase.ok else 0.0


def bench_database(database, args, workdir: Path) -> dict:
    from ballots_app import create_ceiling_table

    secret = secrets.token_hex(32)   # one key for every worker: a session cookie is valid in all of them
    say(f"== {database.name}: {database.describe()}")
    database.create()
    server = None
    try:
        migrate(database.url, secret)
        create_ceiling_table(database.url)
        started = time.monotonic()
        world = seed(database.url, secret, members=args.members, organisations=args.organisations,
                     affiliated=args.affiliated)
        say(f"  seeded through the app's operations in {time.monotonic() - started:.1f} s: {args.members} members "
            f"({args.organisations} applicants, {args.affiliated} more acting for an organisation), "
            f"{len(world['proposals'])} proposals in the vote of a round in 'voting' (approval ballots)")
        workers, threads = (int(n) for n in getattr(args, f"{database.name}_server").split("x"))
        server = Server(database.url, secret, workdir, workers, threads)
        server.start()
        say(f"  gunicorn on {HOST}:{server.port}: {workers} workers × gthread {threads} threads "
            f"(pids {server.pids()})")
        members = [Member(email, pid, org) for email, pid, org in world["people"]]
        ballot_path = f"/c/{SLUG}/rounds/{world['round_id']}/ballot"
        saved_path = f"/bench/c/{SLUG}/rounds/{world['round_id']}/saved"
        try:
            phases, cpu = asyncio.run(drive(f"http://{HOST}:{server.port}", members, world["proposals"],
                                            args.duration, args.slices, ballot_path, saved_path, server,
                                            getattr(database, "database", "")))
        except BaseException:
            say(server.log_tail(60))
            raise
        finally:
            server.stop()
            if args.verbose:
                say(server.log_tail())
        server_errors = server.exceptions()
        stored = stored_ballots(database.url, secret, world["round_id"], world["collective_id"])
        hits = ceiling_rows(database.url)
    finally:
        if server is not None:
            server.stop()
        database.drop()

    voters = {m.person_id for m in members if m.acked}
    lost = 0
    for m in members:
        if not m.acked:
            continue
        found = stored["by_member"].get(m.person_id, [])
        if not found or (found[0] != m.last and found[0] not in m.unsure):
            lost += 1
    duplicated = sum(len(rows) - 1 for rows in stored["by_member"].values() if len(rows) > 1)
    strangers = len(set(stored["by_member"]) - voters)   # a ballot stored for someone never acknowledged
    audit_rows = sum(stored["audit"].values())
    ceiling, signed_in, ballots = (phases[kind] for kind in PHASES)
    labels = {"ceiling": "ceiling (one insert per request)",
              "signed_in": "signed-in ceiling (member loaded, one insert, flash, redirect)",
              "ballots": "ballots (cast and replace)"}
    for kind in PHASES:
        label, phase = labels[kind], phases[kind]
        say(f"  {label}: {phase.ok} in {phase.elapsed:.1f} s = {phase.per_s:.1f}/s, p50 {phase.percentile(0.5):.1f} ms, "
            f"p99 {phase.percentile(0.99):.1f} ms, errors {sum(phase.errors.values())}"
            + (f" {dict(phase.errors)}" if phase.errors else ""))
        for sample in phase.error_samples:
            say(f"    e.g. {sample}")
        window = cpu[kind]
        say(f"    {window.text()}")
        say(f"    gunicorn CPU per acknowledged request: {cpu_ms(window, phase):.2f} ms")
    for line, count in server_errors.most_common(3):
        say(f"  the app logged {count} × {line}")
    ratio = ballots.per_s / ceiling.per_s if ceiling.per_s else 0.0
    signed_in_ratio = ballots.per_s / signed_in.per_s if signed_in.per_s else 0.0
    say(f"  ratio ballots/s ÷ ceiling/s = {ratio:.2f}; ballots/s ÷ signed-in ceiling/s = {signed_in_ratio:.2f}")
    say(f"  final check: ballots stored {stored['rows']}, distinct members with an acknowledged ballot {len(voters)}"
        f" ({'equal' if stored['rows'] == len(voters) else 'DIFFERENT'}); lost {lost}; duplicated {duplicated}; "
        f"stored for a member never acknowledged {strangers}; audit rows {audit_rows} for {ballots.ok} acknowledged "
        f"POSTs ({'equal' if audit_rows == ballots.ok else 'DIFFERENT'}); ceiling rows {hits['insert']} for "
        f"{ceiling.ok} acknowledged ({'equal' if hits['insert'] == ceiling.ok else 'DIFFERENT'}), signed-in ceiling "
        f"rows {hits['saved']} for {signed_in.ok} ({'equal' if hits['saved'] == signed_in.ok else 'DIFFERENT'})")
    return {
        "ballots_per_s": round(ballots.per_s, 1), "ceiling_per_s": round(ceiling.per_s, 1), "ratio": round(ratio, 3),
        "signed_in_ceiling_per_s": round(signed_in.per_s, 1), "signed_in_ratio": round(signed_in_ratio, 3),
        "p50_ms": round(ballots.percentile(0.5), 1), "p99_ms": round(ballots.percentile(0.99), 1),
        "lost": lost, "duplicated": duplicated,
        "ceiling_p50_ms": round(ceiling.percentile(0.5), 1), "ceiling_p99_ms": round(ceiling.percentile(0.99), 1),
        "signed_in_ceiling_p50_ms": round(signed_in.percentile(0.5), 1),
        "signed_in_ceiling_p99_ms": round(signed_in.percentile(0.99), 1),
        "errors": sum(sum(phase.errors.values()) for phase in phases.values()),
        "ballots_stored": stored["rows"], "members_voted": len(voters), "audit_rows_match": audit_rows == ballots.ok,
        "concurrency": len(members), "server": f"{workers}x{threads}", "slices": args.slices,
        "server_cpu_ms_per_ballot": round(cpu_ms(cpu["ballots"], ballots), 2),
        "server_cpu_ms_per_ceiling": round(cpu_ms(cpu["ceiling"], ceiling), 2),
        "server_cpu_ms_per_signed_in": round(cpu_ms(cpu["signed_in"], signed_in), 2),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of each measured window (default 60)")
    parser.add_argument("--slices", type=int, default=0,
                        help="each window is measured in this many slices, the three windows taking turns "
                             "(default: slices of about 5 s)")
    parser.add_argument("--members", type=int, default=220, help="concurrent members, all voting (default 220)")
    parser.add_argument("--organisations", type=int, default=10, help="organisations, one proposal each (default 10)")
    parser.add_argument("--affiliated", type=int, default=40,
                        help="members (besides the applicants) acting for an organisation (default 40)")
    for name, default in SERVER_CHOICE.items():
        parser.add_argument(f"--{name}-server", default=default, metavar="WxT",
                            help=f"gunicorn workers x gthread threads on {name} (default {default})")
    parser.add_argument("--databases", default="sqlite,postgresql", help="comma-separated: sqlite,postgresql")
    parser.add_argument("--verbose", action="store_true", help="print the tail of gunicorn's log")
    args = parser.parse_args()
    args.slices = args.slices or max(1, round(args.duration / 5))
    try:
        import aiohttp  # noqa: F401
        import gunicorn  # noqa: F401
    except ImportError as error:
        say(f"{error.name} is not installed in this interpreter: run `make bench-ballots`")
        return 2
    say(f"Ballot benchmark: {args.members} concurrent members (one asyncio process, aiohttp, one keep-alive "
        f"connection each), {args.duration:g} s per window in {args.slices} slices taking turns, gunicorn gthread workers x threads: "
        + ", ".join(f"{name} {getattr(args, f'{name}_server')}" for name in args.databases.split(","))
        + f"; {os.cpu_count()} cores shared by the server, the load generator, the database and whatever "
        "else runs on the machine")
    report = {}
    with tempfile.TemporaryDirectory(prefix="commonpot-bench-") as tmp:
        for name in args.databases.split(","):
            database = (SQLiteDatabase(Path(tmp), about=SQLITE_ABOUT) if name == "sqlite"
                        else PostgresDatabase())
            report[name] = bench_database(database, args, Path(tmp))
    print(json.dumps(report), flush=True)
    # Exit 1 only when what was stored is wrong; errors and the ratio are figures to read, not failures.
    good = all(r["lost"] == 0 and r["duplicated"] == 0 and r["ballots_stored"] == r["members_voted"]
               and r["audit_rows_match"] for r in report.values())
    return 0 if good else 1


if __name__ == "__main__":
    sys.exit(main())
