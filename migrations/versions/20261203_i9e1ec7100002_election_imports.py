"""election imports: a pabulib file uploaded for the worker to import into a draft round

Revision ID: i9e1ec7100002
Revises: i7e1ec7100001
Create Date: 2026-12-03 14:25:47

A real city's election file (3-4 MB) is larger than a request may send and takes seconds to save:
the import page keeps it in ``election_import`` (the file in ``content``, dropped once imported or
refused) and the worker imports it (``grants.rounds.uploads``), recording how it went on the row:
its state, milestones, and a refusal with the file's line. Who uploaded it is ``uploaded_by_id``
only (no copy of their name), so erasing a person leaves nothing here to pseudonymise.
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel


# revision identifiers, used by Alembic.
revision: str = 'i9e1ec7100002'
down_revision: Union[str, None] = 'i7e1ec7100001'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('election_import',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('collective_id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=200), server_default='', nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=True),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('language', sa.String(length=10), server_default='en', nullable=False),
    sa.Column('state', sa.String(length=20), server_default='queued', nullable=False),
    sa.Column('progress', sa.Integer(), server_default='0', nullable=False),
    sa.Column('stage', sa.String(length=200), server_default='', nullable=False),
    sa.Column('claim', sa.String(length=32), nullable=True),
    sa.Column('attempts', sa.Integer(), server_default='0', nullable=False),
    sa.Column('error', sa.Text(), server_default='', nullable=False),
    sa.Column('error_line', sa.Integer(), nullable=True),
    sa.Column('proposals', sa.Integer(), server_default='0', nullable=False),
    sa.Column('ballots', sa.Integer(), server_default='0', nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("state IN ('queued', 'running', 'done', 'failed')", name=op.f('ck_election_import_state_known')),
    sa.CheckConstraint('progress >= 0 AND progress <= 100', name=op.f('ck_election_import_progress_in_range')),
    sa.ForeignKeyConstraint(['collective_id'], ['collective.id'], name=op.f('fk_election_import_collective_id_collective'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['round_id'], ['round.id'], name=op.f('fk_election_import_round_id_round'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['person.id'], name=op.f('fk_election_import_uploaded_by_id_person'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_election_import'))
    )
    with op.batch_alter_table('election_import', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_election_import_collective_id'), ['collective_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_election_import_round_id'), ['round_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('election_import', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_election_import_round_id'))
        batch_op.drop_index(batch_op.f('ix_election_import_collective_id'))

    op.drop_table('election_import')
