"""imported elections: proposals and ballots read from a pabulib file are marked as such

Revision ID: i7e1ec7100001
Revises: i5d0c1a9e001
Create Date: 2026-12-03 12:00:00

A facilitator (or an operator) imports a real election from a pabulib ``.pb`` file into a draft
round (``grants.rounds.imports``). Its projects become proposals and its voters ballots:
``proposal.is_imported`` and ``ballot.is_imported`` say so. An imported ballot has no member
(``member_id`` was already nullable, for erased members); the flag tells the two apart, so no
made-up people are created and no ballot points at anyone. Everything made before was not imported.
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = 'i7e1ec7100001'
down_revision: Union[str, None] = 'i5d0c1a9e001'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('proposal', schema=None) as batch_op:
        batch_op.add_column(sa.Column('is_imported', sa.Boolean(), server_default=sa.false(), nullable=False))
    with op.batch_alter_table('ballot', schema=None) as batch_op:
        batch_op.add_column(sa.Column('is_imported', sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('ballot', schema=None) as batch_op:
        batch_op.drop_column('is_imported')
    with op.batch_alter_table('proposal', schema=None) as batch_op:
        batch_op.drop_column('is_imported')
