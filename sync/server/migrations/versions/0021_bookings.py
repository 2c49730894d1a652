"""Booked reviews (issue 17 item 3): each learner's next review as last invited (UID, SEQUENCE, start, length), so
the server's invitations are updated and cancelled under the same UID.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-01 20:05:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

# The lead renumbers at merge: 0020 is EMAILCOPIES'.
revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'bookings',
        sa.Column('learner_id', sa.String(length=36), nullable=False),
        sa.Column('uid', sa.String(length=200), nullable=False),
        sa.Column('review_id', sa.String(length=36), nullable=False),
        sa.Column('sequence', sa.Integer(), nullable=False),
        sa.Column('start_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('minutes', sa.Integer(), nullable=False),
        sa.Column('cancelled', sa.Boolean(), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('learner_id', name=op.f('pk_bookings')),
    )


def downgrade() -> None:
    op.drop_table('bookings')
