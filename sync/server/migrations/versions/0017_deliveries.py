"""Deliveries of review copies (protocol.DeliveryData, issue 15 item 4, issue 17 item 1): printed or saved on a
laptop, or e-mailed by the server, with the columns the "copies shared" figure reads; and each finalised review's
plan progress as reviewapp.core.plan_amendment records it, for "learning plans amended at reviews" (backfilled).

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-01 18:50:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Session

revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None

# Written out here rather than imported from models.py, so this revision never changes under later edits.
JSON_TYPE = sa.JSON().with_variant(postgresql.JSONB(), 'postgresql')
REV_TYPE = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def upgrade() -> None:
    op.create_table(
        'deliveries',
        sa.Column('learner_id', sa.String(length=36), nullable=False),
        sa.Column('review_id', sa.String(length=36), nullable=True),
        sa.Column('copy_for', sa.String(length=20), nullable=True),
        sa.Column('channel', sa.String(length=20), nullable=True),
        sa.Column('status', sa.String(length=20), nullable=True),
        sa.Column('delivered_at', sa.String(length=40), nullable=True),
        sa.Column('id', sa.String(length=36), primary_key=True),
        sa.Column('rev', REV_TYPE, autoincrement=False, nullable=False),
        sa.Column('data', JSON_TYPE, nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_by', sa.String(length=150), nullable=False),
        sa.Column('deleted', sa.Boolean(), nullable=False),
    )
    op.create_index('ix_deliveries_learner_id', 'deliveries', ['learner_id'])
    op.create_index('ix_deliveries_review_id', 'deliveries', ['review_id'])
    op.create_index('ix_deliveries_rev', 'deliveries', ['rev'])
    op.add_column('reviews', sa.Column('plan_progress', sa.Text(), nullable=True))
    op.add_column('reviews', sa.Column('plan_commented', sa.Boolean(), nullable=True))
    from sync.server.record_columns import backfill_plan_columns

    session = Session(bind=op.get_bind())
    backfill_plan_columns(session)
    session.flush()


def downgrade() -> None:
    op.drop_column('reviews', 'plan_commented')
    op.drop_column('reviews', 'plan_progress')
    op.drop_index('ix_deliveries_rev', table_name='deliveries')
    op.drop_index('ix_deliveries_review_id', table_name='deliveries')
    op.drop_index('ix_deliveries_learner_id', table_name='deliveries')
    op.drop_table('deliveries')
