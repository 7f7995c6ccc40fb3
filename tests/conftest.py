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
from sqlmodel import SQLModel

import grants.models  # noqa: F401 - registers every table
from grants import append_only, create_app
from grants.append_only import APPEND_ONLY
from grants.db import make_engine

from tests import factories
from tests.mailserver import MailServer

SHARED = Path(os.environ.get("COMMONPOT_SHARED", Path(__file__).resolve().parents[2] / "shared"))


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
    import sqlalchemy as sa

    name = f"{sa.make_url(url).database}_{worker}"
    admin = make_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')

    def drop() -> None:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()

    request.addfinalizer(drop)
    return sa.make_url(url).set(database=name).render_as_string(hide_password=False)


def _empty_tables(engine) -> None:
    tables = list(reversed(SQLModel.metadata.sorted_tables))
    # DELETE (children first), not TRUNCATE: on tables this small it is far cheaper on PostgreSQL,
    # and no test depends on ids starting again at 1.
    with engine.begin() as connection:
        for table in tables:
            if table.name in APPEND_ONLY:  # the database refuses to empty these: lift the guard for a moment
                create, drop = append_only.statements(table.name, APPEND_ONLY[table.name], engine.dialect.name)
                for sql in drop:
                    connection.exec_driver_sql(sql)
                connection.execute(table.delete())
                for sql in create:
                    connection.exec_driver_sql(sql)
            else:
                connection.execute(table.delete())


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


@pytest.fixture
def app_config(database_url, mail_server, tmp_path):
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
    engine = make_engine(database_url)
    _empty_tables(engine)
    engine.dispose()


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
