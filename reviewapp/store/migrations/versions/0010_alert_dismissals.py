"""Alerts dismissed with a reason (issue 16 item 5), here or at the office: synced both ways, never changed.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 18:45:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('alert_dismissal',
    sa.Column('learner_id', sa.String(length=36), nullable=False),
    sa.Column('alert_key', sa.String(length=200), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('dismissed_by', sa.String(length=200), nullable=False),
    sa.Column('dismissed_at', sa.String(length=32), nullable=True),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('rev', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.String(length=32), nullable=False),
    sa.Column('updated_by', sa.String(length=100), nullable=False),
    sa.Column('deleted', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['learner_id'], ['learner.id'], name=op.f('fk_alert_dismissal_learner_id_learner'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_alert_dismissal'))
    )
    with op.batch_alter_table('alert_dismissal', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_alert_dismissal_learner_id'), ['learner_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('alert_dismissal', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_alert_dismissal_learner_id'))
    op.drop_table('alert_dismissal')
