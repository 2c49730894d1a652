"""ILR learners: the temporary "ULN to follow" (9999999999) may repeat, and each learner keeps the MIS's own
reference (LearnRefNumber), which is what tells learners with that ULN apart.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 15:40:00

The unique constraint on learners.uln becomes a unique index over every ULN but the temporary one (a partial
index: PostgreSQL and SQLite both have them). On SQLite the constraint 0001 made has no name, so the table is rebuilt
with a naming convention that names it, to drop it.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

# Written out here rather than imported, so this revision never changes under later edits.
TEMPORARY_ULN = '9999999999'
NOT_TEMPORARY = sa.text(f"uln <> '{TEMPORARY_ULN}'")


def _uln_constraint() -> str | None:
    """The name of the unique constraint on learners.uln: None on SQLite as 0001 made it, `learners_uln_key` on
    PostgreSQL, and on either after this revision was undone."""
    for constraint in sa.inspect(op.get_bind()).get_unique_constraints('learners'):
        if constraint['column_names'] == ['uln']:
            return constraint['name']
    return None


def upgrade() -> None:
    if op.get_bind().dialect.name == 'sqlite':
        name = _uln_constraint()
        with op.batch_alter_table('learners', recreate='always',
                                  naming_convention={'uq': 'uq_%(table_name)s_%(column_0_name)s'}) as batch_op:
            batch_op.drop_constraint(name or 'uq_learners_uln', type_='unique')
            batch_op.add_column(sa.Column('learner_ref', sa.String(length=12), nullable=True))
    else:
        op.drop_constraint('learners_uln_key', 'learners', type_='unique')
        op.add_column('learners', sa.Column('learner_ref', sa.String(length=12), nullable=True))
    op.create_index('ix_learners_learner_ref', 'learners', ['learner_ref'], unique=False)
    op.create_index('uq_learners_uln', 'learners', ['uln'], unique=True, sqlite_where=NOT_TEMPORARY,
                    postgresql_where=NOT_TEMPORARY)


def downgrade() -> None:
    op.drop_index('uq_learners_uln', table_name='learners')
    op.drop_index('ix_learners_learner_ref', table_name='learners')
    with op.batch_alter_table('learners') as batch_op:
        batch_op.drop_column('learner_ref')
        batch_op.create_unique_constraint('learners_uln_key', ['uln'])
