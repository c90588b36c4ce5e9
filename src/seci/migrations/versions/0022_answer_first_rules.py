"""assistant: keyword rules that answer first (a question about complaints is answered)

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-07 03:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0022'
down_revision: str | None = '0021'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The complaint rule as migration 0007 shipped it. A row a manager has changed since is left
# as it is: their rule, their choice.
SHIPPED_COMPLAINT_PATTERN = "投诉|工信部|12300|消协|消费者协会|3·15|315晚会|曝光你们|举报|起诉|打官司"


def upgrade() -> None:
    with op.batch_alter_table('assistant_handoff_rules') as batch:
        batch.add_column(sa.Column('answer_first', sa.Boolean(), nullable=False,
                                   server_default=sa.false()))
    rules = sa.table('assistant_handoff_rules', sa.column('kind', sa.String),
                     sa.column('reason', sa.String), sa.column('pattern', sa.String),
                     sa.column('answer_first', sa.Boolean))
    op.execute(rules.update()
               .where(rules.c.kind == 'keyword', rules.c.reason == 'complaint',
                      rules.c.pattern == SHIPPED_COMPLAINT_PATTERN)
               .values(answer_first=True))


def downgrade() -> None:
    with op.batch_alter_table('assistant_handoff_rules') as batch:
        batch.drop_column('answer_first')
