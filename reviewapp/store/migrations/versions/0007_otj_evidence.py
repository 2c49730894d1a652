"""The evidence of an off-the-job log entry (issue 14 item 4): where the learning it records is shown (a portfolio
item, a certificate, a witness). Existing entries have none recorded.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 16:20:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('otj_entry', schema=None) as batch_op:
        batch_op.add_column(sa.Column('evidence', sa.Text(), nullable=False, server_default=''))


def downgrade() -> None:
    with op.batch_alter_table('otj_entry', schema=None) as batch_op:
        batch_op.drop_column('evidence')
