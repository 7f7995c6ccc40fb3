"""Alembic environment: SQLModel's metadata, batch mode on SQLite, the app's database URL."""

from __future__ import annotations

import logging
from logging.config import fileConfig

from alembic import context
from sqlmodel import SQLModel

import grants.models  # noqa: F401 - registers every table on SQLModel.metadata
from grants.db import UTCDateTime, make_engine
from grants.sealing import SealedString

config = context.config
if config.config_file_name is not None and not logging.getLogger().handlers:
    fileConfig(config.config_file_name, disable_existing_loggers=False)
target_metadata = SQLModel.metadata


def _database_url() -> str:
    url = config.get_main_option("sqlalchemy.url")
    if url:
        return url
    from grants import configured_database_url

    return configured_database_url()


def include_object(obj, name, type_, reflected, compare_to):
    # APScheduler owns its job-store table; it is not part of our schema.
    return not (type_ == "table" and name == "apscheduler_jobs")


def render_item(type_, obj, autogen_context):
    # Migrations must not depend on application code: render our UTC type as its base type.
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    if type_ == "type" and isinstance(obj, SealedString):
        return f"sa.String(length={obj.impl.length})"
    return False


def run_migrations_offline() -> None:
    context.configure(url=_database_url(), target_metadata=target_metadata, literal_binds=True,
                      render_as_batch=True, render_item=render_item, include_object=include_object)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    engine = make_engine(_database_url())
    try:
        with engine.connect() as connection:
            sqlite = connection.dialect.name == "sqlite"
            if sqlite:
                # Batch mode rebuilds a table and drops the old one; with foreign keys on, SQLite's
                # DROP TABLE first deletes every row, cascading into the tables that refer to it (a
                # grant's payments and reports). So they are off while migrating (a PRAGMA only takes
                # effect outside a transaction) and every reference is checked before the commit.
                connection.connection.driver_connection.execute("PRAGMA foreign_keys = OFF")
            context.configure(connection=connection, target_metadata=target_metadata,
                              render_as_batch=sqlite, render_item=render_item,
                              include_object=include_object, compare_type=True)
            with context.begin_transaction():
                context.run_migrations()
                if sqlite:
                    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
                    if broken:
                        raise RuntimeError(f"the migration left rows referring to nothing: {broken[:10]}")
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
