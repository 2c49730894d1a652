"""Each review held's neighbours, the visit dates of the learner's reviews held before and after it, and whether it
amended the learning plan against the one before (due_dates.py, the core rule); and the indexes the dashboard's
figures need (issue 15's speed): reviews (learner_id, visit_date); the reviews held by visit date and by their next
one's, with the columns the figures read; the live targets by the review they were set in and by due date; the
employers' signatures; the learners not deleted. The partial ones answer from the index alone on PostgreSQL (an
index-only scan instead of reading half a table's pages for each figure).

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-01 18:45:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.orm import Session

revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None

# As models.py's when written (a migration keeps its own copy: the models may move on).
LIVE_WHERE = "deleted IS false"
EMPLOYER_SIGNED = "deleted IS false AND role = 'employer' AND signed_at IS NOT NULL"
HELD_WHERE = "deleted IS false AND status = 'finalised' AND addendum_to_id IS NULL AND visit_date IS NOT NULL"
HELD_INCLUDE = ["learner_id", "id", "due_by", "previous_visit", "next_visit", "progress_rag", "welfare_rag"]

#: name -> (table, columns, PostgreSQL INCLUDE, predicate)
INDEXES = {
    'ix_reviews_held': ('reviews', ['visit_date'], HELD_INCLUDE, HELD_WHERE),
    'ix_reviews_held_next_visit': ('reviews', ['next_visit'], ['id', 'learner_id'], HELD_WHERE),
    'ix_targets_live_set_in': ('targets', ['set_in_review_id'], ['learner_id', 'followed_up_in_review_id'],
                               LIVE_WHERE),
    'ix_targets_live_due_date': ('targets', ['due_date'], ['learner_id', 'status'], LIVE_WHERE),
    'ix_signatures_employer_signed': ('signatures', ['review_id'], [], EMPLOYER_SIGNED),
    'ix_learners_live': ('learners', ['id'], [], LIVE_WHERE),
}


def upgrade() -> None:
    op.add_column('reviews', sa.Column('previous_visit', sa.String(10), nullable=True))
    op.add_column('reviews', sa.Column('next_visit', sa.String(10), nullable=True))
    op.add_column('reviews', sa.Column('plan_amended', sa.Boolean(), nullable=True))
    op.create_index('ix_reviews_learner_id_visit_date', 'reviews', ['learner_id', 'visit_date'])
    for name, (table, columns, include, where) in INDEXES.items():
        op.create_index(name, table, columns, postgresql_include=include, postgresql_where=sa.text(where),
                        sqlite_where=sa.text(where))
    from sync.server.due_dates import refresh_learners

    refresh_learners(Session(bind=op.get_bind()), None)


def downgrade() -> None:
    for name, (table, _columns, _include, _where) in INDEXES.items():
        op.drop_index(name, table_name=table)
    op.drop_index('ix_reviews_learner_id_visit_date', table_name='reviews')
    op.drop_column('reviews', 'plan_amended')
    op.drop_column('reviews', 'next_visit')
    op.drop_column('reviews', 'previous_visit')
