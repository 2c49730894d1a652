"""Safeguarding and learning support cases (issue 16): concerns raised on a laptop without a review (pushed, never
pulled), cases (their `data` the small status the raising assessor's laptop pulls), the case log and the log of
every opening of a case page, both append-only (triggers refuse UPDATE and DELETE, as for audit_events).

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-01 18:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None

# Written out here rather than imported from models.py, so this revision never changes under later edits.
JSON_TYPE = sa.JSON().with_variant(postgresql.JSONB(), 'postgresql')
REV_TYPE = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')
APPEND_ONLY = ('case_log', 'case_views')
APPEND_ONLY_MESSAGE = 'this table is append-only'


def _record_columns() -> list[sa.Column]:
    return [
        sa.Column('id', sa.String(length=36), primary_key=True),
        sa.Column('rev', REV_TYPE, autoincrement=False, nullable=False),
        sa.Column('data', JSON_TYPE, nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_by', sa.String(length=150), nullable=False),
        sa.Column('deleted', sa.Boolean(), nullable=False),
    ]


def upgrade() -> None:
    op.create_table('concerns', sa.Column('learner_id', sa.String(length=36), nullable=False), *_record_columns())
    op.create_index('ix_concerns_learner_id', 'concerns', ['learner_id'])
    op.create_index('ix_concerns_rev', 'concerns', ['rev'])

    op.create_table(
        'cases',
        sa.Column('learner_id', sa.String(length=36), nullable=False),
        sa.Column('review_id', sa.String(length=36), nullable=True),
        sa.Column('concern_id', sa.String(length=36), nullable=True),
        sa.Column('route', sa.String(length=20), nullable=False),
        sa.Column('urgency', sa.String(length=10), nullable=False),
        sa.Column('state', sa.String(length=20), nullable=False),
        sa.Column('raised_by_id', sa.String(length=36), nullable=False),
        sa.Column('raised_by', sa.String(length=200), nullable=False),
        sa.Column('raised_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('recorded', JSON_TYPE, nullable=False),
        *_record_columns(),
    )
    for column in ('learner_id', 'route', 'state', 'raised_by_id', 'received_at', 'rev'):
        op.create_index(f'ix_cases_{column}', 'cases', [column])
    op.create_index('uq_cases_review_route', 'cases', ['review_id', 'route'], unique=True)
    op.create_index('uq_cases_concern', 'cases', ['concern_id'], unique=True)

    op.create_table(
        'case_log',
        sa.Column('id', sa.String(length=36), primary_key=True),
        sa.Column('case_id', sa.String(length=36), sa.ForeignKey('cases.id'), nullable=False),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('by_id', sa.String(length=36), nullable=True),
        sa.Column('by_name', sa.String(length=200), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
    )
    op.create_index('ix_case_log_case_id', 'case_log', ['case_id'])
    op.create_table(
        'case_views',
        sa.Column('id', sa.String(length=36), primary_key=True),
        sa.Column('case_id', sa.String(length=36), sa.ForeignKey('cases.id'), nullable=False),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('user_id', sa.String(length=36), nullable=False),
        sa.Column('username', sa.String(length=150), nullable=False),
        sa.Column('role', sa.String(length=20), nullable=False),
    )
    op.create_index('ix_case_views_case_id', 'case_views', ['case_id'])

    for table in APPEND_ONLY:
        if op.get_bind().dialect.name == 'postgresql':
            op.execute(f"CREATE FUNCTION {table}_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
                       f"BEGIN RAISE EXCEPTION '{APPEND_ONLY_MESSAGE}'; END $$")
            op.execute(f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                       f"FOR EACH ROW EXECUTE FUNCTION {table}_append_only()")
        else:
            for event in ('UPDATE', 'DELETE'):
                op.execute(f"CREATE TRIGGER {table}_no_{event.lower()} BEFORE {event} ON {table} "
                           f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY_MESSAGE}'); END")


def downgrade() -> None:
    for table in APPEND_ONLY:
        if op.get_bind().dialect.name == 'postgresql':
            op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
            op.execute(f"DROP FUNCTION IF EXISTS {table}_append_only()")
    op.drop_table('case_views')
    op.drop_table('case_log')
    op.drop_table('cases')
    op.drop_table('concerns')
