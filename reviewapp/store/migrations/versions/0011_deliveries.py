"""Deliveries of review copies (issue 15 item 4, issue 17 item 1): each print or save of a finalised review's
learner, employer or provider copy, synced to the office for its "copies shared" figure.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01 18:40:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('delivery',
    sa.Column('review_id', sa.String(length=36), nullable=False),
    sa.Column('learner_id', sa.String(length=36), nullable=False),
    sa.Column('copy_for', sa.String(length=20), nullable=False),
    sa.Column('channel', sa.String(length=20), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('delivered_at', sa.String(length=32), nullable=False),
    sa.Column('delivered_by', sa.String(length=200), nullable=False),
    sa.Column('recipient', sa.String(length=320), nullable=False),
    sa.Column('consent_recorded', sa.Boolean(), nullable=True),
    sa.Column('bounced_at', sa.String(length=32), nullable=True),
    sa.Column('bounce_reason', sa.Text(), nullable=False),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('rev', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.String(length=32), nullable=False),
    sa.Column('updated_by', sa.String(length=100), nullable=False),
    sa.Column('deleted', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['learner_id'], ['learner.id'], name=op.f('fk_delivery_learner_id_learner'),
                            ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['review_id'], ['review.id'], name=op.f('fk_delivery_review_id_review'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_delivery'))
    )
    with op.batch_alter_table('delivery', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_delivery_learner_id'), ['learner_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_delivery_review_id'), ['review_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('delivery', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_delivery_review_id'))
        batch_op.drop_index(batch_op.f('ix_delivery_learner_id'))
    op.drop_table('delivery')
