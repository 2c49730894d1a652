"""Where each assignment came from: the office (an admin's `assign`) or an MIS file, so a re-import keeps the
office's (issue 14, item 5).

Revision ID: 0005
Revises: 0004
Create Date: 2027-01-10 15:30:00

Assignments already made are the office's unless the change log shows the caseload import made them (the rev of
an assignment is the rev its `assigned` or `removed` change was logged under, by `caseload-import`): when in doubt
the office's, since keeping an assignment the MIS would have changed is reported, and reverting an admin's is not.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('assignments') as batch:
        batch.add_column(sa.Column('source', sa.String(length=10), nullable=False, server_default='office'))
    op.execute("UPDATE assignments SET source = 'mis' WHERE rev IN "
               "(SELECT rev FROM change_log WHERE user_id = 'caseload-import' AND op IN ('assigned', 'removed'))")


def downgrade() -> None:
    with op.batch_alter_table('assignments') as batch:
        batch.drop_column('source')
