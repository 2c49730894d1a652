"""Plan templates per standard (issue 14 item 3): the items of a standard's learning plan, entered once
(`reviewapp-server import-plans`) and copied into each learner's plan on that standard.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 16:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'plan_template_items',
        sa.Column('id', sa.String(length=36), primary_key=True),
        sa.Column('standard_key', sa.String(length=200), nullable=False),
        sa.Column('standard', sa.String(length=200), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('code', sa.String(length=50), nullable=False),
        sa.Column('title', sa.Text(), nullable=False),
        sa.Column('planned_date', sa.Date(), nullable=True),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index('ix_plan_template_items_standard_key', 'plan_template_items', ['standard_key'])


def downgrade() -> None:
    op.drop_index('ix_plan_template_items_standard_key', table_name='plan_template_items')
    op.drop_table('plan_template_items')
