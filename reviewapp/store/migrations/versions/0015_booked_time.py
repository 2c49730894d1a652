"""The booked time and length of a review's next review (issue 17 item 3): the invitation is at the time agreed.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-01 19:55:00
"""

import sqlalchemy as sa
from alembic import op

# The lead renumbers at merge: 0013 is EMAILCOPIES'.
revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('review') as batch:
        batch.add_column(sa.Column('next_review_time', sa.String(length=5), nullable=True))
        batch.add_column(sa.Column('next_review_minutes', sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('review') as batch:
        batch.drop_column('next_review_minutes')
        batch.drop_column('next_review_time')
