"""Each review held's neighbours, the visit dates of the learner's reviews held before and after it (due_dates.py),
and the indexes the dashboard's figures need (issue 15's speed): reviews (learner_id, visit_date), next_visit, and the
reviews held by visit date with the columns the figures read (an index-only scan on PostgreSQL).

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-01 18:45:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.orm import Session

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None

#: As models.HELD_WHERE / HELD_INCLUDE when written (a migration keeps its own copy: the models may move on).
HELD_WHERE = "deleted IS false AND status = 'finalised' AND addendum_to_id IS NULL AND visit_date IS NOT NULL"
HELD_INCLUDE = ["learner_id", "id", "due_by", "previous_visit", "next_visit", "progress_rag", "welfare_rag"]


def upgrade() -> None:
    op.add_column('reviews', sa.Column('previous_visit', sa.String(10), nullable=True))
    op.add_column('reviews', sa.Column('next_visit', sa.String(10), nullable=True))
    op.create_index('ix_reviews_next_visit', 'reviews', ['next_visit'])
    op.create_index('ix_reviews_learner_id_visit_date', 'reviews', ['learner_id', 'visit_date'])
    op.create_index('ix_reviews_held', 'reviews', ['visit_date'], postgresql_include=HELD_INCLUDE,
                    postgresql_where=sa.text(HELD_WHERE), sqlite_where=sa.text(HELD_WHERE))
    from sync.server.due_dates import refresh_learners

    refresh_learners(Session(bind=op.get_bind()), None)


def downgrade() -> None:
    op.drop_index('ix_reviews_held', table_name='reviews')
    op.drop_index('ix_reviews_learner_id_visit_date', table_name='reviews')
    op.drop_index('ix_reviews_next_visit', table_name='reviews')
    op.drop_column('reviews', 'next_visit')
    op.drop_column('reviews', 'previous_visit')
