""""you said, we did" claims only what was checked: we_did_entry.checked_by_id/checked_at,
priority_grant (grants a facilitator confirmed answer a priority), evidence_import.sample

A "we did" entry is published once a reviewer other than its writer has checked it; entries
written before this revision wait for that check. Grants answer a priority only once a
facilitator confirms them (matching themes only proposes them), so no grant counts until then.
``evidence_import.sample`` marks the demo seed's made-up figures (False for every real import).

Revision ID: i7c0a11ed010
Revises: i2b5a1e00010
Create Date: 2026-12-02 14:00:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = 'i7c0a11ed010'
down_revision: Union[str, None] = 'i2b5a1e00010'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('evidence_import', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sample', sa.Boolean(), server_default=sa.false(), nullable=False))
    with op.batch_alter_table('we_did_entry', schema=None) as batch_op:
        batch_op.add_column(sa.Column('checked_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('checked_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_we_did_entry_checked_by_id_person'), 'person',
                                    ['checked_by_id'], ['id'], ondelete='SET NULL')
    op.create_table('priority_grant',
    sa.Column('priority_id', sa.Integer(), nullable=False),
    sa.Column('grant_id', sa.Integer(), nullable=False),
    sa.Column('collective_id', sa.Integer(), nullable=False),
    sa.Column('confirmed_by_id', sa.Integer(), nullable=True),
    sa.Column('confirmed_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['collective_id'], ['collective.id'], name=op.f('fk_priority_grant_collective_id_collective'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['confirmed_by_id'], ['person.id'], name=op.f('fk_priority_grant_confirmed_by_id_person'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['grant_id'], ['grant.id'], name=op.f('fk_priority_grant_grant_id_grant'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['priority_id'], ['priority.id'], name=op.f('fk_priority_grant_priority_id_priority'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('priority_id', 'grant_id', name=op.f('pk_priority_grant'))
    )
    with op.batch_alter_table('priority_grant', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_priority_grant_collective_id'), ['collective_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('priority_grant', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_priority_grant_collective_id'))
    op.drop_table('priority_grant')
    with op.batch_alter_table('we_did_entry', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_we_did_entry_checked_by_id_person'), type_='foreignkey')
        batch_op.drop_column('checked_at')
        batch_op.drop_column('checked_by_id')
    with op.batch_alter_table('evidence_import', schema=None) as batch_op:
        batch_op.drop_column('sample')
