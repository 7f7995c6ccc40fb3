"""documents in the database: built PDFs kept in their build row, builds claimed by a worker; large evidence uploads

Large evidence files wait for the worker in ``evidence_upload`` (the file in ``content``).

Revision ID: h7d0c5000010
Revises: h4b16b10b0010
Create Date: 2026-12-02 08:00:00

A finished build's PDF moves from ``instance/documents/`` into ``document_build.content``. When
the migration runs under the app (``flask --app grants db upgrade``) it reads each finished
build's file from that instance folder; a build whose file it cannot find (another host's
folder, a cleaned one, or the plain ``alembic`` command) keeps no content and is built again when
it is next asked for. The files themselves are left where they were: delete
``instance/documents/`` once every host has upgraded.
"""
from pathlib import Path
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = 'h7d0c5000010'
down_revision: Union[str, None] = 'h4b16b10b0010'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def _instance_folder() -> Path | None:
    try:
        from flask import current_app

        return Path(current_app.instance_path)
    except RuntimeError:  # not under the app: nothing to read files from
        return None


def upgrade() -> None:
    with op.batch_alter_table('document_build', schema=None) as batch_op:
        batch_op.add_column(sa.Column('variant', sa.String(length=40), server_default='', nullable=False))
        batch_op.add_column(sa.Column('content', sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column('size', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('claim', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('attempts', sa.Integer(), server_default='0', nullable=False))

    builds = sa.table('document_build', sa.column('id', sa.Integer), sa.column('path', sa.String),
                      sa.column('content', sa.LargeBinary), sa.column('size', sa.Integer))
    connection = op.get_bind()
    folder = _instance_folder()
    if folder is not None:
        rows = connection.execute(sa.select(builds.c.id, builds.c.path).where(builds.c.path != '')).all()
        for build_id, path in rows:
            file = folder / path
            if file.is_file():
                pdf = file.read_bytes()
                connection.execute(builds.update().where(builds.c.id == build_id).values(content=pdf, size=len(pdf)))

    with op.batch_alter_table('document_build', schema=None) as batch_op:
        batch_op.drop_column('path')

    op.create_table('evidence_upload',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('collective_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('filename', sa.String(length=200), server_default='', nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=True),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=20), server_default='queued', nullable=False),
    sa.Column('progress', sa.Integer(), server_default='0', nullable=False),
    sa.Column('stage', sa.String(length=200), server_default='', nullable=False),
    sa.Column('claim', sa.String(length=32), nullable=True),
    sa.Column('attempts', sa.Integer(), server_default='0', nullable=False),
    sa.Column('error', sa.Text(), server_default='', nullable=False),
    sa.Column('problems', sa.JSON(), nullable=False),
    sa.Column('import_id', sa.Integer(), nullable=True),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.Column('uploaded_by_label', sa.String(length=120), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('usage', 'population')", name=op.f('ck_evidence_upload_kind_known')),
    sa.CheckConstraint("state IN ('queued', 'running', 'done', 'failed')", name=op.f('ck_evidence_upload_state_known')),
    sa.CheckConstraint('progress >= 0 AND progress <= 100', name=op.f('ck_evidence_upload_progress_in_range')),
    sa.ForeignKeyConstraint(['collective_id'], ['collective.id'], name=op.f('fk_evidence_upload_collective_id_collective'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['import_id'], ['evidence_import.id'], name=op.f('fk_evidence_upload_import_id_evidence_import'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['person.id'], name=op.f('fk_evidence_upload_uploaded_by_id_person'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evidence_upload'))
    )
    with op.batch_alter_table('evidence_upload', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evidence_upload_collective_id'), ['collective_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('evidence_upload', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_evidence_upload_collective_id'))
    op.drop_table('evidence_upload')

    # The PDFs are not written back to disk: a finished build without its file is built again.
    with op.batch_alter_table('document_build', schema=None) as batch_op:
        batch_op.add_column(sa.Column('path', sa.String(length=300), server_default='', nullable=False))
        batch_op.drop_column('attempts')
        batch_op.drop_column('claim')
        batch_op.drop_column('size')
        batch_op.drop_column('content')
        batch_op.drop_column('variant')
