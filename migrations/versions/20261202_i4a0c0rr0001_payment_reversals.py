"""payment reversals (a wrongly recorded payment is corrected by a new, negative row); the collective's letterhead

Revision ID: i4a0c0rr0001
Revises: i7c0a11ed010
Create Date: 2026-12-02 14:00:00

``payment.reverses_id`` points a reversal at the payment it reverses (at most one each) and
``payment.reason`` says why. A payment's amount stays positive; a reversal's is negative, so the
sum of a grant's payments is the net amount paid.

``collective.postal_address``, ``contact_email`` and ``contact_phone`` head the collective's letters.
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = 'i4a0c0rr0001'
down_revision: Union[str, None] = 'i7c0a11ed010'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('collective', schema=None) as batch_op:
        batch_op.add_column(sa.Column('postal_address', sa.Text(), server_default='', nullable=False))
        batch_op.add_column(sa.Column('contact_email', sa.String(length=254), server_default='', nullable=False))
        batch_op.add_column(sa.Column('contact_phone', sa.String(length=40), server_default='', nullable=False))
    with op.batch_alter_table('payment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reverses_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('reason', sa.Text(), server_default='', nullable=False))
        batch_op.create_unique_constraint(batch_op.f('uq_payment_reverses_id'), ['reverses_id'])
        batch_op.create_foreign_key(batch_op.f('fk_payment_reverses_id_payment'), 'payment', ['reverses_id'], ['id'],
                                    ondelete='CASCADE')
        batch_op.drop_constraint(batch_op.f('ck_payment_amount_positive'), type_='check')
        batch_op.create_check_constraint(
            batch_op.f('ck_payment_amount_signed'),
            '(reverses_id IS NULL AND amount > 0) OR (reverses_id IS NOT NULL AND amount < 0)')
        batch_op.create_check_constraint(batch_op.f('ck_payment_reversal_has_reason'),
                                         "reverses_id IS NULL OR reason != ''")


def downgrade() -> None:
    # Reversals cannot be kept under the old rule (amounts > 0): they go, with the payments they undid.
    op.execute("DELETE FROM payment WHERE id IN (SELECT reverses_id FROM payment WHERE reverses_id IS NOT NULL) "
               "OR reverses_id IS NOT NULL")
    with op.batch_alter_table('payment', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_payment_reversal_has_reason'), type_='check')
        batch_op.drop_constraint(batch_op.f('ck_payment_amount_signed'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_payment_amount_positive'), 'amount > 0')
        batch_op.drop_constraint(batch_op.f('fk_payment_reverses_id_payment'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('uq_payment_reverses_id'), type_='unique')
        batch_op.drop_column('reason')
        batch_op.drop_column('reverses_id')
    with op.batch_alter_table('collective', schema=None) as batch_op:
        batch_op.drop_column('contact_phone')
        batch_op.drop_column('contact_email')
        batch_op.drop_column('postal_address')
