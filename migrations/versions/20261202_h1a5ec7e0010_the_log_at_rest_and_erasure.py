"""the audit log at rest, and erasure: append-only triggers, no cascade into the log, erased_at

The database refuses UPDATE and DELETE (and TRUNCATE on PostgreSQL) on audit_event and
state_history, except the erasure update (sets erased_at anew, keeps the row's identity columns).
Their foreign keys to person and collective lose ON DELETE CASCADE / SET NULL, which would
otherwise delete or rewrite the log. person.erased_at marks an erased person; ballot.member_id
becomes nullable, so an erased member's ballot keeps counting without pointing at anyone.

The trigger SQL is a frozen copy of grants/append_only.py at this revision (a migration does not
import application code); tests/security/test_log_at_rest.py checks both give the same refusals.

Revision ID: h1a5ec7e0010
Revises: c1rc1e000009
Create Date: 2026-12-02 08:00:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = 'h1a5ec7e0010'
down_revision: Union[str, None] = 'c1rc1e000009'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

IDENTITY = {
    "audit_event": ("id", "at", "collective_id", "action", "object_type", "object_id"),
    "state_history": ("id", "at", "collective_id", "workflow", "object_type", "object_id",
                      "transition", "from_state", "to_state"),
}
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


def _triggers(table: str, dialect: str) -> tuple[list[str], list[str]]:
    identity = IDENTITY[table]
    if dialect == "postgresql":
        arguments = ", ".join(f"'{column}'" for column in identity)
        return ([PG_FUNCTION,
                 f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                 f"FOR EACH ROW EXECUTE FUNCTION commonpot_append_only({arguments})",
                 f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                 f"FOR EACH STATEMENT EXECUTE FUNCTION commonpot_append_only()"],
                [f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}",
                 f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}"])
    changed = " OR ".join(f"NEW.{column} IS NOT OLD.{column}" for column in identity)
    return ([f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} "
             f"BEGIN SELECT RAISE(ABORT, '{table} rows are append-only: DELETE refused'); END",
             f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} "
             f"WHEN NEW.erased_at IS NULL OR NEW.erased_at IS OLD.erased_at OR {changed} "
             f"BEGIN SELECT RAISE(ABORT, '{table} rows are append-only: UPDATE refused'); END"],
            [f"DROP TRIGGER IF EXISTS {table}_no_delete", f"DROP TRIGGER IF EXISTS {table}_no_update"])


def _foreign_keys(table: str, *, cascade: bool) -> None:
    with op.batch_alter_table(table, schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f(f'fk_{table}_actor_id_person'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f(f'fk_{table}_collective_id_collective'), type_='foreignkey')
        batch_op.create_foreign_key(batch_op.f(f'fk_{table}_actor_id_person'), 'person', ['actor_id'], ['id'],
                                    ondelete='SET NULL' if cascade else None)
        batch_op.create_foreign_key(batch_op.f(f'fk_{table}_collective_id_collective'), 'collective',
                                    ['collective_id'], ['id'], ondelete='CASCADE' if cascade else None)


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.add_column(sa.Column('erased_at', sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table('ballot', schema=None) as batch_op:
        batch_op.alter_column('member_id', existing_type=sa.Integer(), nullable=True)
    for table in IDENTITY:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('erased_at', sa.DateTime(timezone=True), nullable=True))
        _foreign_keys(table, cascade=False)
        # Last: on SQLite a batch alteration copies the table, and triggers do not come along.
        for sql in _triggers(table, dialect)[0]:
            op.execute(sql)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    for table in IDENTITY:
        for sql in _triggers(table, dialect)[1]:
            op.execute(sql)
        _foreign_keys(table, cascade=True)
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('erased_at')
    if dialect == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS commonpot_append_only()")
    # An erased member's ballot has no member, which the old schema cannot hold; it still counts,
    # so it is not thrown away to make room.
    if op.get_bind().execute(sa.text("SELECT count(*) FROM ballot WHERE member_id IS NULL")).scalar():
        raise RuntimeError("Cannot downgrade: ballots of erased members would have to be deleted")
    with op.batch_alter_table('ballot', schema=None) as batch_op:
        batch_op.alter_column('member_id', existing_type=sa.Integer(), nullable=False)
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.drop_column('erased_at')
