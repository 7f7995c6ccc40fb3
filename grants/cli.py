"""Operator commands: ``flask --app grants <command>``.

- ``db upgrade [REVISION]`` / ``db downgrade REVISION`` / ``db current``: migrate the database.
- ``create-admin``: create (or promote) a site administrator.
- ``seed-demo``: a demo collective (slug ``demo``) with organisations, people and roles; prints logins.
- ``export 360giving`` / ``export grants-csv``: a collective's grants as open data or CSV (grants.exports.cli).
- ``scheduler``, ``worker``: the two long-running processes beside the web server.
- ``pabulib import-round --round ID FILE``: a real election into a draft round (grants.rounds.cli).
- ``backup FILE`` / ``restore FILE [--force]``: the whole database (grants.backup).
"""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext

from grants.db import db

db_cli = AppGroup("db", help="Migrate the database (Alembic).")


@db_cli.command("upgrade")
@click.argument("revision", default="head")
def db_upgrade(revision: str) -> None:
    """Upgrade the database to REVISION (default: the newest)."""
    from grants import migrate

    migrate.upgrade(current_app.config["DATABASE_URL"], revision)
    click.echo(f"Database upgraded to {revision}.")


@db_cli.command("downgrade")
@click.argument("revision")
def db_downgrade(revision: str) -> None:
    """Downgrade the database to REVISION (use 'base' for an empty database)."""
    from grants import migrate

    migrate.downgrade(current_app.config["DATABASE_URL"], revision)
    click.echo(f"Database downgraded to {revision}.")


@db_cli.command("current")
def db_current() -> None:
    """Show the database's current revision."""
    from alembic import command

    from grants.migrate import alembic_config

    command.current(alembic_config(current_app.config["DATABASE_URL"]))


@click.command("create-admin")
@with_appcontext
@click.option("--email", prompt=True)
@click.option("--name", prompt=True)
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
def create_admin(email: str, name: str, password: str) -> None:
    """Create a site administrator, or make an existing account one."""
    from email_validator import EmailNotValidError, validate_email

    from grants import audit
    from grants.auth import operations

    try:
        validate_email(email, check_deliverability=False)
    except EmailNotValidError as error:
        raise click.BadParameter(str(error), param_hint="--email") from error
    person = operations.find_by_email(email)
    if person is None:
        if len(password) < current_app.config["PASSWORD_MIN_LENGTH"]:
            raise click.BadParameter("the password must be at least 10 characters", param_hint="--password")
        person = operations.register_person(email=email, name=name, password=password, is_admin=True, actor="cli")
        message = f"Admin account created for {person.email}."
    else:
        person.is_admin = True
        db.session.add(person)
        audit.record("cli", "account.made_admin", person, f"{person.email} made a site admin")
        message = f"{person.email} is now a site admin."
    db.session.commit()
    click.echo(message)


@click.command("seed-demo")
@click.option("--if-empty", is_flag=True, help="Skip, without an error, a database that has accounts already.")
@click.option("--force", is_flag=True, help="Seed a database named by DATABASE_URL (a throwaway one, never production).")
@with_appcontext
def seed_demo(if_empty: bool, force: bool) -> None:
    """Create the demo collective (slug 'demo') and print its logins (only with COMMONPOT_DEMO=1).

    The demo's accounts have a published password, so it never goes anywhere by accident: only with
    the demo flag, never into a database that already has people, and never into a database
    named by DATABASE_URL (not the demo's own SQLite file) unless forced.
    """
    from sqlmodel import func, select

    from grants import config as config_module
    from grants.auth.models import Person
    from grants.collectives.models import Collective
    from grants.demo import SLUG, seed

    config = current_app.config
    if not config.get("COMMONPOT_DEMO"):
        raise click.ClickException("seed-demo only runs for the demo: set COMMONPOT_DEMO=1 (make run does). "
                                   "Its accounts share a published password.")
    demo_database = config_module.defaults(current_app.instance_path)["DATABASE_URL"]
    if config["DATABASE_URL"] != demo_database and not force:
        from grants.backup import describe

        raise click.ClickException(
            f"DATABASE_URL names {describe(config['DATABASE_URL'])}, not the demo's own database: the demo would "
            "add a site admin with a published password to it. Add --force only for a throwaway database.")
    already = db.session.exec(select(Collective).where(Collective.slug == SLUG)).first() is not None
    if not already and db.session.exec(select(func.count()).select_from(Person)).one():
        message = "The database already has accounts: the demo was not added."
        if if_empty:
            click.echo(message)
            return
        raise click.ClickException(message)
    logins = seed()
    db.session.commit()
    click.echo("Demo collective 'demo' is ready. Sign in with any of these (password for all: "
               f"{logins['password']}):")
    for role, email in logins["people"]:
        click.echo(f"  {role:<28} {email}")
    click.echo("The site admin must choose a new password at first sign-in, except on this machine (localhost).")


@click.command("scheduler")
@click.option("--once", is_flag=True, help="Fire what is due now, then exit (for cron or a check).")
@click.option("--interval", default=60, show_default=True, help="Seconds between runs of the job.")
@click.option("--standby-poll", default=5.0, show_default=True,
              help="Seconds between a standby scheduler's tries to take over.")
@with_appcontext
def scheduler_command(once: bool, interval: int, standby_poll: float) -> None:
    """Run the scheduler: fire timed transitions (deadlines, expiries) as their dates pass.

    Start one on each host if you like: only the one holding the scheduler lock fires, the others
    stand by and take over when it stops.
    """
    import signal
    import threading

    from grants import logs
    from grants.workflow import scheduler as scheduler_module

    app = current_app._get_current_object()
    logs.configure(app.config["LOG_LEVEL"])
    if once:
        lock = scheduler_module.SchedulerLock(app)
        if not lock.acquire():
            click.echo("Another scheduler is running (it holds the scheduler lock): nothing fired.")
            return
        moves: list = []
        try:
            done = scheduler_module.run_jobs(moves=moves)
        finally:
            lock.release()
        click.echo(f"Fired {done['transitions']} due transition(s).")
        for move in moves:
            click.echo(f"  {move.workflow}.{move.transition}: {move.from_state.value} → {move.to_state.value}")
        click.echo(f"Sent {done['voting_reminders']} voting reminder(s).")
        click.echo(f"Sent {done['report_reminders']} report reminder(s).")
        return
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    click.echo(f"Scheduler started: due transitions are fired every {interval} s once it holds the "
               "scheduler lock. Ctrl+C to stop.")
    scheduler_module.run(app, interval_seconds=interval, standby_poll=standby_poll, stop=stop)
    click.echo("Scheduler stopped.")


@click.command("worker")
@click.option("--workers", default=2, show_default=True, help="Tasks run at once (threads).")
@with_appcontext
def worker_command(workers: int) -> None:
    """Run the background worker: Huey's consumer under this app's configuration."""
    from grants import queue

    from grants import logs

    app = current_app._get_current_object()
    logs.configure(app.config["LOG_LEVEL"])
    queue.bind_tasks(app)
    consumer = queue.huey_of(app).create_consumer(workers=workers, worker_type="thread", periodic=True, max_delay=2.0,
                                                  check_worker_health=True)
    click.echo(f"Worker running {workers} at once on {type(queue.huey_of(app)).__name__} (Ctrl+C to stop).")
    consumer.run()


@click.command("backup")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def backup_command(file: Path) -> None:
    """Back up the whole database to FILE (pg_dump's custom format on PostgreSQL, a SQLite file on SQLite)."""
    from grants import backup

    url = current_app.config["DATABASE_URL"]
    try:
        size = backup.backup(url, db.engine, file)
    except backup.BackupError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Backed up {backup.describe(url)} to {file} ({size:,} bytes).")


@click.command("restore")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace a database that already has accounts in it.")
@with_appcontext
def restore_command(file: Path, force: bool) -> None:
    """Replace the whole database with the backup in FILE (stop the web, worker and scheduler first)."""
    from grants import backup

    url = current_app.config["DATABASE_URL"]
    db.session.close()
    try:
        backup.restore(url, db.engine, file, force=force)
    except backup.BackupError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Restored {file} into {backup.describe(url)}.")


@click.command("reseal-secrets")
@with_appcontext
def reseal_secrets_command() -> None:
    """Seal every sealed secret again under the current SECRET_KEY (after rotating it, or upgrading)."""
    from grants.auth.twofactor import SECRET_PURPOSE, TwoFactor
    from grants.sealing import reseal

    with db.engine.begin() as connection:
        resealed, unreadable = reseal(connection, TwoFactor.__table__, "secret", SECRET_PURPOSE)
    click.echo(f"Two-factor secrets: {resealed} sealed again under the current key.")
    if unreadable:
        raise click.ClickException(
            f"{unreadable} two-factor secret(s) open with none of SECRET_KEY and SECRET_KEY_FALLBACKS: put the "
            "old key back in SECRET_KEY_FALLBACKS and run this again, or have a site admin reset those people's "
            "two-factor sign-in.")


def init_app(app: Flask) -> None:
    from grants.commissioning.cli import commissioning_cli
    from grants.documents.cli import documents_cli
    from grants.exports.cli import export_cli
    from workflows.cli import workflows as workflows_cli

    from grants.allocation.cli import pabulib as pabulib_cli
    from grants.rounds.cli import import_round

    pabulib_cli.add_command(import_round)  # the one pabulib command that needs the app and its database

    app.cli.add_command(workflows_cli)
    app.cli.add_command(pabulib_cli)
    app.cli.add_command(commissioning_cli)
    app.cli.add_command(documents_cli)
    app.cli.add_command(export_cli)
    app.cli.add_command(db_cli)
    app.cli.add_command(create_admin)
    app.cli.add_command(seed_demo)
    app.cli.add_command(scheduler_command)
    app.cli.add_command(worker_command)
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
    app.cli.add_command(reseal_secrets_command)
