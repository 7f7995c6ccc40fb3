"""a facilitator's feedback note on a proposal that was not funded

Revision ID: f3edbac00001
Revises: i9e1ec7100003
Create Date: 2026-12-06 22:20:00

``proposal.feedback`` is the note the facilitator writes to the applicant of a proposal that was
not eligible or not selected by the vote; the applicant reads it beside the rule's explanation
once the results are published, and is emailed both then.
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel


# revision identifiers, used by Alembic.
revision: str = 'f3edbac00001'
down_revision: Union[str, None] = 'i9e1ec7100003'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('proposal', schema=None) as batch_op:
        batch_op.add_column(sa.Column('feedback', sa.Text(), server_default='', nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('proposal', schema=None) as batch_op:
        batch_op.drop_column('feedback')
