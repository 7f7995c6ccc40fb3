"""joint proposals: partner organisations of a proposal

Revision ID: j1a0e1e00003
Revises: v2a0e1e00002
Create Date: 2026-12-06 22:57:00.615123

``proposal_partner`` (the ``proposal_partner`` workflow): another organisation of the collective a
proposal's lead invited, its answer and its share of the budget. Looked up by proposal through the
unique constraint's index (proposal first), by organisation through its own.
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel


# revision identifiers, used by Alembic.
revision: str = 'j1a0e1e00003'
down_revision: Union[str, None] = 'v2a0e1e00002'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('proposal_partner',
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('collective_id', sa.Integer(), nullable=False),
    sa.Column('proposal_id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('state', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('share', sa.BigInteger(), server_default='0', nullable=False),
    sa.Column('invited_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('share >= 0', name=op.f('ck_proposal_partner_share_not_negative')),
    sa.ForeignKeyConstraint(['collective_id'], ['collective.id'], name=op.f('fk_proposal_partner_collective_id_collective'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['invited_by_id'], ['person.id'], name=op.f('fk_proposal_partner_invited_by_id_person'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_proposal_partner_organisation_id_organisation'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['proposal_id'], ['proposal.id'], name=op.f('fk_proposal_partner_proposal_id_proposal'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_proposal_partner')),
    sa.UniqueConstraint('proposal_id', 'organisation_id', name=op.f('uq_proposal_partner_proposal_id_organisation_id'))
    )
    with op.batch_alter_table('proposal_partner', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_proposal_partner_collective_id'), ['collective_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_proposal_partner_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_proposal_partner_state'), ['state'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('proposal_partner', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_proposal_partner_state'))
        batch_op.drop_index(batch_op.f('ix_proposal_partner_organisation_id'))
        batch_op.drop_index(batch_op.f('ix_proposal_partner_collective_id'))

    op.drop_table('proposal_partner')
