"""The audit log and the state history at rest: the database itself refuses to change or delete them.

Raw SQL, past the ORM's own guard, on the schema as the tests create it (``create_all``) and as the
migrations leave it; the one update allowed is erasure's (a new ``erased_at``, identity untouched).
"""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
import sqlalchemy as sa

from grants import audit, migrate
from grants.db import db, make_engine
from grants.collectives.operations import decide_join_request, request_to_join
from tests import factories
from tests.test_migrations import empty_database_url  # noqa: F401 - a fixture

HAPPENED = datetime(2026, 12, 1, 10, 0, tzinfo=timezone.utc)
ERASED = datetime(2027, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
ERASED_AGAIN = datetime(2027, 2, 3, 4, 5, 6, tzinfo=timezone.utc)


def _rows(app):
    """One audit row and one state-history row, committed."""
    with app.test_request_context("/", method="POST"):
        collective = factories.collective()
        facilitator = factories.member(collective, roles=("facilitator",))
        join = request_to_join(collective, factories.person(), {
            "name": "Stay and Play", "kind": "unregistered", "postcode": "B18 7QH", "contact_name": "Contact",
            "contact_email": "contact@example.org", "communities_served": [], "languages": ["en"]}, "Hello")
        decide_join_request(join, approve=False, reason="Not this year", actor=facilitator)
        audit.record(facilitator, "thing.done", collective, "Original")
        db.session.commit()


def _refused(connection, sql, **params):
    with pytest.raises(sa.exc.IntegrityError, match="append-only"):
        with connection.begin_nested():
            connection.execute(sa.text(sql), params)


def _allowed(connection, sql, **params):
    with connection.begin_nested():
        return connection.execute(sa.text(sql), params).rowcount


def _check_guard(engine, *, dialect):
    with engine.connect() as connection, connection.begin():
        for table in ("audit_event", "state_history"):
            assert connection.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar() > 0, table
            _refused(connection, f"DELETE FROM {table}")
            _refused(connection, f"UPDATE {table} SET actor_label = 'Rewritten history'")
            _refused(connection, f"UPDATE {table} SET actor_label = 'x', erased_at = NULL")
            _refused(connection, f"UPDATE {table} SET at = :at, erased_at = :at", at=ERASED)
            _refused(connection, f"UPDATE {table} SET object_type = 'person', erased_at = :at", at=ERASED)
            _refused(connection, f"UPDATE {table} SET collective_id = NULL, erased_at = :at", at=ERASED)
            # Erasure: pseudonymise, stamp the time, keep what happened.
            assert _allowed(connection, f"UPDATE {table} SET actor_label = 'a former member', erased_at = :at",
                            at=ERASED) > 0
            # Once stamped, only a new stamp lets the row change again.
            _refused(connection, f"UPDATE {table} SET actor_label = 'someone', erased_at = :at", at=ERASED)
            assert _allowed(connection, f"UPDATE {table} SET actor_label = 'a former member', erased_at = :at",
                            at=ERASED_AGAIN) > 0
            assert set(connection.execute(sa.text(f"SELECT actor_label FROM {table}")).scalars()) == {"a former member"}
        _refused(connection, "UPDATE audit_event SET action = 'other.thing', erased_at = :at", at=ERASED)
        _refused(connection, "UPDATE state_history SET to_state = 'approved', erased_at = :at", at=ERASED)
        if dialect == "postgresql":
            _refused(connection, "TRUNCATE audit_event")
            _refused(connection, "TRUNCATE state_history")
        # No cascade: the collective the log is about cannot be deleted from under it.
        with pytest.raises(sa.exc.IntegrityError):
            with connection.begin_nested():
                connection.execute(sa.text("DELETE FROM collective"))
        connection.rollback()


def test_the_database_refuses_to_change_the_log(app):
    _rows(app)
    engine = app.extensions["commonpot_db"]
    _check_guard(engine, dialect=engine.dialect.name)


def test_the_migrated_schema_refuses_the_same(app, empty_database_url):  # noqa: F811
    migrate.upgrade(empty_database_url)
    engine = make_engine(empty_database_url)
    try:
        with engine.begin() as connection:
            connection.execute(sa.text("INSERT INTO collective (slug, name, locality, created_at) "
                                       "VALUES ('c', 'C', 'B', :at)"), {"at": HAPPENED})
            collective_id = connection.execute(sa.text("SELECT id FROM collective")).scalar()
            for table, extra in (("audit_event", {"action": "thing.done", "summary": "Original"}),
                                 ("state_history", {"workflow": "round", "transition": "open", "from_state": "draft",
                                                    "to_state": "open", "payload": "{}"})):
                values = {"at": HAPPENED, "actor_label": "tester", "collective_id": collective_id,
                          "object_type": "collective", "object_id": collective_id, **extra}
                connection.execute(sa.text(f"INSERT INTO {table} ({', '.join(values)}) "
                                           f"VALUES ({', '.join(':' + k for k in values)})"), values)
        _check_guard(engine, dialect=engine.dialect.name)
    finally:
        engine.dispose()
