"""Whether a learner, and an employer's contact, agreed to be e-mailed their copies of each review (issue 17 item 1):
the server e-mails a copy only to someone who agreed.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-01 19:40:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    for table in ('learner', 'employer'):
        with op.batch_alter_table(table) as batch_op:
            batch_op.add_column(sa.Column('email_consent', sa.Boolean(), nullable=True))


def downgrade() -> None:
    for table in ('learner', 'employer'):
        with op.batch_alter_table(table) as batch_op:
            batch_op.drop_column('email_consent')
