"""Learning plans and starting points (issue 14 item 3): a plan item's planned date and its initial assessment
(a starting percentage, on the scale of its progress, with a note), and the learner's English and maths levels at
the start. Existing items have no planned date and no starting point recorded; existing learners no levels.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 16:20:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('plan_item', schema=None) as batch_op:
        batch_op.add_column(sa.Column('planned_date', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('starting_value', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('starting_note', sa.Text(), nullable=False, server_default=''))
    with op.batch_alter_table('learner', schema=None) as batch_op:
        batch_op.add_column(sa.Column('english_level_at_start', sa.String(length=50), nullable=False,
                                      server_default=''))
        batch_op.add_column(sa.Column('maths_level_at_start', sa.String(length=50), nullable=False,
                                      server_default=''))


def downgrade() -> None:
    with op.batch_alter_table('learner', schema=None) as batch_op:
        batch_op.drop_column('maths_level_at_start')
        batch_op.drop_column('english_level_at_start')
    with op.batch_alter_table('plan_item', schema=None) as batch_op:
        batch_op.drop_column('starting_note')
        batch_op.drop_column('starting_value')
        batch_op.drop_column('planned_date')
