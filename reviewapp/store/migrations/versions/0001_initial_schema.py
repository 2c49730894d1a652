"""Initial schema of the local database: the synced records, the outbox, sync state and settings.

Revision ID: 0001
Revises: 
Create Date: 2026-11-23 17:40:14.931704
"""

from alembic import op
import sqlalchemy as sa


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table('employer',
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('contact_name', sa.String(length=200), nullable=False),
    sa.Column('contact_email', sa.String(length=200), nullable=False),
    sa.Column('contact_phone', sa.String(length=50), nullable=False),
    sa.Column('address', sa.Text(), nullable=False),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('rev', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.String(length=32), nullable=False),
    sa.Column('updated_by', sa.String(length=100), nullable=False),
    sa.Column('deleted', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_employer'))
    )
    op.create_table('outbox',
    sa.Column('seq', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('change_id', sa.String(length=36), nullable=False),
    sa.Column('entity', sa.String(length=20), nullable=False),
    sa.Column('record_id', sa.String(length=36), nullable=False),
    sa.Column('op', sa.String(length=10), nullable=False),
    sa.Column('base_rev', sa.Integer(), nullable=False),
    sa.Column('base', sa.JSON(), nullable=False),
    sa.Column('fields', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.String(length=32), nullable=False),
    sa.Column('updated_at', sa.String(length=32), nullable=False),
    sa.PrimaryKeyConstraint('seq', name=op.f('pk_outbox')),
    sa.UniqueConstraint('change_id', name=op.f('uq_outbox_change_id')),
    sa.UniqueConstraint('entity', 'record_id', name=op.f('uq_outbox_entity'))
    )
    op.create_table('setting',
    sa.Column('key', sa.String(length=100), nullable=False),
    sa.Column('value', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_setting'))
    )
    op.create_table('sync_state',
    sa.Column('key', sa.String(length=50), nullable=False),
    sa.Column('value', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_sync_state'))
    )
    op.create_table('learner',
    sa.Column('uln', sa.String(length=10), nullable=False),
    sa.Column('first_name', sa.String(length=100), nullable=False),
    sa.Column('last_name', sa.String(length=100), nullable=False),
    sa.Column('date_of_birth', sa.Date(), nullable=True),
    sa.Column('email', sa.String(length=200), nullable=False),
    sa.Column('phone', sa.String(length=50), nullable=False),
    sa.Column('employer_id', sa.String(length=36), nullable=True),
    sa.Column('programme', sa.String(length=200), nullable=False),
    sa.Column('level', sa.Integer(), nullable=True),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('planned_end_date', sa.Date(), nullable=True),
    sa.Column('planned_otj_hours', sa.Float(), nullable=False),
    sa.Column('assessor', sa.String(length=100), nullable=False),
    sa.Column('support_needs', sa.Text(), nullable=False),
    sa.Column('starting_points', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('rev', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.String(length=32), nullable=False),
    sa.Column('updated_by', sa.String(length=100), nullable=False),
    sa.Column('deleted', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['employer_id'], ['employer.id'], name=op.f('fk_learner_employer_id_employer')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_learner'))
    )
    with op.batch_alter_table('learner', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_learner_employer_id'), ['employer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_learner_uln'), ['uln'], unique=False)

    op.create_table('otj_entry',
    sa.Column('learner_id', sa.String(length=36), nullable=False),
    sa.Column('date', sa.Date(), nullable=False),
    sa.Column('hours', sa.Float(), nullable=False),
    sa.Column('activity', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('rev', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.String(length=32), nullable=False),
    sa.Column('updated_by', sa.String(length=100), nullable=False),
    sa.Column('deleted', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['learner_id'], ['learner.id'], name=op.f('fk_otj_entry_learner_id_learner'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_otj_entry'))
    )
    with op.batch_alter_table('otj_entry', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_otj_entry_learner_id'), ['learner_id'], unique=False)

    op.create_table('plan_item',
    sa.Column('learner_id', sa.String(length=36), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('code', sa.String(length=50), nullable=False),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('progress', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('rev', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.String(length=32), nullable=False),
    sa.Column('updated_by', sa.String(length=100), nullable=False),
    sa.Column('deleted', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['learner_id'], ['learner.id'], name=op.f('fk_plan_item_learner_id_learner'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plan_item'))
    )
    with op.batch_alter_table('plan_item', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_plan_item_learner_id'), ['learner_id'], unique=False)

    op.create_table('review',
    sa.Column('learner_id', sa.String(length=36), nullable=False),
    sa.Column('template_id', sa.String(length=100), nullable=False),
    sa.Column('template_version', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('assessor', sa.String(length=100), nullable=False),
    sa.Column('visit_date', sa.Date(), nullable=True),
    sa.Column('answers', sa.JSON(), nullable=False),
    sa.Column('progress_rag', sa.String(length=5), nullable=True),
    sa.Column('welfare_rag', sa.String(length=5), nullable=True),
    sa.Column('next_review_date', sa.Date(), nullable=True),
    sa.Column('next_review_reason', sa.Text(), nullable=False),
    sa.Column('finalised_at', sa.String(length=32), nullable=True),
    sa.Column('content_hash', sa.String(length=64), nullable=True),
    sa.Column('void_reason', sa.Text(), nullable=False),
    sa.Column('addendum_to_id', sa.String(length=36), nullable=True),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('rev', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.String(length=32), nullable=False),
    sa.Column('updated_by', sa.String(length=100), nullable=False),
    sa.Column('deleted', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['addendum_to_id'], ['review.id'], name=op.f('fk_review_addendum_to_id_review')),
    sa.ForeignKeyConstraint(['learner_id'], ['learner.id'], name=op.f('fk_review_learner_id_learner'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_review'))
    )
    with op.batch_alter_table('review', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_review_learner_id'), ['learner_id'], unique=False)

    op.create_table('signature',
    sa.Column('review_id', sa.String(length=36), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('signed_at', sa.String(length=32), nullable=True),
    sa.Column('image_png', sa.Text(), nullable=True),
    sa.Column('strokes', sa.JSON(), nullable=False),
    sa.Column('absent_reason', sa.Text(), nullable=False),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('rev', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.String(length=32), nullable=False),
    sa.Column('updated_by', sa.String(length=100), nullable=False),
    sa.Column('deleted', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['review_id'], ['review.id'], name=op.f('fk_signature_review_id_review'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_signature'))
    )
    with op.batch_alter_table('signature', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_signature_review_id'), ['review_id'], unique=False)

    op.create_table('target',
    sa.Column('learner_id', sa.String(length=36), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('due_date', sa.Date(), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('actions', sa.JSON(), nullable=False),
    sa.Column('set_in_review_id', sa.String(length=36), nullable=True),
    sa.Column('followed_up_in_review_id', sa.String(length=36), nullable=True),
    sa.Column('follow_up_comment', sa.Text(), nullable=False),
    sa.Column('carried_from_id', sa.String(length=36), nullable=True),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('rev', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.String(length=32), nullable=False),
    sa.Column('updated_by', sa.String(length=100), nullable=False),
    sa.Column('deleted', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['carried_from_id'], ['target.id'], name=op.f('fk_target_carried_from_id_target'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['followed_up_in_review_id'], ['review.id'], name=op.f('fk_target_followed_up_in_review_id_review'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['learner_id'], ['learner.id'], name=op.f('fk_target_learner_id_learner'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['set_in_review_id'], ['review.id'], name=op.f('fk_target_set_in_review_id_review'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_target'))
    )
    with op.batch_alter_table('target', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_target_learner_id'), ['learner_id'], unique=False)




def downgrade() -> None:

    with op.batch_alter_table('target', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_target_learner_id'))

    op.drop_table('target')
    with op.batch_alter_table('signature', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_signature_review_id'))

    op.drop_table('signature')
    with op.batch_alter_table('review', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_review_learner_id'))

    op.drop_table('review')
    with op.batch_alter_table('plan_item', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_plan_item_learner_id'))

    op.drop_table('plan_item')
    with op.batch_alter_table('otj_entry', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_otj_entry_learner_id'))

    op.drop_table('otj_entry')
    with op.batch_alter_table('learner', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_learner_uln'))
        batch_op.drop_index(batch_op.f('ix_learner_employer_id'))

    op.drop_table('learner')
    op.drop_table('sync_state')
    op.drop_table('setting')
    op.drop_table('outbox')
    op.drop_table('employer')

