"""Whether the server has been told how a conflict was resolved here (issue 19): the next push names each conflict
resolved since, so the office's conflicts page stops showing it open. Conflicts resolved before this revision were
never told: they start untold, and the next sync tells the server (which passes over any it does not hold).

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-02 10:00:00
"""

import sqlalchemy as sa
from alembic import op

# The lead renumbers at merge.
revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('conflict') as batch:
        batch.add_column(sa.Column('server_told', sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table('conflict') as batch:
        batch.drop_column('server_told')
