"""Provider settings set at the office for every laptop (name, logo, review schedule) and review template versions.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 16:30:00

Only new tables, so it depends on nothing else the earlier revisions add.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

# Written out here rather than imported from models.py, so this revision never changes under later edits.
JSON_TYPE = sa.JSON().with_variant(postgresql.JSONB(), 'postgresql')


def upgrade() -> None:
    op.create_table('provider_settings',
    sa.Column('key', sa.String(length=40), nullable=False),
    sa.Column('value', JSON_TYPE, nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_by', sa.String(length=200), nullable=False),
    sa.PrimaryKeyConstraint('key')
    )
    op.create_table('review_templates',
    sa.Column('template_id', sa.String(length=100), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('body', JSON_TYPE, nullable=False),
    sa.Column('added_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('added_by', sa.String(length=200), nullable=False),
    sa.PrimaryKeyConstraint('template_id', 'version')
    )


def downgrade() -> None:
    op.drop_table('review_templates')
    op.drop_table('provider_settings')
