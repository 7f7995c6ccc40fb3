"""Alembic: an empty database upgrades to head, matches the models exactly, and downgrades again."""

from __future__ import annotations

import os
import uuid

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlmodel import SQLModel

import grants.models  # noqa: F401
from grants import migrate
from grants.db import make_engine


@pytest.fixture
def empty_database_url(tmp_path):
    url = os.environ.get("COMMONPOT_TEST_DATABASE_URL")
    if not url:
        yield f"sqlite:///{tmp_path / 'migrations.sqlite3'}"
        return
    name = f"commonpot_migrations_{uuid.uuid4().hex[:8]}"
    admin = make_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    yield str(sa.make_url(url).set(database=name).render_as_string(hide_password=False))
    with admin.connect() as connection:
        connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.dispose()


def test_upgrade_to_head_matches_the_models_and_downgrades(empty_database_url):
    migrate.upgrade(empty_database_url)
    engine = make_engine(empty_database_url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            differences = compare_metadata(context, SQLModel.metadata)
        assert differences == []
        with engine.connect() as connection:
            tables = set(sa.inspect(connection).get_table_names())
        assert set(SQLModel.metadata.tables) <= tables
    finally:
        engine.dispose()

    migrate.downgrade(empty_database_url, "base")
    engine = make_engine(empty_database_url)
    try:
        with engine.connect() as connection:
            assert set(sa.inspect(connection).get_table_names()) <= {"alembic_version"}
    finally:
        engine.dispose()


def test_cli_upgrade_creates_the_schema(tmp_path, monkeypatch):
    from grants import create_app

    url = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    app = create_app({"SECRET_KEY": "x", "DATABASE_URL": url, "INSTANCE_PATH": str(tmp_path)})
    result = app.test_cli_runner().invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    assert "upgraded" in result.output
    engine = make_engine(url)
    with engine.connect() as connection:
        assert "person" in sa.inspect(connection).get_table_names()
    engine.dispose()
