"""A conflict resolved on the laptop is resolved on the server too (issue 19): how it was resolved (kept mine, kept
theirs, combined) beside `resolved_at`, for the office's conflicts page.

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-02 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

# The lead renumbers at merge.
revision = '0023'
down_revision = '0022'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('conflicts') as batch:
        batch.add_column(sa.Column('resolution', sa.String(length=20), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('conflicts') as batch:
        batch.drop_column('resolution')
