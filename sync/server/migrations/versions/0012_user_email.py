"""An optional e-mail address on each account, set by an admin (the office web app's user form).

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01 16:55:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Never recreated: devices, tokens and sessions point at users with foreign keys on (as in 0003).
    with op.batch_alter_table('users', schema=None, recreate='never') as batch:
        batch.add_column(sa.Column('email', sa.String(length=254), nullable=False, server_default=''))


def downgrade() -> None:
    with op.batch_alter_table('users', schema=None, recreate='never') as batch:
        batch.drop_column('email')
