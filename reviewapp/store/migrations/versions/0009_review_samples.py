"""Quality samples of finalised reviews, pulled from the office (issue 15 item 6): read-only here, shown with the
review they judge.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 16:50:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('review_sample',
    sa.Column('review_id', sa.String(length=36), nullable=False),
    sa.Column('learner_id', sa.String(length=36), nullable=False),
    sa.Column('sampled_by', sa.String(length=200), nullable=False),
    sa.Column('sampled_at', sa.String(length=32), nullable=True),
    sa.Column('targets_smart', sa.String(length=10), nullable=True),
    sa.Column('targets_smart_note', sa.Text(), nullable=False),
    sa.Column('learning_plan_used', sa.String(length=10), nullable=True),
    sa.Column('learning_plan_used_note', sa.Text(), nullable=False),
    sa.Column('safety_equality_reinforced', sa.String(length=10), nullable=True),
    sa.Column('safety_equality_reinforced_note', sa.Text(), nullable=False),
    sa.Column('welfare_followed_up', sa.String(length=10), nullable=True),
    sa.Column('welfare_followed_up_note', sa.Text(), nullable=False),
    sa.Column('feedback', sa.Text(), nullable=False),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('rev', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.String(length=32), nullable=False),
    sa.Column('updated_by', sa.String(length=100), nullable=False),
    sa.Column('deleted', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['learner_id'], ['learner.id'], name=op.f('fk_review_sample_learner_id_learner'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['review_id'], ['review.id'], name=op.f('fk_review_sample_review_id_review'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_review_sample'))
    )
    with op.batch_alter_table('review_sample', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_review_sample_learner_id'), ['learner_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_review_sample_review_id'), ['review_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('review_sample', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_review_sample_review_id'))
        batch_op.drop_index(batch_op.f('ix_review_sample_learner_id'))
    op.drop_table('review_sample')
