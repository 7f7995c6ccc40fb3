"""Tables the database itself keeps append-only: the audit log and the workflow state history.

The ORM already refuses to change or delete their rows (``grants.audit``), but that guards only
code that goes through the ORM. Here the database refuses too, whoever connects: a trigger on
PostgreSQL and on SQLite rejects every DELETE (and, on PostgreSQL, TRUNCATE) and every UPDATE but
one kind.

Glossary
- *erasure update*: the one UPDATE allowed. Erasing a person (UK GDPR) pseudonymises the rows that
  name them; such an UPDATE must set ``erased_at`` to a new, non-null time and leave the row's
  *identity columns* (when it happened, in which collective, what was done to which object)
  exactly as they were. Anything else is refused.
- The triggers are created with the table (``SQLModel.metadata.create_all``, as the tests do) and
  by the migration that introduced them; both use the statements below, so they cannot drift.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy import DDL, event

PG_FUNCTION = """
CREATE OR REPLACE FUNCTION commonpot_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  identity_column text;
BEGIN
  IF TG_OP = 'UPDATE' AND NEW.erased_at IS NOT NULL AND NEW.erased_at IS DISTINCT FROM OLD.erased_at THEN
    FOREACH identity_column IN ARRAY TG_ARGV LOOP
      IF to_jsonb(NEW) -> identity_column IS DISTINCT FROM to_jsonb(OLD) -> identity_column THEN
        RAISE EXCEPTION USING ERRCODE = 'restrict_violation',
          MESSAGE = TG_TABLE_NAME || ' rows are append-only: erasure may not change ' || identity_column;
      END IF;
    END LOOP;
    RETURN NEW;
  END IF;
  RAISE EXCEPTION USING ERRCODE = 'restrict_violation',
    MESSAGE = TG_TABLE_NAME || ' rows are append-only: ' || TG_OP || ' refused';
END
$$
"""
# (Messages are joined with || rather than RAISE's % placeholders: the statements run through
# SQLAlchemy's DDL and Alembic's op.execute, which both give % a meaning of their own.)


def statements(table: str, identity: tuple[str, ...], dialect: str) -> tuple[list[str], list[str]]:
    """The SQL that makes ``table`` append-only on ``dialect``, and the SQL that undoes it."""
    if dialect == "postgresql":
        arguments = ", ".join(f"'{column}'" for column in identity)
        create = [PG_FUNCTION,
                  f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                  f"FOR EACH ROW EXECUTE FUNCTION commonpot_append_only({arguments})",
                  f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                  f"FOR EACH STATEMENT EXECUTE FUNCTION commonpot_append_only()"]
        drop = [f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}",
                f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}"]
        return create, drop
    if dialect == "sqlite":
        changed = " OR ".join(f"NEW.{column} IS NOT OLD.{column}" for column in identity)
        create = [f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} "
                  f"BEGIN SELECT RAISE(ABORT, '{table} rows are append-only: DELETE refused'); END",
                  f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} "
                  f"WHEN NEW.erased_at IS NULL OR NEW.erased_at IS OLD.erased_at OR {changed} "
                  f"BEGIN SELECT RAISE(ABORT, '{table} rows are append-only: UPDATE refused'); END"]
        drop = [f"DROP TRIGGER IF EXISTS {table}_no_delete", f"DROP TRIGGER IF EXISTS {table}_no_update"]
        return create, drop
    raise ValueError(f"no append-only triggers for the {dialect} database")


APPEND_ONLY: dict[str, tuple[str, ...]] = {}


def protect(table: sa.Table, identity: tuple[str, ...]) -> None:
    """Create ``table``'s triggers whenever the table is created from the metadata."""
    APPEND_ONLY[table.name] = identity
    for dialect in ("postgresql", "sqlite"):
        for sql in statements(table.name, identity, dialect)[0]:
            event.listen(table, "after_create", DDL(sql).execute_if(dialect=dialect))
