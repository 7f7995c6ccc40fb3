"""workflow state and history: join requests and invitations follow workflows

Revision ID: 95a5947d802b
Revises: 979ba8a088b2
Create Date: 2026-11-22 19:37:17.324065

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel


# revision identifiers, used by Alembic.
revision: str = '95a5947d802b'
down_revision: Union[str, None] = '979ba8a088b2'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('state_history',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('collective_id', sa.Integer(), nullable=True),
    sa.Column('workflow', sa.String(length=40), nullable=False),
    sa.Column('object_type', sa.String(length=40), nullable=False),
    sa.Column('object_id', sa.Integer(), nullable=False),
    sa.Column('transition', sa.String(length=60), nullable=False),
    sa.Column('from_state', sa.String(length=40), nullable=False),
    sa.Column('to_state', sa.String(length=40), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('actor_label', sa.String(length=120), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('reason', sa.Text(), server_default='', nullable=False),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['person.id'], name=op.f('fk_state_history_actor_id_person'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['collective_id'], ['collective.id'], name=op.f('fk_state_history_collective_id_collective'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_state_history'))
    )
    with op.batch_alter_table('state_history', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_state_history_collective_id'), ['collective_id'], unique=False)
        batch_op.create_index('ix_state_history_object', ['object_type', 'object_id', 'id'], unique=False)

    # Existing rows start at version 1; invitations already used are "accepted", the rest "sent"
    # (the scheduler expires those past their date on its first run).
    with op.batch_alter_table('invitation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('version', sa.Integer(), nullable=False, server_default='1'))
        batch_op.add_column(sa.Column('state', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False,
                                      server_default='sent'))
        batch_op.create_index(batch_op.f('ix_invitation_state'), ['state'], unique=False)
    op.execute("UPDATE invitation SET state = 'accepted' WHERE accepted_at IS NOT NULL")

    # The states of a join request are now the workflow's (which adds "withdrawn").
    with op.batch_alter_table('join_request', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_join_request_state_known'), type_='check')
        batch_op.add_column(sa.Column('version', sa.Integer(), nullable=False, server_default='1'))
        batch_op.alter_column('state',
               existing_type=sa.VARCHAR(length=20),
               type_=sqlmodel.sql.sqltypes.AutoString(length=40),
               existing_nullable=False,
               existing_server_default=sa.text("'pending'"))
        batch_op.create_index(batch_op.f('ix_join_request_state'), ['state'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('join_request', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_join_request_state'))
        batch_op.alter_column('state',
               existing_type=sqlmodel.sql.sqltypes.AutoString(length=40),
               type_=sa.VARCHAR(length=20),
               existing_nullable=False,
               existing_server_default=sa.text("'pending'"))
        batch_op.drop_column('version')
        batch_op.create_check_constraint('state_known', "state IN ('pending', 'approved', 'declined')")

    with op.batch_alter_table('invitation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_invitation_state'))
        batch_op.drop_column('state')
        batch_op.drop_column('version')

    with op.batch_alter_table('state_history', schema=None) as batch_op:
        batch_op.drop_index('ix_state_history_object')
        batch_op.drop_index(batch_op.f('ix_state_history_collective_id'))

    op.drop_table('state_history')
