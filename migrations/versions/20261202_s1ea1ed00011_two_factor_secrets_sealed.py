"""two-factor secrets sealed: room in two_factor.secret for a Fernet token

Revision ID: s1ea1ed00011
Revises: h7d0c5000010
Create Date: 2026-12-02 14:30:00

The app seals the secret under a key derived from SECRET_KEY (``grants.sealing``). Secrets saved
before this revision are still read as they are; ``flask --app grants reseal-secrets`` seals them
(run it once after upgrading).
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = 's1ea1ed00011'
down_revision: Union[str, None] = 'h7d0c5000010'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('two_factor', schema=None) as batch_op:
        batch_op.alter_column('secret', existing_type=sa.String(length=64), type_=sa.String(length=200),
                              existing_nullable=False)


def downgrade() -> None:
    # A sealed secret does not fit the old column: going back means setting two-factor up again.
    op.execute(sa.text("DELETE FROM two_factor WHERE length(secret) > 64"))
    with op.batch_alter_table('two_factor', schema=None) as batch_op:
        batch_op.alter_column('secret', existing_type=sa.String(length=200), type_=sa.String(length=64),
                              existing_nullable=False)
