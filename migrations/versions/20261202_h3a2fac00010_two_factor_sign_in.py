"""two-factor sign-in: authenticator secrets, recovery codes, and a collective's requirement

``two_factor`` holds one secret per person (being set up until ``confirmed_at``) and the last
time-step used, so a code works once. ``recovery_code`` holds only SHA-256 hashes of the single-use
codes. ``collective.requires_two_factor``: its facilitators and reviewers must use it (default off).
Both tables go with their person (ON DELETE CASCADE).

Revision ID: h3a2fac00010
Revises: h8c4a9e0000a
Create Date: 2026-12-02 07:48:26.429360

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = 'h3a2fac00010'
down_revision: Union[str, None] = 'h8c4a9e0000a'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        'recovery_code',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('person_id', sa.Integer(), nullable=False),
        sa.Column('code_hash', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_recovery_code_person_id_person'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_recovery_code')),
    )
    with op.batch_alter_table('recovery_code', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_recovery_code_person_id'), ['person_id'], unique=False)

    op.create_table(
        'two_factor',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('person_id', sa.Integer(), nullable=False),
        sa.Column('secret', sa.String(length=64), nullable=False),
        sa.Column('confirmed_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('last_used_step', sa.BigInteger(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_two_factor_person_id_person'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_two_factor')),
        sa.UniqueConstraint('person_id', name=op.f('uq_two_factor_person_id')),
    )
    with op.batch_alter_table('collective', schema=None) as batch_op:
        batch_op.add_column(sa.Column('requires_two_factor', sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('collective', schema=None) as batch_op:
        batch_op.drop_column('requires_two_factor')
    op.drop_table('two_factor')
    with op.batch_alter_table('recovery_code', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_recovery_code_person_id'))
    op.drop_table('recovery_code')
