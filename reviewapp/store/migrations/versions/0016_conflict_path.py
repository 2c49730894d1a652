"""Where in a field a conflict is and who changed the server's side, on which device (issue 19 item 2): a review's
answers conflict per question, and the dialog names the question and the person.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-01 23:25:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('conflict') as batch:
        batch.add_column(sa.Column('path', sa.JSON(), nullable=True))
        batch.add_column(sa.Column('base_at_path', sa.JSON(), nullable=True))
        batch.add_column(sa.Column('mine_at_path', sa.JSON(), nullable=True))
        batch.add_column(sa.Column('theirs_at_path', sa.JSON(), nullable=True))
        batch.add_column(sa.Column('their_device', sa.String(length=150), nullable=False, server_default=''))


def downgrade() -> None:
    with op.batch_alter_table('conflict') as batch:
        for name in ('their_device', 'theirs_at_path', 'mine_at_path', 'base_at_path', 'path'):
            batch.drop_column(name)
