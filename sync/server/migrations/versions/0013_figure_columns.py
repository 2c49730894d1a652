"""The fields the dashboard's figures read, as indexed columns copied from each record's `data` when written
(record_columns.py): reviews' status, visit date, finalised at, addendum to, progress and welfare RAG; targets' set
in, followed up in, status and due date; signatures' role and signed at. Backfilled from `data`.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-01 17:15:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.orm import Session

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None

COLUMNS = {
    'reviews': (('status', 20), ('visit_date', 10), ('finalised_at', 40), ('addendum_to_id', 36),
                ('progress_rag', 10), ('welfare_rag', 10)),
    'targets': (('set_in_review_id', 36), ('followed_up_in_review_id', 36), ('status', 20), ('due_date', 10)),
    'signatures': (('role', 20), ('signed_at', 40)),
}
INDEXES = (('reviews', 'visit_date'), ('targets', 'set_in_review_id'), ('targets', 'due_date'))


def upgrade() -> None:
    for table, columns in COLUMNS.items():
        for name, length in columns:
            op.add_column(table, sa.Column(name, sa.String(length), nullable=True))
    for table, column in INDEXES:
        op.create_index(f'ix_{table}_{column}', table, [column])
    from sync.server.record_columns import backfill

    backfill(Session(bind=op.get_bind()))


def downgrade() -> None:
    for table, column in INDEXES:
        op.drop_index(f'ix_{table}_{column}', table_name=table)
    for table, columns in COLUMNS.items():
        for name, _length in columns:
            op.drop_column(table, name)
