"""a person who must choose a new password before anything else: person.must_change_password

Set on the demo's site admin, whose password is published: on anything but localhost the first
sign-in leads to "choose a new password" before any other page. False for every existing account.

Revision ID: h8c4a9e0000a
Revises: h2a5e55100010
Create Date: 2026-12-02 08:00:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = 'h8c4a9e0000a'
down_revision: Union[str, None] = 'h2a5e55100010'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.add_column(sa.Column('must_change_password', sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.drop_column('must_change_password')
