"""versions of the rows people edit: organisations, needs and engagement events carry a version

A save from a form that was loaded from an older version is refused (``grants.versions``).
Proposals, rounds and reports already have ``version`` (the workflow's compare-and-swap counter).

Revision ID: i2b5a1e00010
Revises: s1ea1ed00011
Create Date: 2026-12-02 14:00:00
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = 'i2b5a1e00010'
down_revision: Union[str, None] = 's1ea1ed00011'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

TABLES = ('organisation', 'need', 'engagement_event')


def upgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('version', sa.Integer(), server_default='1', nullable=False))


def downgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('version')
