"""a document build is in a language: the award letter in the grantee's, other documents in the page's

Revision ID: i5d0c1a9e001
Revises: i4a0c0rr0001
Create Date: 2026-12-03 10:00:00

``document_build.language`` (``en``, ``ur``, ``pa`` or ``bn``) is part of what a build is of,
beside its kind, object and variant: the same data in Urdu and in English are two files. Every
build made before is English.
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = 'i5d0c1a9e001'
down_revision: Union[str, None] = 'i4a0c0rr0001'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('document_build', schema=None) as batch_op:
        batch_op.add_column(sa.Column('language', sa.String(length=8), server_default='en', nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('document_build', schema=None) as batch_op:
        batch_op.drop_column('language')
