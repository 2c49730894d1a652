"""Accounts: disabling, password changes, sign-in lockout, one device per laptop, the audit log.

- users: `must_change_password` (an admin's reset forces a change at the next sign-in), `password_changed_at`;
- devices: `host_name` and `app_version` as the laptop last reported them;
- sign_in_failures: failed sign-ins per username, counted in the database so every worker agrees on a lockout;
- change_log: `device_time` (the device's own time for a change, when it sends one) and an index by user;
- audit_events: admin actions, append-only (triggers refuse UPDATE and DELETE on SQLite and PostgreSQL).

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01 12:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

APPEND_ONLY_MESSAGE = 'audit_events is append-only'


def upgrade() -> None:
    # Altered in place, never by copying a table (recreate='never'): on SQLite a copy of `users` would be refused
    # while `devices` and `tokens` point at it with foreign keys on. '0' is false on both SQLite and PostgreSQL.
    with op.batch_alter_table('users', schema=None, recreate='never') as batch_op:
        batch_op.add_column(sa.Column('must_change_password', sa.Boolean(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('password_changed_at', sa.DateTime(timezone=True), nullable=True))

    with op.batch_alter_table('devices', schema=None, recreate='never') as batch_op:
        batch_op.add_column(sa.Column('host_name', sa.String(length=200), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('app_version', sa.String(length=50), nullable=False, server_default=''))

    with op.batch_alter_table('change_log', schema=None, recreate='never') as batch_op:
        batch_op.add_column(sa.Column('device_time', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index('ix_change_log_user', ['user_id'], unique=False)

    op.create_table('sign_in_failures',
    sa.Column('username', sa.String(length=150), nullable=False),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.Column('window_started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('locked_until', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('username')
    )

    op.create_table('audit_events',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor', sa.String(length=200), nullable=False),
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.Column('user_id', sa.String(length=36), nullable=True),
    sa.Column('learner_id', sa.String(length=36), nullable=True),
    sa.Column('device_id', sa.String(length=36), nullable=True),
    sa.Column('detail', sa.String(length=1000), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_events_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_events_learner_id'), ['learner_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_events_user_id'), ['user_id'], unique=False)

    if op.get_bind().dialect.name == 'postgresql':
        op.execute(
            "CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
            f"BEGIN RAISE EXCEPTION '{APPEND_ONLY_MESSAGE}'; END $$"
        )
        op.execute(
            "CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events "
            "FOR EACH ROW EXECUTE FUNCTION audit_events_append_only()"
        )
    else:
        for event in ('UPDATE', 'DELETE'):
            op.execute(
                f"CREATE TRIGGER audit_events_no_{event.lower()} BEFORE {event} ON audit_events "
                f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY_MESSAGE}'); END"
            )


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("DROP TRIGGER IF EXISTS audit_events_append_only ON audit_events")
        op.execute("DROP FUNCTION IF EXISTS audit_events_append_only()")
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_events_user_id'))
        batch_op.drop_index(batch_op.f('ix_audit_events_learner_id'))
        batch_op.drop_index(batch_op.f('ix_audit_events_at'))
    op.drop_table('audit_events')  # on SQLite its triggers go with it
    op.drop_table('sign_in_failures')

    # Columns are dropped in place (SQLite 3.35+), for the reason given in upgrade().
    with op.batch_alter_table('change_log', schema=None, recreate='never') as batch_op:
        batch_op.drop_index('ix_change_log_user')
        batch_op.drop_column('device_time')

    with op.batch_alter_table('devices', schema=None, recreate='never') as batch_op:
        batch_op.drop_column('app_version')
        batch_op.drop_column('host_name')

    with op.batch_alter_table('users', schema=None, recreate='never') as batch_op:
        batch_op.drop_column('password_changed_at')
        batch_op.drop_column('must_change_password')
