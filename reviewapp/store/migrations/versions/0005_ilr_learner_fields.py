"""The learner's MIS reference (the ILR's LearnRefNumber) and standard code, as the server now sends them.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 15:45:00

The laptop's learner table holds every synced field as a column; these two arrived with the ILR import. The ULN
index was never unique here, so the temporary "ULN to follow" (9999999999) may repeat as it is.
"""

from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('learner', schema=None) as batch_op:
        batch_op.add_column(sa.Column('learner_ref', sa.String(length=12), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('standard_code', sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('learner', schema=None) as batch_op:
        batch_op.drop_column('standard_code')
        batch_op.drop_column('learner_ref')
