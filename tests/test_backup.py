"""Backup and restore: a round trip gives back every row of every table, on SQLite and PostgreSQL."""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import select

from grants.auth.models import Person
from grants.db import db
from tests import factories


def snapshot(engine) -> dict[str, list[tuple]]:
    """Every row of every table (whatever created it), in primary-key order."""
    inspector = sa.inspect(engine)
    rows = {}
    with engine.connect() as connection:
        for name in sorted(inspector.get_table_names()):
            table = sa.Table(name, sa.MetaData(), autoload_with=connection)
            order = list(table.primary_key.columns) or list(table.columns)
            rows[name] = [tuple(row) for row in connection.execute(sa.select(table).order_by(*order))]
    return rows


def _seed(app):
    from grants.demo import seed

    with app.test_request_context("/"):
        seed()
        db.session.commit()


def test_a_round_trip_gives_back_every_row(app, runner, tmp_path):
    _seed(app)
    with app.app_context():
        before = snapshot(db.engine)
    assert len(before["person"]) > 10 and before["ballot"] and before["audit_event"]
    target = tmp_path / "commonpot.backup"
    result = runner.invoke(args=["backup", str(target)])
    assert result.exit_code == 0, result.output
    assert f"to {target}" in result.output and target.stat().st_size > 0
    assert not list(tmp_path.glob("*.partial"))

    with app.app_context():                           # life goes on after the backup...
        factories.person("Late Arrival", "late@example.org")
        db.session.get(Person, before["person"][0][0]).name = "Renamed Since"
        db.session.commit()
        assert snapshot(db.engine) != before
    refused = runner.invoke(args=["restore", str(target)])     # ...so a plain restore refuses
    assert refused.exit_code == 1
    assert f"has {len(before['person']) + 1} account(s)" in refused.output and "--force" in refused.output
    with app.app_context():
        assert db.session.exec(select(Person).where(Person.email == "late@example.org")).one()

    result = runner.invoke(args=["restore", str(target), "--force"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert snapshot(db.engine) == before


def test_a_restore_into_an_empty_database_needs_no_force(app, runner, tmp_path):
    from sqlmodel import SQLModel

    _seed(app)
    with app.app_context():
        before = snapshot(db.engine)
        target = tmp_path / "backup.bin"
        assert runner.invoke(args=["backup", str(target)]).exit_code == 0
        SQLModel.metadata.drop_all(db.engine)          # a new, empty database
        db.engine.dispose()
    result = runner.invoke(args=["restore", str(target)])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert snapshot(db.engine) == before


def test_restore_refuses_a_file_that_is_not_a_backup(app, runner, tmp_path):
    junk = tmp_path / "junk.backup"
    junk.write_bytes(b"this is not a database" * 100)
    result = runner.invoke(args=["restore", str(junk)])
    assert result.exit_code == 1
    assert "is not a" in result.output and "backup" in result.output
    assert runner.invoke(args=["restore", str(tmp_path / "missing")]).exit_code == 1


def test_backup_checks_the_postgresql_client_matches_the_server(app, monkeypatch, tmp_path):
    from grants import backup

    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            return
        monkeypatch.setattr(backup, "_tool_major", lambda tool: 9)
        try:
            backup.backup(app.config["DATABASE_URL"], db.engine, tmp_path / "x")
        except backup.BackupError as error:
            assert "pg_dump is version 9 but the server runs PostgreSQL" in str(error)
        else:
            raise AssertionError("an old pg_dump was not refused")
        assert not (tmp_path / "x").exists()
