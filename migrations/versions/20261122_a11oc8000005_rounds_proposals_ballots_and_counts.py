"""rounds, proposals, ballots and counts

Revision ID: a11oc8000005
Revises: 95a5947d802b
Create Date: 2026-11-22 19:53:55.545386

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel


# revision identifiers, used by Alembic.
revision: str = 'a11oc8000005'
down_revision: Union[str, None] = '95a5947d802b'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('round',
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('collective_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=160), nullable=False),
    sa.Column('description', sa.Text(), server_default='', nullable=False),
    sa.Column('state', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('variant', sa.String(length=20), nullable=False),
    sa.Column('budget', sa.Integer(), nullable=False),
    sa.Column('min_grant', sa.Integer(), nullable=False),
    sa.Column('max_grant', sa.Integer(), nullable=False),
    sa.Column('voting_method', sa.String(length=30), nullable=False),
    sa.Column('approval_limit', sa.Integer(), nullable=True),
    sa.Column('cumulative_points', sa.Integer(), nullable=True),
    sa.Column('allocation_rule', sa.String(length=40), nullable=False),
    sa.Column('proposals_open_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('proposals_close_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('voting_opens_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('voting_closes_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('review_due_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('reminder_hours', sa.Integer(), nullable=False),
    sa.Column('small_grant_limit', sa.Integer(), nullable=False),
    sa.Column('medium_grant_limit', sa.Integer(), nullable=False),
    sa.Column('ratifications_needed', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("variant IN ('standard', 'light')", name=op.f('ck_round_variant_known')),
    sa.CheckConstraint("voting_method != 'approval_limited' OR approval_limit >= 1", name=op.f('ck_round_approval_limit_set')),
    sa.CheckConstraint("voting_method != 'cumulative' OR cumulative_points >= 1", name=op.f('ck_round_points_set')),
    sa.CheckConstraint("voting_method IN ('approval', 'approval_limited', 'score', 'cumulative')", name=op.f('ck_round_voting_method_known')),
    sa.CheckConstraint('budget > 0', name=op.f('ck_round_budget_positive')),
    sa.CheckConstraint('min_grant > 0 AND max_grant >= min_grant AND max_grant <= budget', name=op.f('ck_round_grant_limits')),
    sa.CheckConstraint('ratifications_needed >= 1', name=op.f('ck_round_ratifications_positive')),
    sa.CheckConstraint('small_grant_limit > 0 AND medium_grant_limit >= small_grant_limit', name=op.f('ck_round_reporting_thresholds')),
    sa.ForeignKeyConstraint(['collective_id'], ['collective.id'], name=op.f('fk_round_collective_id_collective'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_round'))
    )
    with op.batch_alter_table('round', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_round_collective_id'), ['collective_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_round_state'), ['state'], unique=False)

    op.create_table('ballot',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('collective_id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('is_paper', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('entered_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['collective_id'], ['collective.id'], name=op.f('fk_ballot_collective_id_collective'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['entered_by_id'], ['person.id'], name=op.f('fk_ballot_entered_by_id_person'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['member_id'], ['person.id'], name=op.f('fk_ballot_member_id_person'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['round_id'], ['round.id'], name=op.f('fk_ballot_round_id_round'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ballot')),
    sa.UniqueConstraint('round_id', 'member_id', name=op.f('uq_ballot_round_id_member_id'))
    )
    with op.batch_alter_table('ballot', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ballot_collective_id'), ['collective_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_ballot_round_id'), ['round_id'], unique=False)

    op.create_table('count',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('collective_id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('rule', sa.String(length=40), nullable=False),
    sa.Column('run_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('run_by', sa.String(length=120), nullable=False),
    sa.Column('ballots', sa.Integer(), nullable=False),
    sa.Column('ballots_version', sa.String(length=80), nullable=False),
    sa.Column('total_awarded', sa.Integer(), nullable=False),
    sa.Column('current', sa.Boolean(), server_default=sa.true(), nullable=False),
    sa.ForeignKeyConstraint(['collective_id'], ['collective.id'], name=op.f('fk_count_collective_id_collective'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['round_id'], ['round.id'], name=op.f('fk_count_round_id_round'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_count'))
    )
    with op.batch_alter_table('count', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_count_collective_id'), ['collective_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_count_round_id'), ['round_id'], unique=False)

    op.create_table('pot',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('theme_id', sa.Integer(), nullable=False),
    sa.Column('amount', sa.Integer(), nullable=False),
    sa.CheckConstraint('amount > 0', name=op.f('ck_pot_amount_positive')),
    sa.ForeignKeyConstraint(['round_id'], ['round.id'], name=op.f('fk_pot_round_id_round'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['theme_id'], ['theme.id'], name=op.f('fk_pot_theme_id_theme'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pot')),
    sa.UniqueConstraint('round_id', 'theme_id', name=op.f('uq_pot_round_id_theme_id'))
    )
    with op.batch_alter_table('pot', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pot_round_id'), ['round_id'], unique=False)

    op.create_table('proposal',
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('collective_id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('state', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('title', sa.String(length=120), server_default='', nullable=False),
    sa.Column('summary', sa.Text(), server_default='', nullable=False),
    sa.Column('amount_requested', sa.Integer(), nullable=False),
    sa.Column('theme_id', sa.Integer(), nullable=True),
    sa.Column('communities_served', sa.JSON(), nullable=False),
    sa.Column('outcome_ids', sa.JSON(), nullable=False),
    sa.Column('people_reached', sa.Integer(), nullable=False),
    sa.Column('decision_reason', sa.Text(), server_default='', nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('amount_requested >= 0', name=op.f('ck_proposal_amount_not_negative')),
    sa.CheckConstraint('people_reached >= 0', name=op.f('ck_proposal_people_reached_not_negative')),
    sa.ForeignKeyConstraint(['collective_id'], ['collective.id'], name=op.f('fk_proposal_collective_id_collective'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by_id'], ['person.id'], name=op.f('fk_proposal_created_by_id_person'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_proposal_organisation_id_organisation'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['round_id'], ['round.id'], name=op.f('fk_proposal_round_id_round'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['theme_id'], ['theme.id'], name=op.f('fk_proposal_theme_id_theme'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_proposal'))
    )
    with op.batch_alter_table('proposal', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_proposal_collective_id'), ['collective_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_proposal_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_proposal_round_id'), ['round_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_proposal_state'), ['state'], unique=False)

    op.create_table('reminder_sent',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['member_id'], ['person.id'], name=op.f('fk_reminder_sent_member_id_person'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['round_id'], ['round.id'], name=op.f('fk_reminder_sent_round_id_round'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reminder_sent')),
    sa.UniqueConstraint('round_id', 'member_id', 'kind', name=op.f('uq_reminder_sent_round_id_member_id_kind'))
    )
    op.create_table('round_theme',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('theme_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['round_id'], ['round.id'], name=op.f('fk_round_theme_round_id_round'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['theme_id'], ['theme.id'], name=op.f('fk_round_theme_theme_id_theme'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_round_theme')),
    sa.UniqueConstraint('round_id', 'theme_id', name=op.f('uq_round_theme_round_id_theme_id'))
    )
    with op.batch_alter_table('round_theme', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_round_theme_round_id'), ['round_id'], unique=False)

    op.create_table('ballot_mark',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ballot_id', sa.Integer(), nullable=False),
    sa.Column('proposal_id', sa.Integer(), nullable=False),
    sa.Column('value', sa.Integer(), nullable=False),
    sa.CheckConstraint('value > 0', name=op.f('ck_ballot_mark_value_positive')),
    sa.ForeignKeyConstraint(['ballot_id'], ['ballot.id'], name=op.f('fk_ballot_mark_ballot_id_ballot'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['proposal_id'], ['proposal.id'], name=op.f('fk_ballot_mark_proposal_id_proposal'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ballot_mark')),
    sa.UniqueConstraint('ballot_id', 'proposal_id', name=op.f('uq_ballot_mark_ballot_id_proposal_id'))
    )
    with op.batch_alter_table('ballot_mark', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ballot_mark_ballot_id'), ['ballot_id'], unique=False)

    op.create_table('budget_line',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('proposal_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('description', sa.String(length=200), nullable=False),
    sa.Column('amount', sa.Integer(), nullable=False),
    sa.CheckConstraint('amount > 0', name=op.f('ck_budget_line_amount_positive')),
    sa.ForeignKeyConstraint(['proposal_id'], ['proposal.id'], name=op.f('fk_budget_line_proposal_id_proposal'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_budget_line'))
    )
    with op.batch_alter_table('budget_line', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_budget_line_proposal_id'), ['proposal_id'], unique=False)

    op.create_table('count_outcome',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('count_id', sa.Integer(), nullable=False),
    sa.Column('proposal_id', sa.Integer(), nullable=False),
    sa.Column('pot_theme_id', sa.Integer(), nullable=True),
    sa.Column('selected', sa.Boolean(), nullable=False),
    sa.Column('amount', sa.Integer(), nullable=False),
    sa.Column('support', sa.Integer(), nullable=False),
    sa.Column('supporters', sa.Integer(), nullable=False),
    sa.Column('rank', sa.Integer(), nullable=True),
    sa.Column('reason', sa.String(length=60), nullable=False),
    sa.Column('sentence', sa.Text(), nullable=False),
    sa.Column('facts', sa.JSON(), nullable=False),
    sa.CheckConstraint('amount >= 0', name=op.f('ck_count_outcome_amount_not_negative')),
    sa.CheckConstraint('selected OR amount = 0', name=op.f('ck_count_outcome_amount_only_when_selected')),
    sa.ForeignKeyConstraint(['count_id'], ['count.id'], name=op.f('fk_count_outcome_count_id_count'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['pot_theme_id'], ['theme.id'], name=op.f('fk_count_outcome_pot_theme_id_theme'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['proposal_id'], ['proposal.id'], name=op.f('fk_count_outcome_proposal_id_proposal'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_count_outcome')),
    sa.UniqueConstraint('count_id', 'proposal_id', name=op.f('uq_count_outcome_count_id_proposal_id'))
    )
    with op.batch_alter_table('count_outcome', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_count_outcome_count_id'), ['count_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('count_outcome', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_count_outcome_count_id'))

    op.drop_table('count_outcome')
    with op.batch_alter_table('budget_line', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_budget_line_proposal_id'))

    op.drop_table('budget_line')
    with op.batch_alter_table('ballot_mark', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ballot_mark_ballot_id'))

    op.drop_table('ballot_mark')
    with op.batch_alter_table('round_theme', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_round_theme_round_id'))

    op.drop_table('round_theme')
    op.drop_table('reminder_sent')
    with op.batch_alter_table('proposal', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_proposal_state'))
        batch_op.drop_index(batch_op.f('ix_proposal_round_id'))
        batch_op.drop_index(batch_op.f('ix_proposal_organisation_id'))
        batch_op.drop_index(batch_op.f('ix_proposal_collective_id'))

    op.drop_table('proposal')
    with op.batch_alter_table('pot', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pot_round_id'))

    op.drop_table('pot')
    with op.batch_alter_table('count', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_count_round_id'))
        batch_op.drop_index(batch_op.f('ix_count_collective_id'))

    op.drop_table('count')
    with op.batch_alter_table('ballot', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ballot_round_id'))
        batch_op.drop_index(batch_op.f('ix_ballot_collective_id'))

    op.drop_table('ballot')
    with op.batch_alter_table('round', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_round_state'))
        batch_op.drop_index(batch_op.f('ix_round_collective_id'))

    op.drop_table('round')
