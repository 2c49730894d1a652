"""Each review's due date and each learner's next review due, stored by the laptop's scheduling rule (due_dates.py)
for the dashboard's "reviews held on time" and "learners overdue now".

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01 16:50:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.orm import Session

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('learners', sa.Column('next_review_due', sa.Date(), nullable=True))
    op.create_index('ix_learners_next_review_due', 'learners', ['next_review_due'])
    op.add_column('reviews', sa.Column('due_by', sa.Date(), nullable=True))
    from sync.server.due_dates import refresh_learners

    refresh_learners(Session(bind=op.get_bind()), None, neighbours=False)  # 0014 adds those


def downgrade() -> None:
    op.drop_column('reviews', 'due_by')
    op.drop_index('ix_learners_next_review_due', table_name='learners')
    op.drop_column('learners', 'next_review_due')
