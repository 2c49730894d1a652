"""What learners and employers write in the portal (issue 17 item 2): ticks on their targets' actions and the
employer's feedback for the next review, pulled from the office, read-only on the laptop.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-01 19:50:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('portal_note',
    sa.Column('learner_id', sa.String(length=36), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('target_id', sa.String(length=36), nullable=True),
    sa.Column('action', sa.Text(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('written_by', sa.String(length=200), nullable=False),
    sa.Column('written_at', sa.String(length=32), nullable=True),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('rev', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.String(length=32), nullable=False),
    sa.Column('updated_by', sa.String(length=100), nullable=False),
    sa.Column('deleted', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['learner_id'], ['learner.id'], name=op.f('fk_portal_note_learner_id_learner'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_portal_note'))
    )
    with op.batch_alter_table('portal_note', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_portal_note_learner_id'), ['learner_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('portal_note', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_portal_note_learner_id'))
    op.drop_table('portal_note')
