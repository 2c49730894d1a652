"""The durable e-mail outbox (sync/server/mail), and on PostgreSQL the job queue's own schema (procrastinate's,
in the schema `reviewapp_jobs`, apart from the server's tables).

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-01 18:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None

Timestamp = sa.DateTime(timezone=True)


def upgrade() -> None:
    json_type = sa.JSON().with_variant(sa.dialects.postgresql.JSONB(), 'postgresql')
    op.create_table(
        'mail_outbox',
        sa.Column('id', sa.String(36), primary_key=True),
        sa.Column('key', sa.String(200), nullable=False, unique=True),
        sa.Column('kind', sa.String(40), nullable=False),
        sa.Column('message_id', sa.String(250), nullable=False),
        sa.Column('to_address', sa.String(254), nullable=False),
        sa.Column('subject', sa.String(300), nullable=False),
        sa.Column('body_text', sa.Text(), nullable=False),
        sa.Column('body_html', sa.Text(), nullable=True),
        sa.Column('ics', sa.Text(), nullable=True),
        sa.Column('attachments', json_type, nullable=False),
        sa.Column('status', sa.String(24), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('next_attempt_at', Timestamp, nullable=False),
        sa.Column('claim', sa.String(36), nullable=True),
        sa.Column('lease_until', Timestamp, nullable=True),
        sa.Column('last_error', sa.String(500), nullable=False),
        sa.Column('created_at', Timestamp, nullable=False),
        sa.Column('sent_at', Timestamp, nullable=True),
    )
    op.create_index('ix_mail_outbox_kind', 'mail_outbox', ['kind'])
    op.create_index('ix_mail_outbox_due', 'mail_outbox', ['status', 'next_attempt_at'])
    if op.get_bind().dialect.name == 'postgresql':
        from sync.server.mail.jobs import install_job_schema

        install_job_schema(op.get_bind())


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('DROP SCHEMA IF EXISTS reviewapp_jobs CASCADE')
    op.drop_index('ix_mail_outbox_due', table_name='mail_outbox')
    op.drop_index('ix_mail_outbox_kind', table_name='mail_outbox')
    op.drop_table('mail_outbox')
