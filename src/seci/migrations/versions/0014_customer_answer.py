"""knowledge: an optional customer answer (答复口径) on articles and their versions, what
the assistant sends a customer instead of a passage of the body

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-10 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0014'
down_revision: str | None = '0013'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TABLES = ('articles', 'article_versions')


def upgrade() -> None:
    # A plain ADD COLUMN, never a batch: on SQLite a batch copies the table, and the copy
    # of article_versions would lose the trigger that keeps published versions immutable.
    # Adding a column with a default updates no row, so that trigger does not fire.
    for table in _TABLES:
        op.add_column(table, sa.Column('customer_answer', sa.Text(), nullable=False,
                                       server_default=''))


def downgrade() -> None:
    # SQLite ≥ 3.35 drops a column in place (the triggers stay).
    for table in _TABLES:
        op.drop_column(table, 'customer_answer')
