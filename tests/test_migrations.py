"""Alembic: an empty database upgrades to head, matches the models exactly, and downgrades again."""

from __future__ import annotations

import json
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


def test_grants_keep_their_budget_spend_and_purpose_through_the_grant_lines_migration(empty_database_url, make_app):
    """v1a0e1e00001 gives each grant copies of its proposal's lines, summary and outcomes, and moves the
    spending its reports recorded onto the copies; its downgrade moves the spending back."""
    from sqlmodel import select

    from grants.awards import operations as award_ops
    from grants.awards.models import Grant, grant_lines
    from grants.db import db
    from grants.proposals.models import budget_lines
    from grants.reporting import operations as report_ops
    from grants.reporting.models import Report
    from tests.rounds_helpers import award_round, counted_round

    migrate.upgrade(empty_database_url)
    app = make_app(DATABASE_URL=empty_database_url)
    w = counted_round(app, amounts=(300_000,))
    with app.test_request_context("/", method="POST"):
        award_round(w)
        grant = db.session.exec(select(Grant)).one()
        award_ops.accept_grant(grant, w["applicants"][0], accepted_by_name="A", conditions_confirmed=True)
        report = db.session.exec(select(Report).where(Report.grant_id == grant.id)).one()
        line = grant_lines(grant)[0]
        report_ops.save_report(report, {"what_happened": "Walks", "spend": {str(line.id): 120_000}},
                               w["applicants"][0])
        db.session.commit()
        proposal_line = budget_lines(w["proposals"][0])[0].id
        grant_id, report_id = grant.id, report.id
    app.extensions["commonpot_db"].dispose()

    migrate.downgrade(empty_database_url, "f3edbac00001")
    engine = make_engine(empty_database_url)
    with engine.connect() as connection:
        spend = connection.execute(sa.text("SELECT spend FROM report WHERE id = :id"), {"id": report_id}).scalar()
        assert (spend if isinstance(spend, dict) else json.loads(spend)) == {str(proposal_line): 120_000}
    engine.dispose()

    migrate.upgrade(empty_database_url)
    app = make_app(DATABASE_URL=empty_database_url)
    with app.app_context():
        grant = db.session.get(Grant, grant_id)
        lines = grant_lines(grant)
        assert [(l.description, l.amount) for l in lines] == [("Venue and volunteers", 300_000)]
        assert db.session.get(Report, report_id).spend == {str(lines[0].id): 120_000}
        assert grant.purpose == "Project A: what we will do." and grant.outcome_ids == []
