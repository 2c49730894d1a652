"""Saved copies inside the encrypted caseload: the PDFs printed (signed review copies, pre-visit packs), which were
plain files under <data-dir>/reviews/ holding welfare answers. Old plain files are moved in when the caseload is
next opened (`reviewapp.store.saved_copies.adopt_plain_copies`), not here: that needs the key and the learners.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 12:40:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('saved_copy',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('learner_id', sa.String(length=36), nullable=False),
    sa.Column('review_id', sa.String(length=36), nullable=True),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('file_name', sa.String(length=255), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.String(length=32), nullable=False),
    sa.Column('pdf', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['learner_id'], ['learner.id'], name=op.f('fk_saved_copy_learner_id_learner'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_saved_copy'))
    )
    with op.batch_alter_table('saved_copy', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_saved_copy_learner_id'), ['learner_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('saved_copy', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_saved_copy_learner_id'))
    op.drop_table('saved_copy')
