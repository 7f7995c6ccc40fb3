"""Shared fixtures: an app on a real database, a client, a CLI runner and a real SMTP server.

The database is SQLite (a file per test session) unless ``COMMONPOT_TEST_DATABASE_URL`` names a
PostgreSQL database, which ``make test`` does for its second pass. The schema is created once per
session; every test starts with empty tables. Mail goes to a local aiosmtpd server, and tests read
what it received.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from jinja2 import BytecodeCache
from jinja2.bccache import Bucket
from sqlmodel import SQLModel
from werkzeug.routing import Rule

import grants.models  # noqa: F401 - registers every table
from grants import append_only, create_app
from grants.append_only import APPEND_ONLY
from grants.db import make_engine

from tests import factories
from tests.mailserver import MailServer

SHARED = Path(os.environ.get("COMMONPOT_SHARED", Path(__file__).resolve().parents[2] / "shared"))


class _CompiledTemplates(BytecodeCache):
    """Every app a test makes compiles each template once per test process, not once per app.

    A test makes a fresh app, and a fresh app's Jinja environment compiled every template it rendered
    again: parsing and compiling pages was a large share of a typical test's CPU. This keeps the
    compiled code (a code object, immutable) for the rest of the process, as a long-running server
    does. It is used only when the template's source is the same (Jinja's checksum of it) and the
    environment would compile it the same way (its extensions, syntax, whitespace and escaping
    options, the names of its filters and tests), so a changed template or a differently configured
    environment compiles afresh.
    """

    def __init__(self) -> None:
        self._code: dict[str, tuple[str, object]] = {}

    def get_bucket(self, environment, name, filename, source):
        compiles_as = (tuple(sorted(environment.extensions)), environment.block_start_string,
                       environment.block_end_string, environment.variable_start_string,
                       environment.variable_end_string, environment.comment_start_string,
                       environment.comment_end_string, environment.line_statement_prefix,
                       environment.line_comment_prefix, environment.trim_blocks, environment.lstrip_blocks,
                       environment.newline_sequence, environment.keep_trailing_newline, environment.optimized,
                       environment.is_async, environment.finalize, environment.code_generator_class,
                       # the code escapes output, or not, as the template's name decides when compiled
                       environment.autoescape(name) if callable(environment.autoescape) else environment.autoescape,
                       # filters and tests are looked up (and checked to exist) when compiling
                       tuple(sorted(environment.filters)), tuple(sorted(environment.tests)))
        bucket = Bucket(environment, self.get_cache_key(f"{compiles_as!r}:{name}", filename),
                        self.get_source_checksum(source))
        self.load_bytecode(bucket)
        return bucket

    def load_bytecode(self, bucket: Bucket) -> None:
        checksum, code = self._code.get(bucket.key, (None, None))
        if checksum == bucket.checksum:
            bucket.code = code

    def dump_bytecode(self, bucket: Bucket) -> None:
        self._code[bucket.key] = (bucket.checksum, bucket.code)


# Flask reads jinja_options when an app first makes its Jinja environment: every app made in the
# tests (create_app here, in fixtures and in tests) shares the compiled templates.
Flask.jinja_options = {**Flask.jinja_options, "bytecode_cache": _CompiledTemplates()}


def _compiled_url_builders(compile_builder):
    """Every app a test makes compiles each route's URL builders once per test process, not once per app.

    Werkzeug writes two Python functions for every route when an app registers it (one builds the
    route's URL, the other also appends unknown arguments as a query string), generating and
    compiling their source each time: about 115 ms of CPU per ``create_app``, nine tenths of it, and
    every test makes at least one app. A builder is a plain function of the rule (it reads the
    rule's converters from the rule it is bound to when called), decided by the rule's parsed parts
    alone when the rule has no defaults; those are kept for the process and bound to each new rule.
    A rule with defaults (constants folded in by its converters) is compiled afresh every time.
    """
    built: dict[tuple, object] = {}

    def cached(rule, append_unknown=True):
        if rule.defaults:
            return compile_builder(rule, append_unknown)
        key = (rule.rule, tuple(rule._trace), append_unknown)
        if key not in built:
            built[key] = compile_builder(rule, append_unknown)
        return built[key]

    return cached


Rule._compile_builder = _compiled_url_builders(Rule._compile_builder)


def pytest_collection_modifyitems(items):
    """Tests marked ``long_pole`` run first, the rest in their order.

    pytest-xdist's work stealing gives each worker half of the tests in collection order, and a
    worker that runs out takes the last tests queued for the other: a long test queued near the end
    ran while the other worker had nothing left (in a measured SQLite pass the fuzz's longest part,
    74 s of CPU, started 15 tests from the end). Started first, the long tests overlap the short ones.
    """
    items.sort(key=lambda item: item.get_closest_marker("long_pole") is None)


def pytest_report_header(config):
    return f"commonpot database: {'postgresql' if os.environ.get('COMMONPOT_TEST_DATABASE_URL') else 'sqlite'}"


@pytest.fixture(scope="session")
def database_url(tmp_path_factory, request) -> str:
    """The session's database: a SQLite file, or the PostgreSQL database ``make test`` made.

    Under pytest-xdist every worker gets a database of its own (a file in its own temporary
    folder; on PostgreSQL ``<database>_<worker>``, created here and dropped at the end), since
    each test empties every table when it ends.
    """
    url = os.environ.get("COMMONPOT_TEST_DATABASE_URL")
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not url:
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"
    elif worker:
        url = _worker_database(url, worker, request)
    engine = make_engine(url)
    SQLModel.metadata.drop_all(engine)
    SQLModel.metadata.create_all(engine)
    engine.dispose()
    return url


def _worker_database(url: str, worker: str, request) -> str:
    name = f"{sa.make_url(url).database}_{worker}"
    admin = make_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
        # A throwaway database need not wait for its WAL to reach the disk at every commit
        # (5 ms a commit on this machine's disk, 0.1 ms without): visibility, locking and
        # isolation are unchanged; only a crash of the server could lose the last commits.
        connection.exec_driver_sql(f'ALTER DATABASE "{name}" SET synchronous_commit TO off')

    def drop() -> None:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()

    request.addfinalizer(drop)
    return sa.make_url(url).set(database=name).render_as_string(hide_password=False)


# Children first. The names are the metadata's own (quoted), so the query below is plain SQL that
# SQLite and PostgreSQL both read; written once, since building and compiling it as a SQLAlchemy
# union of 55 selects took half of the CPU of emptying the tables after every test.
_TABLES_CHILDREN_FIRST = list(reversed(SQLModel.metadata.sorted_tables))
_FILLED_TABLES_SQL = " UNION ALL ".join(
    f"SELECT '{table.name}' WHERE EXISTS (SELECT 1 FROM \"{table.name}\")" for table in _TABLES_CHILDREN_FIRST)


def _empty_tables(engine) -> None:
    # DELETE (children first), not TRUNCATE: on tables this small it is far cheaper on PostgreSQL,
    # and no test depends on ids starting again at 1. A test writes to a few of the tables: one
    # query finds which have rows, and only those are emptied (on PostgreSQL, a DELETE of every
    # table and the append-only guards dropped and made again cost about a quarter of a second
    # of every test).
    tables = _TABLES_CHILDREN_FIRST
    with engine.begin() as connection:
        if _may_skip_triggers(connection):
            # A PostgreSQL superuser (make test's) empties the tables with their triggers asleep for
            # this transaction: no append-only guard to lift and put back, no foreign-key checks
            # (every table is emptied): 22 ms after a typical test, not 43.
            connection.exec_driver_sql("SET LOCAL session_replication_role = replica")
            filled = list(connection.exec_driver_sql(_FILLED_TABLES_SQL).scalars())
            if filled:
                connection.exec_driver_sql("; ".join(f'DELETE FROM "{name}"' for name in filled))
            return
        filled = set(connection.exec_driver_sql(_FILLED_TABLES_SQL).scalars())
        for table in tables:
            if table.name not in filled:
                continue
            if table.name in APPEND_ONLY:  # the database refuses to empty these: lift the guard for a moment
                create, drop = append_only.statements(table.name, APPEND_ONLY[table.name], engine.dialect.name)
                for sql in drop:
                    connection.exec_driver_sql(sql)
                connection.execute(table.delete())
                for sql in create:
                    connection.exec_driver_sql(sql)
            else:
                connection.execute(table.delete())


def _may_skip_triggers(connection) -> bool:
    return connection.dialect.name == "postgresql" and \
        connection.exec_driver_sql("SELECT current_setting('is_superuser')").scalar() == "on"


@pytest.fixture(scope="session")
def mail_server():
    server = MailServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def outbox(mail_server):
    mail_server.messages.clear()
    return mail_server.messages


@pytest.fixture(scope="session")
def emptying_engine(database_url):
    """The connection that empties the tables after each test, kept for the session (a new engine
    per test connected and set itself up again every time)."""
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def app_config(database_url, emptying_engine, mail_server, tmp_path):
    """Configuration for a test app; every table is emptied after the test, whichever app used it."""
    yield {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key",
        "DATABASE_URL": database_url,
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "WTF_CSRF_ENABLED": False,
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": mail_server.port,
        "SERVER_NAME": None,
        "HUEY_IMMEDIATE": True,
        # Site admins in other tests sign in with a password alone; tests/security/test_two_factor*
        # turn the requirement back on.
        "TWO_FACTOR_REQUIRED_FOR_ADMINS": False,
        # A cheap scrypt for every password the tests hash (tests/factories.py says why).
        "PASSWORD_HASH_METHOD": factories.PASSWORD_METHOD,
    }
    _empty_tables(emptying_engine)
    # no connection of this engine stays open between tests (a test may count or lock connections)
    emptying_engine.dispose()


@pytest.fixture
def app(app_config, outbox):
    app = create_app(app_config)
    yield app
    app.extensions["commonpot_db"].dispose()


@pytest.fixture
def make_app(app_config):
    """Apps of their own configuration on the test's database, their connections closed after the test."""
    made = []

    def make(**overrides):
        made.append(create_app({**app_config, **overrides}))
        return made[-1]

    yield make
    for other in made:
        other.extensions["commonpot_db"].dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def ctx(app):
    """An app context with a request, so operations can build URLs and queue mail."""
    with app.test_request_context("/"):
        yield
