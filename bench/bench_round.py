"""Benchmark a city-sized round end to end, on SQLite and on PostgreSQL.

For each database the script makes a fresh database (SQLite: a file in a temporary folder;
PostgreSQL: a throwaway database on ``PGHOST:PGPORT`` as ``PGUSER``, default 127.0.0.1:5432
postgres, created and dropped here, as ``bench/bench_ballots.py`` does), migrates it with
``flask --app grants db upgrade heads`` and seeds, through the app's own operations, a site
admin, a facilitator and a collective with themes. Then, for each real election (by default
Wrocław 2015, 131,778 voters and 197 projects, and Warszawa 2026, 61,668 voters and 83
projects), a fresh child process:

1. sets up a draft round (approval voting, ``mes_cost``) as the facilitator;
2. *import*: ``grants.rounds.imports.import_election`` on the file's bytes and the commit, as the
   import page and ``flask --app grants pabulib import-round`` do;
3. moves the round on through the workflow as its facilitator (open proposals, close proposals,
   open voting) and *count*: fires ``close_voting``, whose effect counts the ballots with the
   round's rule, and commits;
4. *results page*: signs the facilitator in through the Flask test client (the login form, CSRF
   and all) and GETs ``/c/<slug>/rounds/<id>/results``, twice (the first pays for compiling the
   templates; both are printed, the first is the figure);
5. *report*: asks for the decision report PDF as the download does (``request_build``) and builds
   it as the worker does (``build_document``, run at once: the app's queue is immediate here).

Each stage's wall-clock seconds and the process's peak memory so far (``ru_maxrss``; each election
runs in its own process, so the peak is that election's) are printed. The LAST line is one JSON
object::

    {"sqlite": {"Poland_Wroclaw_2015_150_-_500.pb": {"import_s", "count_s", "results_page_s",
                "report_s", "total_s", "peak_mb", "ballots", "ballots_per_s", ...}, ...,
                "total_s": ...},
     "postgresql": {...}}

``total_s`` of an election is its stages from import to report (with moving the round on);
``total_s`` of a database is its elections' together, and ``setup_s`` the migrating and seeding
before them (Alembic's revisions, not the round's work). The goals: ``total_s`` under 60 s per
database on the 2-core development machine, the import at 20,000 ballots/s or more. Beside each
stage's seconds are the CPU seconds of this process and, on PostgreSQL, of the database's server
processes (the machine is shared: CPU seconds say what the work cost when the wall clock waited).

Typical use::

    make bench-round
    .venv/bin/python bench/bench_round.py --databases sqlite --instances Poland_Warszawa_2026.pb
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import secrets
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BENCH = Path(__file__).resolve().parent
for folder in (REPO, BENCH):
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))

from benchdb import PostgresDatabase, SQLiteDatabase, say  # noqa: E402 - bench/ is on the path now

# The shared pabulib instances, beside the checkout (as bench/bench_allocation.py finds them).
INSTANCES = Path(os.environ.get("COMMONPOT_SHARED") or REPO.parent / "shared") / "pabulib" / "instances"
DEFAULT_INSTANCES = ("Poland_Wroclaw_2015_150_-_500.pb", "Poland_Warszawa_2026.pb")
PASSWORD = "bench-round-password"
SLUG = "bench"
FACILITATOR = "facilitator@bench.example.org"
GOAL_TOTAL_S = 60
GOAL_BALLOTS_PER_S = 20_000




def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


TICKS = os.sysconf("SC_CLK_TCK")


def backend_cpu_s(database: str | None) -> float:
    """CPU seconds used so far by the PostgreSQL backends serving ``database`` (this machine's:
    the server's work is not in this process's CPU time). 0 on SQLite."""
    if not database:
        return 0.0
    total = 0
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if f" {database} ".encode() not in (entry / "cmdline").read_bytes().split(b"\0")[0] + b" ":
                    continue
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                total += int(fields[11]) + int(fields[12])   # utime, stime
            except (OSError, IndexError):
                pass
    return total / TICKS


# -- databases (bench/benchdb.py) ----------------------------------------------------------------

def app_env(url: str, secret: str) -> dict:
    env = dict(os.environ)
    env.update(DATABASE_URL=url, SECRET_KEY=secret,
               PYTHONPATH=os.pathsep.join([str(REPO)] + [p for p in [env.get("PYTHONPATH")] if p]))
    return env


def migrate(url: str, secret: str) -> None:
    done = subprocess.run([sys.executable, "-m", "flask", "--app", "grants", "db", "upgrade", "heads"], cwd=REPO,
                          env=app_env(url, secret), capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"migration failed:\n{done.stdout}{done.stderr}")


def child(url: str, secret: str, *args: str) -> dict:
    """Run this script's ``args`` in a fresh process on the database; its last line is JSON."""
    done = subprocess.run([sys.executable, __file__, *args], cwd=REPO, env=app_env(url, secret),
                          capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"{' '.join(args)} failed:\n{done.stdout}{done.stderr}")
    lines = done.stdout.strip().splitlines()
    for line in lines[:-1]:
        say(f"    {line}")
    return json.loads(lines[-1])


# -- the children, through the app's operations ----------------------------------------------------

def make_app():
    from grants import create_app

    # The queue runs each task at once in this process, as the worker would run it: the report
    # is built by the worker's own function, and nothing waits on a second process.
    from grants.config import from_environment

    config = from_environment()
    config.update(HUEY_IMMEDIATE=True, RATELIMIT_ENABLED=False, INSTANCE_PATH=os.environ["BENCH_INSTANCE_PATH"])
    return create_app(config)


def seed() -> dict:
    from grants.auth.operations import register_person
    from grants.collectives import operations as collectives
    from grants.db import db
    from grants.mail import silence_mail

    app = make_app()
    with app.test_request_context("/", method="POST"):
        silence_mail()
        admin = register_person(email="admin@bench.example.org", name="Bench Admin", password=PASSWORD,
                                is_admin=True)
        facilitator = register_person(email=FACILITATOR, name="Bench Facilitator", password=PASSWORD)
        collective = collectives.create_collective(name="Bench Collective", slug=SLUG, locality="Benchtown",
                                                   facilitator=facilitator, actor=admin)
        collectives.update_collective(collective, name=collective.name, locality=collective.locality,
                                      description="A collective for the city-sized round benchmark.",
                                      theme_lines=["Building trust", "Best start in life"], outcome_lines={},
                                      actor=facilitator)
        db.session.commit()
        seeded = {"collective_id": collective.id, "facilitator_id": facilitator.id}
    app.extensions["commonpot_db"].dispose()
    return seeded


def run_election(instance: str, rule: str) -> dict:
    from sqlmodel import select

    from grants.auth.models import Person
    from grants.collectives import queries as collective_queries
    from grants.collectives.models import Collective
    from grants.db import db
    from grants.documents import builds
    from grants.documents.models import DocumentBuild
    from grants.mail import silence_mail
    from grants.rounds import operations as rounds
    from grants.rounds.imports import import_election
    from grants.rounds.models import CountOutcome, Round, latest_count
    from grants.timeutil import utcnow
    from grants.workflow.operations import fire

    source = (INSTANCES / instance).read_bytes()
    app = make_app()
    database = app.extensions["commonpot_db"].url.database if app.config["DATABASE_URL"].startswith("postgres") else None
    figures: dict = {"instance": instance, "bytes": len(source)}
    stages = []
    cpu_at = [0.0, 0.0]

    def begin() -> float:
        cpu_at[:] = [time.process_time(), backend_cpu_s(database)]
        return time.perf_counter()

    def stage(name: str, started: float) -> float:
        seconds = time.perf_counter() - started
        cpu, server = time.process_time() - cpu_at[0], backend_cpu_s(database) - cpu_at[1]
        figures[f"{name}_s"] = round(seconds, 3)
        figures[f"{name}_cpu_s"] = round(cpu, 3)
        if database:
            figures[f"{name}_server_cpu_s"] = round(server, 2)
        stages.append(seconds)
        figures["peak_mb"] = round(peak_mb(), 1)
        say(f"{name:<13} {seconds:8.2f} s   (CPU here {cpu:6.2f} s" + (f", PostgreSQL {server:6.2f} s" if database else "")
            + f")   peak {figures['peak_mb']:7.1f} MB")
        return seconds

    with app.test_request_context("/", method="POST"):
        silence_mail()
        collective = db.session.exec(select(Collective).where(Collective.slug == SLUG)).one()
        facilitator = db.session.exec(select(Person).where(Person.email == FACILITATOR)).one()
        themes = [t.id for t in collective_queries.themes(collective)]
        start = utcnow().replace(microsecond=0) + timedelta(days=1)
        round_ = rounds.create_round(collective, {
            "name": f"Imported {instance[:-3]}", "description": "A real election, imported.",
            "variant": "standard", "budget": 100_000_000, "min_grant": 1, "max_grant": 100_000_000,
            "voting_method": "approval", "approval_limit": None, "cumulative_points": None, "allocation_rule": rule,
            "proposals_open_at": start, "proposals_close_at": start + timedelta(days=14),
            "voting_opens_at": start + timedelta(days=21), "voting_closes_at": start + timedelta(days=28),
            "review_due_at": start + timedelta(days=35), "reminder_hours": 48, "small_grant_limit": 100_000,
            "medium_grant_limit": 500_000, "ratifications_needed": 1,
        }, theme_ids=themes, pot_amounts={}, actor=facilitator)
        db.session.commit()
        round_id, collective_id = round_.id, collective.id
        say(f"round {round_id}: {instance} ({len(source):,} bytes)")

        started = begin()
        done = import_election(round_, source, facilitator, filename=instance)
        db.session.commit()
        stage("import", started)
        figures.update(ballots=done.ballots, proposals=done.proposals, marks=done.marks,
                       ballots_per_s=round(done.ballots / figures["import_s"]))

        started = begin()
        round_ = db.session.get(Round, round_id)
        fire(round_, "open_proposals", facilitator, now=start)
        fire(round_, "close_proposals", facilitator, now=start + timedelta(days=14))
        fire(round_, "open_voting", facilitator, now=start + timedelta(days=21))
        db.session.commit()
        stage("moves", started)

        started = begin()
        fire(round_, "close_voting", facilitator, now=start + timedelta(days=28))
        db.session.commit()
        stage("count", started)
        count = latest_count(round_)
        assert round_.state == "counting" and count is not None and count.ballots == done.ballots, round_.state
        figures["selected"] = len(db.session.exec(select(CountOutcome.id).where(
            CountOutcome.count_id == count.id, CountOutcome.selected == True)).all())  # noqa: E712
        db.session.close()

    client = app.test_client()
    login_page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', login_page)
    signed_in = client.post("/login", data={"email": FACILITATOR, "password": PASSWORD, "csrf_token": token.group(1)})
    assert signed_in.status_code == 302, signed_in.status_code
    path = f"/c/{SLUG}/rounds/{round_id}/results"
    started = begin()
    page = client.get(path)
    stage("results_page", started)
    assert page.status_code == 200, page.status_code
    figures["results_page_bytes"] = len(page.data)
    again = time.perf_counter()
    client.get(path)
    figures["results_page_again_s"] = round(time.perf_counter() - again, 3)
    say(f"  (the results page again: {figures['results_page_again_s']:.2f} s)")

    with app.test_request_context("/", method="POST"):
        facilitator = db.session.exec(select(Person).where(Person.email == FACILITATOR)).one()
        started = begin()
        build, _new = builds.request_build("decision-report", round_id, collective_id, facilitator)
        build_id = build.id
        db.session.commit()   # the queue (immediate here) runs the worker's build_document after the commit
        db.session.expire_all()
        built = db.session.get(DocumentBuild, build_id)
        stage("report", started)
        assert built.state == "done", (built.state, built.error)
        figures.update(report_pages=built.pages, report_bytes=built.size)
    figures["total_s"] = round(sum(stages), 3)
    app.extensions["commonpot_db"].dispose()
    return figures


# -- the run -----------------------------------------------------------------------------------

def bench_database(database, instances: list[str], rule: str) -> dict:
    secret = secrets.token_hex(32)
    say(f"== {database.name}: {database.describe()}")
    results: dict = {}
    database.create()
    try:
        started = time.perf_counter()
        migrate(database.url, secret)
        child(database.url, secret, "--child-seed")
        setup = time.perf_counter() - started
        say(f"  migrated and seeded in {setup:.2f} s")
        for instance in instances:
            results[instance] = child(database.url, secret, "--child-run", instance, "--rule", rule)
        results["total_s"] = round(sum(r["total_s"] for r in results.values()), 3)
        results["setup_s"] = round(setup, 3)
    finally:
        database.drop()
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--databases", nargs="+", default=["sqlite", "postgresql"], choices=["sqlite", "postgresql"])
    parser.add_argument("--instances", nargs="+", default=list(DEFAULT_INSTANCES),
                        help="pabulib files in the shared instances folder (default: Wrocław 2015, Warszawa 2026)")
    parser.add_argument("--rule", default="mes_cost", help="the rounds' allocation rule (default mes_cost)")
    parser.add_argument("--child-seed", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--child-run", metavar="INSTANCE", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child_seed:
        print(json.dumps(seed()))
        return 0
    if args.child_run:
        print(json.dumps(run_election(args.child_run, args.rule)))
        return 0

    for instance in args.instances:
        if not (INSTANCES / instance).is_file():
            raise SystemExit(f"no such instance: {INSTANCES / instance}")
    say(f"A city-sized round end to end: {', '.join(args.instances)}, counted with {args.rule}; "
        f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    figures: dict = {}
    with tempfile.TemporaryDirectory(prefix="bench-round-") as workdir:
        # The children's instance folder (nothing should be written there: the queue is immediate
        # and mail is silenced), so that the checkout's instance/ is never touched.
        os.environ["BENCH_INSTANCE_PATH"] = str(Path(workdir) / "instance")
        for name in args.databases:
            database = (SQLiteDatabase(Path(workdir), "bench-round.sqlite3") if name == "sqlite"
                        else PostgresDatabase("commonpot_bench_round"))
            figures[name] = bench_database(database, args.instances, args.rule)
    say()
    for name, results in figures.items():
        for instance, r in results.items():
            if isinstance(r, dict):   # an election
                say(f"{name:<10} {instance:<36} import {r['import_s']:6.2f} s ({r['ballots_per_s']:>7,} ballots/s)  "
                    f"count {r['count_s']:5.2f}  results {r['results_page_s']:5.2f}  report {r['report_s']:5.2f}  "
                    f"total {r['total_s']:6.2f} s  peak {r['peak_mb']:6.1f} MB")
        verdict = "under" if results["total_s"] < GOAL_TOTAL_S else "OVER"
        say(f"{name:<10} both elections {results['total_s']:.1f} s: {verdict} the {GOAL_TOTAL_S} s goal "
            f"(and {results['setup_s']:.1f} s migrating and seeding the database first)")
    slow = [f"{name} {instance}" for name, results in figures.items() for instance, r in results.items()
            if isinstance(r, dict) and r["ballots_per_s"] < GOAL_BALLOTS_PER_S]
    say(f"import goal {GOAL_BALLOTS_PER_S:,} ballots/s: " + ("met everywhere" if not slow else "missed by " + ", ".join(slow)))
    print(json.dumps(figures), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
