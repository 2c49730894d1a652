"""The archival copy of each finalised review: PDF/A-2b, signed as PAdES, kept for the retention period
(sync/server/archive).

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-01 18:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'archived_copies',
        sa.Column('review_id', sa.String(length=36), primary_key=True),
        sa.Column('learner_id', sa.String(length=36), nullable=False),
        sa.Column('content_hash', sa.String(length=64), nullable=False),
        sa.Column('pdf', sa.LargeBinary(), nullable=False),
        sa.Column('pdf_sha256', sa.String(length=64), nullable=False),
        sa.Column('signer', sa.String(length=500), nullable=False),
        sa.Column('certificate_sha256', sa.String(length=64), nullable=False),
        sa.Column('self_signed', sa.Boolean(), nullable=False),
        sa.Column('archived_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('keep_until', sa.Date(), nullable=True),
    )
    op.create_index('ix_archived_copies_learner_id', 'archived_copies', ['learner_id'])
    op.create_index('ix_archived_copies_keep_until', 'archived_copies', ['keep_until'])


def downgrade() -> None:
    op.drop_index('ix_archived_copies_keep_until', table_name='archived_copies')
    op.drop_index('ix_archived_copies_learner_id', table_name='archived_copies')
    op.drop_table('archived_copies')
