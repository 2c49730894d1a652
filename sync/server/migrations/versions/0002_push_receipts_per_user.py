"""Push receipts scoped to the user who sent them: primary key (user_id, change_id) instead of change_id alone.

A change id is the client's; with a receipt per change id server-wide, another user's id was answered "already
used", telling whoever tried it that someone had sent it. Per user, another user's change id is simply a fresh id.
SQLite cannot alter a primary key, so there the table is rebuilt (batch mode); PostgreSQL swaps the constraint.
Downgrading fails if two users have sent the same change id since (the old key cannot hold both).

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01 12:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None

#: PostgreSQL's name for the table's primary key, as 0001 (unnamed) made it and this revision keeps it.
PK_NAME = 'push_receipts_pkey'


def _receipts_table(key: list[str]) -> sa.Table:
    """push_receipts as 0001 made it, with `key` as its primary key (written out, as 0001 is, never imported)."""
    return sa.Table(
        'push_receipts', sa.MetaData(),
        sa.Column('change_id', sa.String(length=64), nullable=False),
        sa.Column('user_id', sa.String(length=36), nullable=False),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('rev', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint(*key),
    )


def _set_primary_key(columns: list[str]) -> None:
    if op.get_bind().dialect.name == 'sqlite':
        # Rebuilt from the written-out shape with the new key; the rows are copied across.
        with op.batch_alter_table('push_receipts', recreate='always', copy_from=_receipts_table(columns)):
            pass
    else:
        op.drop_constraint(PK_NAME, 'push_receipts', type_='primary')
        op.create_primary_key(PK_NAME, 'push_receipts', columns)


def upgrade() -> None:
    _set_primary_key(['user_id', 'change_id'])


def downgrade() -> None:
    _set_primary_key(['change_id'])
