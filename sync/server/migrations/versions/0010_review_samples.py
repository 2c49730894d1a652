"""Quality samples of finalised reviews (protocol.ReviewSampleData), synced down to the learner's laptop.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 16:50:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

# Written out here rather than imported from models.py, so this revision never changes under later edits.
JSON_TYPE = sa.JSON().with_variant(postgresql.JSONB(), 'postgresql')
REV_TYPE = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def upgrade() -> None:
    op.create_table(
        'review_samples',
        sa.Column('learner_id', sa.String(length=36), nullable=False),
        sa.Column('review_id', sa.String(length=36), nullable=False),
        sa.Column('id', sa.String(length=36), primary_key=True),
        sa.Column('rev', REV_TYPE, autoincrement=False, nullable=False),
        sa.Column('data', JSON_TYPE, nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_by', sa.String(length=150), nullable=False),
        sa.Column('deleted', sa.Boolean(), nullable=False),
    )
    op.create_index('ix_review_samples_learner_id', 'review_samples', ['learner_id'])
    op.create_index('ix_review_samples_review_id', 'review_samples', ['review_id'])
    op.create_index('ix_review_samples_rev', 'review_samples', ['rev'])


def downgrade() -> None:
    op.drop_index('ix_review_samples_rev', table_name='review_samples')
    op.drop_index('ix_review_samples_review_id', table_name='review_samples')
    op.drop_index('ix_review_samples_learner_id', table_name='review_samples')
    op.drop_table('review_samples')
