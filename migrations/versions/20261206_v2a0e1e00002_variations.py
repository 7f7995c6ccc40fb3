"""variations: a grantee's requests to change a grant, and money handed back

Revision ID: v2a0e1e00002
Revises: v1a0e1e00001
Create Date: 2026-12-06 22:11:12.897251

``variation`` (the ``variation`` workflow) and ``variation_approval`` (reviewers' approvals of a
change that needs the partnership); ``collective.variation_move_percent`` and
``variation_date_months`` (what a facilitator approves alone); ``grant.returned`` (money handed
back); ``payment.variation_id`` (money the group paid back, a negative row of its variation).
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel


# revision identifiers, used by Alembic.
revision: str = 'v2a0e1e00002'
down_revision: Union[str, None] = 'v1a0e1e00001'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('variation',
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('collective_id', sa.Integer(), nullable=False),
    sa.Column('grant_id', sa.Integer(), nullable=False),
    sa.Column('state', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('requested_by_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.Text(), server_default='', nullable=False),
    sa.Column('lines', sa.JSON(), nullable=False),
    sa.Column('due_dates', sa.JSON(), nullable=False),
    sa.Column('purpose', sa.Text(), server_default='', nullable=False),
    sa.Column('outcome_ids', sa.JSON(), nullable=False),
    sa.Column('returned', sa.BigInteger(), server_default='0', nullable=False),
    sa.Column('paid_back', sa.BigInteger(), server_default='0', nullable=False),
    sa.Column('paid_back_reference', sa.String(length=80), server_default='', nullable=False),
    sa.Column('before', sa.JSON(), nullable=False),
    sa.Column('needs_partnership', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('approvals_needed', sa.Integer(), nullable=False),
    sa.Column('decision_reason', sa.Text(), server_default='', nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint('returned >= 0 AND paid_back >= 0 AND paid_back <= returned', name=op.f('ck_variation_money_back_consistent')),
    sa.ForeignKeyConstraint(['collective_id'], ['collective.id'], name=op.f('fk_variation_collective_id_collective'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['grant_id'], ['grant.id'], name=op.f('fk_variation_grant_id_grant'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['requested_by_id'], ['person.id'], name=op.f('fk_variation_requested_by_id_person'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_variation'))
    )
    with op.batch_alter_table('variation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_variation_collective_id'), ['collective_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_variation_grant_id'), ['grant_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_variation_state'), ['state'], unique=False)

    op.create_table('variation_approval',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('variation_id', sa.Integer(), nullable=False),
    sa.Column('reviewer_id', sa.Integer(), nullable=True),
    sa.Column('note', sa.Text(), server_default='', nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['reviewer_id'], ['person.id'], name=op.f('fk_variation_approval_reviewer_id_person'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['variation_id'], ['variation.id'], name=op.f('fk_variation_approval_variation_id_variation'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_variation_approval')),
    sa.UniqueConstraint('variation_id', 'reviewer_id', name=op.f('uq_variation_approval_variation_id_reviewer_id'))
    )
    with op.batch_alter_table('variation_approval', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_variation_approval_variation_id'), ['variation_id'], unique=False)

    with op.batch_alter_table('collective', schema=None) as batch_op:
        batch_op.add_column(sa.Column('variation_move_percent', sa.Integer(), server_default='20', nullable=False))
        batch_op.add_column(sa.Column('variation_date_months', sa.Integer(), server_default='3', nullable=False))

    with op.batch_alter_table('grant', schema=None) as batch_op:
        batch_op.add_column(sa.Column('returned', sa.BigInteger(), server_default='0', nullable=False))
        batch_op.create_check_constraint(batch_op.f('ck_grant_returned_within_amount'),
                                         'returned >= 0 AND returned <= amount')

    with op.batch_alter_table('payment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('variation_id', sa.Integer(), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_payment_variation_id'), ['variation_id'])
        batch_op.create_foreign_key(batch_op.f('fk_payment_variation_id_variation'), 'variation', ['variation_id'], ['id'], ondelete='CASCADE')
        batch_op.drop_constraint(batch_op.f('ck_payment_amount_signed'), type_='check')
        batch_op.create_check_constraint(
            batch_op.f('ck_payment_amount_signed'),
            '(reverses_id IS NULL AND variation_id IS NULL AND amount > 0) OR '
            '(reverses_id IS NOT NULL AND variation_id IS NULL AND amount < 0) OR '
            '(variation_id IS NOT NULL AND reverses_id IS NULL AND amount < 0)')


def downgrade() -> None:
    # Repayments have no place without their variations: the money paid back stays paid.
    op.execute("DELETE FROM payment WHERE variation_id IS NOT NULL")
    with op.batch_alter_table('payment', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_payment_amount_signed'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_payment_amount_signed'),
                                         '(reverses_id IS NULL AND amount > 0) OR (reverses_id IS NOT NULL AND amount < 0)')
        batch_op.drop_constraint(batch_op.f('fk_payment_variation_id_variation'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('uq_payment_variation_id'), type_='unique')
        batch_op.drop_column('variation_id')

    with op.batch_alter_table('grant', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_grant_returned_within_amount'), type_='check')
        batch_op.drop_column('returned')

    with op.batch_alter_table('collective', schema=None) as batch_op:
        batch_op.drop_column('variation_date_months')
        batch_op.drop_column('variation_move_percent')

    with op.batch_alter_table('variation_approval', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_variation_approval_variation_id'))

    op.drop_table('variation_approval')
    with op.batch_alter_table('variation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_variation_state'))
        batch_op.drop_index(batch_op.f('ix_variation_grant_id'))
        batch_op.drop_index(batch_op.f('ix_variation_collective_id'))

    op.drop_table('variation')
