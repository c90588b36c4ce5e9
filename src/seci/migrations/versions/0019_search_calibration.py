"""search: the confidence model fitted on the knowledge base being served (coefficients,
thresholds of the assistant's answer / choices / no-match, reliability report)

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-06 14:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0019'
down_revision: str | None = '0018'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('search_calibrations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('fitted_at', sa.DateTime(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('matcher_kind', sa.String(length=16), nullable=False),
    sa.Column('articles', sa.Integer(), nullable=False),
    sa.Column('held_out', sa.Integer(), nullable=False),
    sa.Column('from_log', sa.Integer(), nullable=False),
    sa.Column('watermark', sa.Integer(), nullable=False),
    sa.Column('coefficients', sa.JSON(), nullable=False),
    sa.Column('thresholds', sa.JSON(), nullable=False),
    sa.Column('report', sa.JSON(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'],
                            name=op.f('fk_search_calibrations_created_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_search_calibrations')),
    )


def downgrade() -> None:
    op.drop_table('search_calibrations')
