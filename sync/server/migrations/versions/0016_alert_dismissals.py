"""Alerts dismissed with a reason (protocol.AlertDismissalData, protocol 4), from laptops and the web app.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-01 18:45:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None

# Written out here rather than imported from models.py, so this revision never changes under later edits.
JSON_TYPE = sa.JSON().with_variant(postgresql.JSONB(), 'postgresql')
REV_TYPE = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def upgrade() -> None:
    op.create_table(
        'alert_dismissals',
        sa.Column('learner_id', sa.String(length=36), nullable=False),
        sa.Column('alert_key', sa.String(length=200), nullable=False),
        sa.Column('id', sa.String(length=36), primary_key=True),
        sa.Column('rev', REV_TYPE, autoincrement=False, nullable=False),
        sa.Column('data', JSON_TYPE, nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_by', sa.String(length=150), nullable=False),
        sa.Column('deleted', sa.Boolean(), nullable=False),
    )
    op.create_index('ix_alert_dismissals_learner_id', 'alert_dismissals', ['learner_id'])
    op.create_index('ix_alert_dismissals_rev', 'alert_dismissals', ['rev'])


def downgrade() -> None:
    op.drop_index('ix_alert_dismissals_rev', table_name='alert_dismissals')
    op.drop_index('ix_alert_dismissals_learner_id', table_name='alert_dismissals')
    op.drop_table('alert_dismissals')
