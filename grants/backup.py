"""Backing up and restoring the whole database: ``flask --app grants backup FILE`` / ``restore FILE``.

Every file Commonpot keeps (documents, report photos, the mail outbox) is a row, so the database
is everything; the queue's own storage (Redis, or ``instance/huey.sqlite3``) holds only work that
the rows say is still to do, and is not backed up.

- PostgreSQL: ``pg_dump --format=custom`` and ``pg_restore --clean --single-transaction``, with
  the client tools of the server's major version or newer (checked first: an older ``pg_dump``
  cannot read a newer server). The connection settings go to the tools as ``PG*`` environment
  variables, so a password never appears on a command line.
- SQLite: the online backup API, page by page under SQLite's own locks, so the web server may keep
  running while a backup is taken.

A backup is written beside its destination and renamed into place when complete: a failed run
never leaves a half-written file where a good backup is expected. A restore replaces the whole
database; it refuses one that has people in it unless forced. Stop the web servers, workers and
schedulers before restoring (a PostgreSQL restore waits for their transactions; a half-restored
SQLite file is never seen, but pages open in the browser would be of the old data).
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess  # nosec B404 - runs pg_dump/pg_restore, with argument lists, never a shell
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine, make_url


class BackupError(Exception):
    """A backup or restore that cannot (or must not) go ahead; the message says what to do."""


def describe(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


def people_in(engine: Engine) -> int:
    """How many accounts the database holds (0 when it has no schema yet)."""
    if not sa.inspect(engine).has_table("person"):
        return 0
    with engine.connect() as connection:
        return connection.execute(sa.text("SELECT count(*) FROM person")).scalar_one()


def backup(url: str, engine: Engine, target: Path) -> int:
    """Write the whole database to ``target``; returns its size in bytes."""
    target = target.resolve()
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    try:
        if _is_postgres(url):
            _pg_check_versions(engine, "pg_dump")
            _run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--file={partial}"], url)
        else:
            _sqlite_copy(_sqlite_path(url, must_exist=True), partial)
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)
    return target.stat().st_size


def restore(url: str, engine: Engine, source: Path, *, force: bool = False) -> None:
    """Replace the database with the backup in ``source``."""
    source = source.resolve()
    if not source.is_file():
        raise BackupError(f"There is no backup file at {source}.")
    if _is_postgres(url):
        _pg_check_versions(engine, "pg_restore")
        listing = subprocess.run(["pg_restore", "--list", str(source)], capture_output=True, text=True,  # nosec B603 B607
                                 check=False, env=_pg_env(url))
        if listing.returncode != 0:
            raise BackupError(f"{source} is not a PostgreSQL backup made by `backup` (pg_restore says: "
                              f"{listing.stderr.strip()[:300]}).")
    else:
        _check_sqlite_backup(source)
    people = people_in(engine)
    if people and not force:
        raise BackupError(f"The database {describe(url)} has {people} account(s): restoring would replace "
                          "everything in it. Run restore again with --force if that is what you mean.")
    engine.dispose()   # our own pooled connections must not hold anything the restore replaces
    if _is_postgres(url):
        _run(["pg_restore", "--clean", "--if-exists", "--no-owner", "--no-privileges", "--single-transaction",
              "--exit-on-error", f"--dbname={_pg_env(url)['PGDATABASE']}", str(source)], url)
    else:
        _sqlite_copy(source, _sqlite_path(url, must_exist=False))


def _is_postgres(url: str) -> bool:
    return make_url(url).get_backend_name() == "postgresql"


# -- PostgreSQL -------------------------------------------------------------------------------

def _pg_env(url: str) -> dict[str, str]:
    parsed = make_url(url)
    env = dict(os.environ)
    for variable, value in (("PGHOST", parsed.host), ("PGPORT", parsed.port), ("PGUSER", parsed.username),
                            ("PGPASSWORD", parsed.password), ("PGDATABASE", parsed.database)):
        if value is not None:
            env[variable] = str(value)
    for option, variable in (("sslmode", "PGSSLMODE"), ("sslrootcert", "PGSSLROOTCERT"), ("host", "PGHOST")):
        if option in parsed.query:
            value = parsed.query[option]
            env[variable] = value if isinstance(value, str) else value[0]
    return env


def _tool_major(tool: str) -> int:
    if shutil.which(tool) is None:
        raise BackupError(f"{tool} is not installed. Install PostgreSQL's client tools of the server's version "
                          "(Debian: apt-get install postgresql-client).")
    answer = subprocess.run([tool, "--version"], capture_output=True, text=True, check=True)  # nosec B603 B607
    found = re.search(r"\)\s+(\d+)", answer.stdout)
    if not found:
        raise BackupError(f"Could not read {tool}'s version from {answer.stdout.strip()!r}.")
    return int(found.group(1))


def _pg_check_versions(engine: Engine, tool: str) -> None:
    client = _tool_major(tool)
    with engine.connect() as connection:
        server = int(connection.execute(sa.text("SHOW server_version_num")).scalar_one()) // 10000
    if client < server:
        raise BackupError(f"{tool} is version {client} but the server runs PostgreSQL {server}: install the "
                          f"client tools of version {server} or newer (Debian: postgresql-client-{server}).")


def _run(command: list[str], url: str) -> None:
    done = subprocess.run(command, capture_output=True, text=True, check=False, env=_pg_env(url))  # nosec B603 B607
    if done.returncode != 0:
        raise BackupError(f"{command[0]} failed: {done.stderr.strip()[-1000:]}")


# -- SQLite -----------------------------------------------------------------------------------

def _sqlite_path(url: str, *, must_exist: bool) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise BackupError("An in-memory SQLite database cannot be backed up or restored: set DATABASE_URL to a file.")
    path = Path(database)
    if must_exist and not path.is_file():
        raise BackupError(f"There is no database at {path}: nothing to back up.")
    return path


def _sqlite_copy(source: Path, target: Path) -> None:
    """Copy one SQLite database over another with the online backup API (consistent, under locks)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(source) as reading, sqlite3.connect(target, timeout=30) as writing:
        reading.backup(writing)
    reading.close()
    writing.close()


def _check_sqlite_backup(source: Path) -> None:
    try:
        with sqlite3.connect(f"file:{source}?mode=ro", uri=True) as connection:
            ok = connection.execute("PRAGMA quick_check").fetchone()[0]
            tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        connection.close()
    except sqlite3.DatabaseError as error:
        raise BackupError(f"{source} is not a SQLite backup made by `backup` ({error}).") from error
    if ok != "ok" or "person" not in tables:
        raise BackupError(f"{source} is not a Commonpot backup (damaged, or not this application's database).")
