"""Safeguarding and learning support concerns raised without a review (pushed first, never pulled), and the state of
the cases this laptop's user raised, pulled from the office (issue 16).

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01 18:45:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def _meta() -> list[sa.Column]:
    return [
        sa.Column('id', sa.String(length=36), nullable=False),
        sa.Column('rev', sa.Integer(), nullable=False),
        sa.Column('updated_at', sa.String(length=32), nullable=False),
        sa.Column('updated_by', sa.String(length=100), nullable=False),
        sa.Column('deleted', sa.Boolean(), nullable=False),
    ]


def upgrade() -> None:
    op.create_table('concern',
    sa.Column('learner_id', sa.String(length=36), nullable=False),
    sa.Column('route', sa.String(length=20), nullable=False),
    sa.Column('urgency', sa.String(length=10), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('raised_at', sa.String(length=32), nullable=True),
    *_meta(),
    sa.ForeignKeyConstraint(['learner_id'], ['learner.id'], name=op.f('fk_concern_learner_id_learner'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_concern'))
    )
    with op.batch_alter_table('concern', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_concern_learner_id'), ['learner_id'], unique=False)
    op.create_table('case_status',
    sa.Column('learner_id', sa.String(length=36), nullable=False),
    sa.Column('review_id', sa.String(length=36), nullable=True),
    sa.Column('concern_id', sa.String(length=36), nullable=True),
    sa.Column('route', sa.String(length=20), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('state_by', sa.String(length=200), nullable=False),
    sa.Column('state_at', sa.String(length=32), nullable=True),
    sa.Column('opened_at', sa.String(length=32), nullable=True),
    *_meta(),
    sa.ForeignKeyConstraint(['learner_id'], ['learner.id'], name=op.f('fk_case_status_learner_id_learner'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_status'))
    )
    with op.batch_alter_table('case_status', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_status_learner_id'), ['learner_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('case_status', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_status_learner_id'))
    op.drop_table('case_status')
    with op.batch_alter_table('concern', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_concern_learner_id'))
    op.drop_table('concern')
