"""Per-question merge (issue 19 item 1): a conflict names the path inside its field (a question, a list item's id)
and who changed the server's value, on which device and when, so a person can read it and nothing is dropped.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-01 22:45:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

# The lead renumbers at merge.
revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None

JSON_TYPE = sa.JSON().with_variant(postgresql.JSONB(), 'postgresql')


def upgrade() -> None:
    with op.batch_alter_table('conflicts') as batch:
        batch.add_column(sa.Column('path', JSON_TYPE, nullable=True))
        batch.add_column(sa.Column('server_changed_by', sa.String(length=100), nullable=True))
        batch.add_column(sa.Column('server_changed_device', sa.String(length=64), nullable=True))
        batch.add_column(sa.Column('server_changed_at', sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('conflicts') as batch:
        batch.drop_column('server_changed_at')
        batch.drop_column('server_changed_device')
        batch.drop_column('server_changed_by')
        batch.drop_column('path')
