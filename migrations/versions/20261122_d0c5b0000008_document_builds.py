"""document builds: large documents rendered off the request and cached until their data changes

Revision ID: d0c5b0000008
Revises: aw4rd5000006
Create Date: 2026-11-22 20:18:59.392880

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = 'd0c5b0000008'
down_revision: Union[str, None] = 'aw4rd5000006'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('document_build',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('object_id', sa.Integer(), nullable=False),
    sa.Column('collective_id', sa.Integer(), nullable=False),
    sa.Column('requested_by_id', sa.Integer(), nullable=True),
    sa.Column('fingerprint', sa.String(length=64), nullable=False),
    sa.Column('state', sa.String(length=20), server_default='queued', nullable=False),
    sa.Column('progress', sa.Integer(), server_default='0', nullable=False),
    sa.Column('stage', sa.String(length=200), server_default='', nullable=False),
    sa.Column('path', sa.String(length=300), server_default='', nullable=False),
    sa.Column('pages', sa.Integer(), nullable=True),
    sa.Column('error', sa.Text(), server_default='', nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("state IN ('queued', 'running', 'done', 'failed')", name=op.f('ck_document_build_state_known')),
    sa.CheckConstraint('progress >= 0 AND progress <= 100', name=op.f('ck_document_build_progress_in_range')),
    sa.ForeignKeyConstraint(['collective_id'], ['collective.id'], name=op.f('fk_document_build_collective_id_collective'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['requested_by_id'], ['person.id'], name=op.f('fk_document_build_requested_by_id_person'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_document_build'))
    )
    with op.batch_alter_table('document_build', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_document_build_collective_id'), ['collective_id'], unique=False)
        batch_op.create_index('ix_document_build_kind_object', ['kind', 'object_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('document_build', schema=None) as batch_op:
        batch_op.drop_index('ix_document_build_kind_object')
        batch_op.drop_index(batch_op.f('ix_document_build_collective_id'))

    op.drop_table('document_build')
