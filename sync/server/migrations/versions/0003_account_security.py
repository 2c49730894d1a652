"""Accounts: disabling, password changes, sign-in lockout, one device per laptop, the audit log (reserved slot).

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01 12:40:00
"""

from __future__ import annotations

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass  # slot reserved; filled in by the change that needs it


def downgrade() -> None:
    pass
