"""The portal for learners and employers (issue 17 item 2): single-use sign-in links (digests only), the portal's
own sessions (never a staff sign-in), and what learners and employers write there (`portal_notes`, a synced record
made only at the office: ticks on targets' actions and employers' feedback).

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-01 19:50:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None

JSON_TYPE = sa.JSON().with_variant(postgresql.JSONB(), 'postgresql')
REV_TYPE = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def upgrade() -> None:
    op.create_table(
        'portal_notes',
        sa.Column('learner_id', sa.String(length=36), nullable=False),
        sa.Column('id', sa.String(length=36), primary_key=True),
        sa.Column('rev', REV_TYPE, autoincrement=False, nullable=False),
        sa.Column('data', JSON_TYPE, nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_by', sa.String(length=150), nullable=False),
        sa.Column('deleted', sa.Boolean(), nullable=False),
    )
    op.create_index('ix_portal_notes_learner_id', 'portal_notes', ['learner_id'])
    op.create_index('ix_portal_notes_rev', 'portal_notes', ['rev'])
    op.create_table(
        'portal_links',
        sa.Column('token_hash', sa.String(length=64), primary_key=True),
        sa.Column('principal_kind', sa.String(length=10), nullable=False),
        sa.Column('principal_id', sa.String(length=36), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index('ix_portal_links_expires_at', 'portal_links', ['expires_at'])
    op.create_table(
        'portal_sessions',
        sa.Column('token_hash', sa.String(length=64), primary_key=True),
        sa.Column('principal_kind', sa.String(length=10), nullable=False),
        sa.Column('principal_id', sa.String(length=36), nullable=False),
        sa.Column('csrf_token', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('last_seen_at', sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index('ix_portal_sessions_principal_id', 'portal_sessions', ['principal_id'])


def downgrade() -> None:
    op.drop_table('portal_sessions')
    op.drop_table('portal_links')
    op.drop_index('ix_portal_notes_rev', 'portal_notes')
    op.drop_index('ix_portal_notes_learner_id', 'portal_notes')
    op.drop_table('portal_notes')
