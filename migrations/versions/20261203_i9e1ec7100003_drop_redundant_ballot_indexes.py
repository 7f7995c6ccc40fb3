"""drop two indexes that duplicate the leading column of a unique constraint

Revision ID: i9e1ec7100003
Revises: i9e1ec7100002
Create Date: 2026-12-03 18:35:00

``ix_ballot_round_id`` repeats the first column of ``UNIQUE (round_id, member_id)`` and
``ix_ballot_mark_ballot_id`` the first column of ``UNIQUE (ballot_id, proposal_id)``; both
databases look ballots up by round, and marks by ballot, through the unique constraints' own
indexes. Every ballot and mark written paid for the extra index: a city's import writes about
300,000 marks.
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel


# revision identifiers, used by Alembic.
revision: str = 'i9e1ec7100003'
down_revision: Union[str, None] = 'i9e1ec7100002'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('ballot_mark', schema=None) as batch_op:
        batch_op.drop_index('ix_ballot_mark_ballot_id')
    with op.batch_alter_table('ballot', schema=None) as batch_op:
        batch_op.drop_index('ix_ballot_round_id')


def downgrade() -> None:
    with op.batch_alter_table('ballot', schema=None) as batch_op:
        batch_op.create_index('ix_ballot_round_id', ['round_id'], unique=False)
    with op.batch_alter_table('ballot_mark', schema=None) as batch_op:
        batch_op.create_index('ix_ballot_mark_ballot_id', ['ballot_id'], unique=False)
