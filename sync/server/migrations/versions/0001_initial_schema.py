"""Initial schema: accounts, devices and tokens, caseload, syncable records, conflicts and the change log.

Revision ID: 0001
Revises:
Create Date: 2026-11-23 17:40:31.235211
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None

# Written out here rather than imported from models.py, so this revision never changes under later edits.
JSON_TYPE = sa.JSON().with_variant(postgresql.JSONB(), 'postgresql')
REV_TYPE = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def upgrade() -> None:
    op.create_table('change_log',
    sa.Column('rev', REV_TYPE, autoincrement=False, nullable=False),
    sa.Column('entity', sa.String(length=20), nullable=False),
    sa.Column('record_id', sa.String(length=36), nullable=False),
    sa.Column('op', sa.String(length=20), nullable=False),
    sa.Column('user_id', sa.String(length=36), nullable=True),
    sa.Column('device_id', sa.String(length=36), nullable=True),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('rev')
    )
    with op.batch_alter_table('change_log', schema=None) as batch_op:
        batch_op.create_index('ix_change_log_record', ['entity', 'record_id'], unique=False)

    op.create_table('conflicts',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('entity', sa.String(length=20), nullable=False),
    sa.Column('record_id', sa.String(length=36), nullable=False),
    sa.Column('field', sa.String(length=100), nullable=False),
    sa.Column('base_value', JSON_TYPE, nullable=True),
    sa.Column('server_value', JSON_TYPE, nullable=True),
    sa.Column('client_value', JSON_TYPE, nullable=True),
    sa.Column('change_id', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.String(length=36), nullable=False),
    sa.Column('device_id', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('conflicts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_conflicts_record_id'), ['record_id'], unique=False)

    op.create_table('employers',
    sa.Column('name_key', sa.String(length=200), nullable=False),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('rev', REV_TYPE, nullable=False),
    sa.Column('data', JSON_TYPE, nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_by', sa.String(length=150), nullable=False),
    sa.Column('deleted', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('employers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_employers_name_key'), ['name_key'], unique=False)
        batch_op.create_index(batch_op.f('ix_employers_rev'), ['rev'], unique=False)

    op.create_table('learners',
    sa.Column('uln', sa.String(length=10), nullable=False),
    sa.Column('employer_id', sa.String(length=36), nullable=True),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('rev', REV_TYPE, nullable=False),
    sa.Column('data', JSON_TYPE, nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_by', sa.String(length=150), nullable=False),
    sa.Column('deleted', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('uln')
    )
    with op.batch_alter_table('learners', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_learners_employer_id'), ['employer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_learners_rev'), ['rev'], unique=False)

    op.create_table('otj_entries',
    sa.Column('learner_id', sa.String(length=36), nullable=False),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('rev', REV_TYPE, nullable=False),
    sa.Column('data', JSON_TYPE, nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_by', sa.String(length=150), nullable=False),
    sa.Column('deleted', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('otj_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_otj_entries_learner_id'), ['learner_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_otj_entries_rev'), ['rev'], unique=False)

    op.create_table('plan_items',
    sa.Column('learner_id', sa.String(length=36), nullable=False),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('rev', REV_TYPE, nullable=False),
    sa.Column('data', JSON_TYPE, nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_by', sa.String(length=150), nullable=False),
    sa.Column('deleted', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('plan_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_plan_items_learner_id'), ['learner_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_plan_items_rev'), ['rev'], unique=False)

    op.create_table('push_receipts',
    sa.Column('change_id', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.String(length=36), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('rev', REV_TYPE, nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('change_id')
    )
    op.create_table('reviews',
    sa.Column('learner_id', sa.String(length=36), nullable=False),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('rev', REV_TYPE, nullable=False),
    sa.Column('data', JSON_TYPE, nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_by', sa.String(length=150), nullable=False),
    sa.Column('deleted', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('reviews', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reviews_learner_id'), ['learner_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_reviews_rev'), ['rev'], unique=False)

    op.create_table('server_state',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('server_id', sa.String(length=36), nullable=False),
    sa.Column('last_rev', REV_TYPE, nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('signatures',
    sa.Column('review_id', sa.String(length=36), nullable=False),
    sa.Column('learner_id', sa.String(length=36), nullable=False),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('rev', REV_TYPE, nullable=False),
    sa.Column('data', JSON_TYPE, nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_by', sa.String(length=150), nullable=False),
    sa.Column('deleted', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('signatures', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_signatures_learner_id'), ['learner_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_signatures_rev'), ['rev'], unique=False)
        batch_op.create_index(batch_op.f('ix_signatures_review_id'), ['review_id'], unique=False)

    op.create_table('targets',
    sa.Column('learner_id', sa.String(length=36), nullable=False),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('rev', REV_TYPE, nullable=False),
    sa.Column('data', JSON_TYPE, nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_by', sa.String(length=150), nullable=False),
    sa.Column('deleted', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('targets', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_targets_learner_id'), ['learner_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_targets_rev'), ['rev'], unique=False)

    op.create_table('users',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('username', sa.String(length=150), nullable=False),
    sa.Column('display_name', sa.String(length=200), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('password_hash', sa.String(length=200), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('username')
    )
    op.create_table('assignments',
    sa.Column('learner_id', sa.String(length=36), nullable=False),
    sa.Column('assessor_id', sa.String(length=36), nullable=False),
    sa.Column('rev', REV_TYPE, nullable=False),
    sa.Column('assigned_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['assessor_id'], ['users.id'], ),
    sa.PrimaryKeyConstraint('learner_id')
    )
    with op.batch_alter_table('assignments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_assignments_assessor_id'), ['assessor_id'], unique=False)

    op.create_table('caseload_removals',
    sa.Column('rev', REV_TYPE, autoincrement=False, nullable=False),
    sa.Column('learner_id', sa.String(length=36), nullable=False),
    sa.Column('assessor_id', sa.String(length=36), nullable=False),
    sa.ForeignKeyConstraint(['assessor_id'], ['users.id'], ),
    sa.PrimaryKeyConstraint('rev')
    )
    with op.batch_alter_table('caseload_removals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_caseload_removals_assessor_id'), ['assessor_id'], unique=False)

    op.create_table('devices',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('user_id', sa.String(length=36), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_seen_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('devices', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_devices_user_id'), ['user_id'], unique=False)

    op.create_table('tokens',
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('device_id', sa.String(length=36), nullable=False),
    sa.Column('user_id', sa.String(length=36), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['device_id'], ['devices.id'], ),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], ),
    sa.PrimaryKeyConstraint('token_hash')
    )
    with op.batch_alter_table('tokens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tokens_device_id'), ['device_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('tokens', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tokens_device_id'))

    op.drop_table('tokens')
    with op.batch_alter_table('devices', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_devices_user_id'))

    op.drop_table('devices')
    with op.batch_alter_table('caseload_removals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_caseload_removals_assessor_id'))

    op.drop_table('caseload_removals')
    with op.batch_alter_table('assignments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_assignments_assessor_id'))

    op.drop_table('assignments')
    op.drop_table('users')
    with op.batch_alter_table('targets', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_targets_rev'))
        batch_op.drop_index(batch_op.f('ix_targets_learner_id'))

    op.drop_table('targets')
    with op.batch_alter_table('signatures', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_signatures_review_id'))
        batch_op.drop_index(batch_op.f('ix_signatures_rev'))
        batch_op.drop_index(batch_op.f('ix_signatures_learner_id'))

    op.drop_table('signatures')
    op.drop_table('server_state')
    with op.batch_alter_table('reviews', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reviews_rev'))
        batch_op.drop_index(batch_op.f('ix_reviews_learner_id'))

    op.drop_table('reviews')
    op.drop_table('push_receipts')
    with op.batch_alter_table('plan_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_plan_items_rev'))
        batch_op.drop_index(batch_op.f('ix_plan_items_learner_id'))

    op.drop_table('plan_items')
    with op.batch_alter_table('otj_entries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_otj_entries_rev'))
        batch_op.drop_index(batch_op.f('ix_otj_entries_learner_id'))

    op.drop_table('otj_entries')
    with op.batch_alter_table('learners', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_learners_rev'))
        batch_op.drop_index(batch_op.f('ix_learners_employer_id'))

    op.drop_table('learners')
    with op.batch_alter_table('employers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_employers_rev'))
        batch_op.drop_index(batch_op.f('ix_employers_name_key'))

    op.drop_table('employers')
    with op.batch_alter_table('conflicts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_conflicts_record_id'))

    op.drop_table('conflicts')
    with op.batch_alter_table('change_log', schema=None) as batch_op:
        batch_op.drop_index('ix_change_log_record')

    op.drop_table('change_log')
