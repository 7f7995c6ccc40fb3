"""accounts and sessions: verified email addresses, session versions, the sign-in record

- person.email_verified_at: when the owner followed the emailed link. People who already have an
  account were let in before verification existed: they count as verified from their creation.
- person.session_version: copied into each sign-in's session; raising it ends every session.
- sign_in_event: every attempt to sign in (never the password), for the account page's list.

Revision ID: h2a5e55100010
Revises: h6outb0x0010
Create Date: 2026-12-02 08:00:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = 'h2a5e55100010'
down_revision: Union[str, None] = 'h6outb0x0010'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.add_column(sa.Column('email_verified_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('session_version', sa.Integer(), server_default='1', nullable=False))
    op.execute("UPDATE person SET email_verified_at = created_at")

    op.create_table('sign_in_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=True),
    sa.Column('succeeded', sa.Boolean(), nullable=False),
    sa.Column('outcome', sa.String(length=40), nullable=False),
    sa.Column('address', sa.String(length=45), server_default='', nullable=False),
    sa.Column('email_digest', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_sign_in_event_person_id_person'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sign_in_event'))
    )
    with op.batch_alter_table('sign_in_event', schema=None) as batch_op:
        batch_op.create_index('ix_sign_in_event_person_at', ['person_id', 'at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('sign_in_event', schema=None) as batch_op:
        batch_op.drop_index('ix_sign_in_event_person_at')
    op.drop_table('sign_in_event')
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.drop_column('session_version')
        batch_op.drop_column('email_verified_at')
