"""MIS imports committed in chunks under one import record (reserved slot).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 12:40:00
"""

from __future__ import annotations

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass  # slot reserved; filled in by the change that needs it


def downgrade() -> None:
    pass
