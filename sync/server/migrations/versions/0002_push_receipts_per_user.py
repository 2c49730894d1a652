"""Push receipts scoped to the user who sent them (reserved slot).

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01 12:40:00
"""

from __future__ import annotations

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass  # slot reserved; filled in by the change that needs it


def downgrade() -> None:
    pass
