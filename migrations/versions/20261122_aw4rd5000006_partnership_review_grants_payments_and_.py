"""partnership review, grants, payments and reports

Revision ID: aw4rd5000006
Revises: c0ffee000007
Create Date: 2026-11-22 20:09:19.179106

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel


# revision identifiers, used by Alembic.
revision: str = 'aw4rd5000006'
down_revision: Union[str, None] = 'c0ffee000007'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('review_message',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('author_label', sa.String(length=120), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('returned', 'response', 'ratified')", name=op.f('ck_review_message_kind_known')),
    sa.ForeignKeyConstraint(['author_id'], ['person.id'], name=op.f('fk_review_message_author_id_person'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['round_id'], ['round.id'], name=op.f('fk_review_message_round_id_round'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_review_message'))
    )
    with op.batch_alter_table('review_message', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_review_message_round_id'), ['round_id'], unique=False)

    op.create_table('grant',
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('collective_id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('proposal_id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('state', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('amount', sa.Integer(), nullable=False),
    sa.Column('offered_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('offer_expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('accepted_by_name', sa.String(length=120), server_default='', nullable=False),
    sa.Column('accepted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('declined_reason', sa.Text(), server_default='', nullable=False),
    sa.Column('reporting_starts_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint('amount > 0', name=op.f('ck_grant_amount_positive')),
    sa.ForeignKeyConstraint(['collective_id'], ['collective.id'], name=op.f('fk_grant_collective_id_collective'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_grant_organisation_id_organisation'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['proposal_id'], ['proposal.id'], name=op.f('fk_grant_proposal_id_proposal'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['round_id'], ['round.id'], name=op.f('fk_grant_round_id_round'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_grant')),
    sa.UniqueConstraint('proposal_id', name=op.f('uq_grant_proposal_id'))
    )
    with op.batch_alter_table('grant', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_grant_collective_id'), ['collective_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_grant_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_grant_round_id'), ['round_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_grant_state'), ['state'], unique=False)

    op.create_table('ratification',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('count_id', sa.Integer(), nullable=False),
    sa.Column('reviewer_id', sa.Integer(), nullable=False),
    sa.Column('note', sa.Text(), server_default='', nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['count_id'], ['count.id'], name=op.f('fk_ratification_count_id_count'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['reviewer_id'], ['person.id'], name=op.f('fk_ratification_reviewer_id_person'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['round_id'], ['round.id'], name=op.f('fk_ratification_round_id_round'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ratification')),
    sa.UniqueConstraint('count_id', 'reviewer_id', name=op.f('uq_ratification_count_id_reviewer_id'))
    )
    with op.batch_alter_table('ratification', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ratification_round_id'), ['round_id'], unique=False)

    op.create_table('payment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('grant_id', sa.Integer(), nullable=False),
    sa.Column('paid_on', sa.Date(), nullable=False),
    sa.Column('amount', sa.Integer(), nullable=False),
    sa.Column('reference', sa.String(length=80), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('amount > 0', name=op.f('ck_payment_amount_positive')),
    sa.ForeignKeyConstraint(['grant_id'], ['grant.id'], name=op.f('fk_payment_grant_id_grant'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['person.id'], name=op.f('fk_payment_recorded_by_id_person'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_payment'))
    )
    with op.batch_alter_table('payment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_payment_grant_id'), ['grant_id'], unique=False)

    op.create_table('report',
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('collective_id', sa.Integer(), nullable=False),
    sa.Column('grant_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('asks_spend', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('state', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('due_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('what_happened', sa.Text(), server_default='', nullable=False),
    sa.Column('people_reached', sa.JSON(), nullable=False),
    sa.Column('outcomes_achieved', sa.JSON(), nullable=False),
    sa.Column('story', sa.Text(), server_default='', nullable=False),
    sa.Column('story_consent', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('spend', sa.JSON(), nullable=False),
    sa.Column('photo_name', sa.String(length=80), server_default='', nullable=False),
    sa.Column('photo_type', sa.String(length=20), server_default='', nullable=False),
    sa.Column('feedback', sa.Text(), server_default='', nullable=False),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('mid', 'end')", name=op.f('ck_report_kind_known')),
    sa.CheckConstraint("story = '' OR story_consent", name=op.f('ck_report_story_needs_consent')),
    sa.ForeignKeyConstraint(['collective_id'], ['collective.id'], name=op.f('fk_report_collective_id_collective'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['grant_id'], ['grant.id'], name=op.f('fk_report_grant_id_grant'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report')),
    sa.UniqueConstraint('grant_id', 'kind', name=op.f('uq_report_grant_id_kind'))
    )
    with op.batch_alter_table('report', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_report_collective_id'), ['collective_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_report_grant_id'), ['grant_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_report_state'), ['state'], unique=False)

    op.create_table('report_reminder',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['report_id'], ['report.id'], name=op.f('fk_report_reminder_report_id_report'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report_reminder')),
    sa.UniqueConstraint('report_id', 'kind', name=op.f('uq_report_reminder_report_id_kind'))
    )


def downgrade() -> None:
    op.drop_table('report_reminder')
    with op.batch_alter_table('report', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_report_state'))
        batch_op.drop_index(batch_op.f('ix_report_grant_id'))
        batch_op.drop_index(batch_op.f('ix_report_collective_id'))

    op.drop_table('report')
    with op.batch_alter_table('payment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_payment_grant_id'))

    op.drop_table('payment')
    with op.batch_alter_table('ratification', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ratification_round_id'))

    op.drop_table('ratification')
    with op.batch_alter_table('grant', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_grant_state'))
        batch_op.drop_index(batch_op.f('ix_grant_round_id'))
        batch_op.drop_index(batch_op.f('ix_grant_organisation_id'))
        batch_op.drop_index(batch_op.f('ix_grant_collective_id'))

    op.drop_table('grant')
    with op.batch_alter_table('review_message', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_review_message_round_id'))

    op.drop_table('review_message')
