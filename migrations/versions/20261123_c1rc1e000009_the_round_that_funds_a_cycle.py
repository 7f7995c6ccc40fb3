"""the round that funds a commissioning cycle's priorities: commissioning_cycle.round_id

Nullable: a cycle chooses its round before the priorities are commissioned. ON DELETE SET NULL:
a deleted round leaves the cycle without one (its history keeps what was chosen). Indexed, for
a round's page listing the priorities it answers.

Revision ID: c1rc1e000009
Revises: d0c5b0000008
Create Date: 2026-11-23 10:12:31.104412

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = 'c1rc1e000009'
down_revision: Union[str, None] = 'd0c5b0000008'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('commissioning_cycle', schema=None) as batch_op:
        batch_op.add_column(sa.Column('round_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_commissioning_cycle_round_id'), ['round_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_commissioning_cycle_round_id_round'), 'round', ['round_id'], ['id'],
                                    ondelete='SET NULL')


def downgrade() -> None:
    with op.batch_alter_table('commissioning_cycle', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_commissioning_cycle_round_id_round'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_commissioning_cycle_round_id'))
        batch_op.drop_column('round_id')
