"""A learner's own review frequency, agreed with the employer (issue 14 item 8): the interval as an ISO 8601
duration ("P10W", "P3M"; empty for the provider's schedule), the reason, and who at the employer agreed and when.
Existing learners follow the provider's schedule, as before.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 15:30:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('learner', schema=None) as batch_op:
        batch_op.add_column(sa.Column('review_interval', sa.String(length=8), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('review_interval_reason', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('review_interval_agreed_by', sa.String(length=200), nullable=False,
                                      server_default=''))
        batch_op.add_column(sa.Column('review_interval_agreed_on', sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('learner', schema=None) as batch_op:
        batch_op.drop_column('review_interval_agreed_on')
        batch_op.drop_column('review_interval_agreed_by')
        batch_op.drop_column('review_interval_reason')
        batch_op.drop_column('review_interval')
