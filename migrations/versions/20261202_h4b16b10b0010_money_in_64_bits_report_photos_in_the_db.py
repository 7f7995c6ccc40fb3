"""money in 64-bit columns; report photos in the database (report_photo), not in instance/; form_submission

Money: every column of pence becomes BIGINT. A 32-bit INTEGER stops at £21,474,836.47 on
PostgreSQL, below what the money fields accept (SQLite's INTEGER is already 64-bit; the type is
changed there too so the schema says what it holds). Batch mode on SQLite (the table is rebuilt).

Photos: they were files in ``<instance>/uploads/reports/`` named by ``report.photo_name``. Each is
read here, once, re-encoded from its pixels alone (so the EXIF and GPS data it kept are dropped) and
stored in ``report_photo``; the file is then deleted. A file that is missing or unreadable is
skipped with a warning (the report keeps no photo). The instance folder is the app's when run by
``flask --app grants db upgrade``, else ``instance/`` at the repository root. Downgrading writes the
photos back out as files.

Revision ID: h4b16b10b0010
Revises: h3a2fac00010
Create Date: 2026-12-02 07:50:00
"""
from __future__ import annotations

import hashlib
import io
import logging
from datetime import datetime, timezone
from pathlib import Path
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = 'h4b16b10b0010'
down_revision: Union[str, None] = 'h3a2fac00010'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

log = logging.getLogger("alembic.runtime.migration")

MONEY_COLUMNS = {
    'round': ('budget', 'min_grant', 'max_grant', 'small_grant_limit', 'medium_grant_limit'),
    'pot': ('amount',),
    'count': ('total_awarded',),
    'count_outcome': ('amount',),
    'proposal': ('amount_requested',),
    'budget_line': ('amount',),
    'grant': ('amount',),
    'payment': ('amount',),
}
CONTENT_TYPES = {'JPEG': 'image/jpeg', 'PNG': 'image/png'}


def _instance_path() -> Path:
    from flask import current_app, has_app_context

    if has_app_context():
        return Path(current_app.instance_path)
    return Path(__file__).resolve().parents[2] / 'instance'


def _photo_folder() -> Path:
    return _instance_path() / 'uploads' / 'reports'


def _alter_money(to_type, from_type) -> None:
    for table, columns in MONEY_COLUMNS.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column in columns:
                batch_op.alter_column(column, existing_type=from_type, type_=to_type, existing_nullable=False)


def _bare(data: bytes):
    """(bytes, content type, width, height) of the photo re-encoded from its pixels alone."""
    from PIL import Image, ImageOps

    with Image.open(io.BytesIO(data), formats=list(CONTENT_TYPES)) as image:
        kind = image.format
        upright = ImageOps.exif_transpose(image)
    pixels = upright.convert('RGB' if kind == 'JPEG' else 'RGBA')
    bare = Image.frombytes(pixels.mode, pixels.size, pixels.tobytes())
    out = io.BytesIO()
    bare.save(out, format=kind, **({'quality': 85} if kind == 'JPEG' else {}))
    return out.getvalue(), CONTENT_TYPES[kind], bare.width, bare.height


def upgrade() -> None:
    _alter_money(sa.BigInteger(), sa.Integer())
    # Forms that count once (grants.submissions): a token recorded with the change it made.
    op.create_table(
        'form_submission',
        sa.Column('token', sa.String(length=32), nullable=False),
        sa.Column('person_id', sa.Integer(), nullable=True),
        sa.Column('endpoint', sa.String(length=120), server_default='', nullable=False),
        sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_form_submission_person_id_person'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('token', name=op.f('pk_form_submission')),
    )
    op.create_index(op.f('ix_form_submission_submitted_at'), 'form_submission', ['submitted_at'], unique=False)
    report_photo = op.create_table(
        'report_photo',
        sa.Column('report_id', sa.Integer(), nullable=False),
        sa.Column('content', sa.LargeBinary(), nullable=False),
        sa.Column('content_type', sa.String(length=20), nullable=False),
        sa.Column('size', sa.Integer(), nullable=False),
        sa.Column('width', sa.Integer(), nullable=False),
        sa.Column('height', sa.Integer(), nullable=False),
        sa.Column('uploaded_at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("content_type IN ('image/jpeg', 'image/png')", name=op.f('ck_report_photo_content_type_known')),
        sa.CheckConstraint('size > 0 AND size = length(content)', name=op.f('ck_report_photo_size_is_length')),
        sa.ForeignKeyConstraint(['report_id'], ['report.id'], name=op.f('fk_report_photo_report_id_report'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('report_id', name=op.f('pk_report_photo')),
    )
    connection = op.get_bind()
    folder = _photo_folder()
    moved = []
    now = datetime.now(timezone.utc)
    if connection.dialect.name == 'sqlite':
        now = now.replace(tzinfo=None)  # as the app stores times on SQLite: naive UTC
    for report_id, name in connection.execute(sa.text(
            "SELECT id, photo_name FROM report WHERE photo_name != ''")).all():
        path = folder / Path(name).name
        try:
            content, content_type, width, height = _bare(path.read_bytes())
        except Exception as error:  # noqa: BLE001 - any unreadable file is skipped, never the migration
            log.warning("report %s: photo %s not moved into the database (%s)", report_id, path, error)
            continue
        op.bulk_insert(report_photo, [{
            'report_id': report_id, 'content': content, 'content_type': content_type, 'size': len(content),
            'width': width, 'height': height, 'uploaded_at': now}])
        moved.append(path)
    with op.batch_alter_table('report', schema=None) as batch_op:
        batch_op.drop_column('photo_type')
        batch_op.drop_column('photo_name')
    for path in moved:
        path.unlink(missing_ok=True)


def downgrade() -> None:
    with op.batch_alter_table('report', schema=None) as batch_op:
        batch_op.add_column(sa.Column('photo_name', sa.String(length=80), server_default='', nullable=False))
        batch_op.add_column(sa.Column('photo_type', sa.String(length=20), server_default='', nullable=False))
    connection = op.get_bind()
    rows = connection.execute(sa.text("SELECT report_id, content, content_type FROM report_photo")).all()
    if rows:
        folder = _photo_folder()
        folder.mkdir(parents=True, exist_ok=True)
    for report_id, content, content_type in rows:
        name = f"{report_id}-{hashlib.sha256(content).hexdigest()[:16]}.{'png' if content_type == 'image/png' else 'jpg'}"
        (folder / name).write_bytes(content)
        connection.execute(sa.text("UPDATE report SET photo_name = :name, photo_type = :type WHERE id = :id"),
                           {'name': name, 'type': content_type, 'id': report_id})
    op.drop_table('report_photo')
    op.drop_index(op.f('ix_form_submission_submitted_at'), table_name='form_submission')
    op.drop_table('form_submission')
    _alter_money(sa.Integer(), sa.BigInteger())
