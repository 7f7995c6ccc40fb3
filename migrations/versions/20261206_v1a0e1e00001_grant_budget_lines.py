"""a grant's own budget lines, purpose and outcomes, copied from its proposal

Revision ID: v1a0e1e00001
Revises: f3edbac00001
Create Date: 2026-12-06 22:15:00

A variation changes a grant's budget lines, purpose and outcomes while the proposal stays as the
members voted on it, so the grant keeps its own: ``grant_budget_line`` (the proposal's lines at the
award, as varied since) and ``grant.purpose``/``grant.outcome_ids``. Existing grants get copies of
their proposals' lines, summary and outcomes, and the spending their reports recorded against a
proposal's line moves to the grant's copy of that line (``report.spend`` is keyed by line id).
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel


# revision identifiers, used by Alembic.
revision: str = 'v1a0e1e00001'
down_revision: Union[str, None] = 'f3edbac00001'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        'grant_budget_line',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('grant_id', sa.Integer(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('description', sa.String(length=200), nullable=False),
        sa.Column('amount', sa.BigInteger(), nullable=False),
        sa.CheckConstraint('amount >= 0', name=op.f('ck_grant_budget_line_amount_not_negative')),
        sa.ForeignKeyConstraint(['grant_id'], ['grant.id'], name=op.f('fk_grant_budget_line_grant_id_grant'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_grant_budget_line')),
    )
    with op.batch_alter_table('grant_budget_line', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_grant_budget_line_grant_id'), ['grant_id'], unique=False)
    with op.batch_alter_table('grant', schema=None) as batch_op:
        batch_op.add_column(sa.Column('purpose', sa.Text(), server_default='', nullable=False))
        batch_op.add_column(sa.Column('outcome_ids', sa.JSON(), nullable=True))
    _copy_from_proposals()
    with op.batch_alter_table('grant', schema=None) as batch_op:
        batch_op.alter_column('outcome_ids', existing_type=sa.JSON(), nullable=False)


def _copy_from_proposals() -> None:
    bind = op.get_bind()
    meta = sa.MetaData()
    grant = sa.Table('grant', meta, sa.Column('id', sa.Integer), sa.Column('proposal_id', sa.Integer),
                     sa.Column('purpose', sa.Text), sa.Column('outcome_ids', sa.JSON))
    proposal = sa.Table('proposal', meta, sa.Column('id', sa.Integer), sa.Column('summary', sa.Text),
                        sa.Column('outcome_ids', sa.JSON))
    budget_line = sa.Table('budget_line', meta, sa.Column('id', sa.Integer), sa.Column('proposal_id', sa.Integer),
                           sa.Column('position', sa.Integer), sa.Column('description', sa.String),
                           sa.Column('amount', sa.BigInteger))
    grant_line = sa.Table('grant_budget_line', meta, sa.Column('id', sa.Integer), sa.Column('grant_id', sa.Integer),
                          sa.Column('position', sa.Integer), sa.Column('description', sa.String),
                          sa.Column('amount', sa.BigInteger))
    report = sa.Table('report', meta, sa.Column('id', sa.Integer), sa.Column('grant_id', sa.Integer),
                      sa.Column('spend', sa.JSON))
    grants = bind.execute(sa.select(grant.c.id, grant.c.proposal_id, proposal.c.summary, proposal.c.outcome_ids)
                          .join(proposal, proposal.c.id == grant.c.proposal_id).order_by(grant.c.id)).all()
    for grant_id, proposal_id, summary, outcome_ids in grants:
        bind.execute(grant.update().where(grant.c.id == grant_id).values(purpose=summary or '',
                                                                          outcome_ids=list(outcome_ids or [])))
        copies = {}
        lines = bind.execute(sa.select(budget_line).where(budget_line.c.proposal_id == proposal_id)
                             .order_by(budget_line.c.position, budget_line.c.id)).all()
        for n, line in enumerate(lines):
            copies[str(line.id)] = bind.execute(grant_line.insert().values(
                grant_id=grant_id, position=n, description=line.description, amount=line.amount)
                .returning(grant_line.c.id)).scalar_one()
        for report_id, spend in bind.execute(sa.select(report.c.id, report.c.spend)
                                             .where(report.c.grant_id == grant_id)).all():
            if spend:
                moved = {str(copies[key]): amount for key, amount in spend.items() if key in copies}
                bind.execute(report.update().where(report.c.id == report_id).values(spend=moved))


def downgrade() -> None:
    bind = op.get_bind()
    meta = sa.MetaData()
    grant = sa.Table('grant', meta, sa.Column('id', sa.Integer), sa.Column('proposal_id', sa.Integer))
    budget_line = sa.Table('budget_line', meta, sa.Column('id', sa.Integer), sa.Column('proposal_id', sa.Integer),
                           sa.Column('position', sa.Integer))
    grant_line = sa.Table('grant_budget_line', meta, sa.Column('id', sa.Integer), sa.Column('grant_id', sa.Integer),
                          sa.Column('position', sa.Integer))
    report = sa.Table('report', meta, sa.Column('id', sa.Integer), sa.Column('grant_id', sa.Integer),
                      sa.Column('spend', sa.JSON))
    # Spending goes back to the proposal's line in the same place (a line a variation added has none).
    for grant_id, proposal_id in bind.execute(sa.select(grant.c.id, grant.c.proposal_id)).all():
        originals = [row.id for row in bind.execute(sa.select(budget_line.c.id).where(
            budget_line.c.proposal_id == proposal_id).order_by(budget_line.c.position, budget_line.c.id)).all()]
        copies = [row.id for row in bind.execute(sa.select(grant_line.c.id).where(
            grant_line.c.grant_id == grant_id).order_by(grant_line.c.position, grant_line.c.id)).all()]
        back = {str(copy): str(original) for copy, original in zip(copies, originals)}
        for report_id, spend in bind.execute(sa.select(report.c.id, report.c.spend)
                                             .where(report.c.grant_id == grant_id)).all():
            if spend:
                bind.execute(report.update().where(report.c.id == report_id).values(
                    spend={back[key]: amount for key, amount in spend.items() if key in back}))
    with op.batch_alter_table('grant', schema=None) as batch_op:
        batch_op.drop_column('outcome_ids')
        batch_op.drop_column('purpose')
    with op.batch_alter_table('grant_budget_line', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_grant_budget_line_grant_id'))
    op.drop_table('grant_budget_line')
