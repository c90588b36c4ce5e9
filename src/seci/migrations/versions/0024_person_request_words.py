"""assistant: the shipped "asks for a person" rule knows more of how customers ask (找人工,
联系人工, 人工在哪 …)

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-08 03:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0024'
down_revision: str | None = '0023'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The explicit-request rule as migration 0007 shipped it: "怎么联系人工", "找人工" and
# "人工在哪" were searched (and answered with "no good answer") instead of handed over.
# A row a manager has changed since is left as it is.
SHIPPED_REQUEST_PATTERN = "转人工|人工客服|人工服务|人工坐席|接人工|要人工|找客服|真人|=人工|=客服|=转接"
REQUEST_PATTERN = SHIPPED_REQUEST_PATTERN + "|" + "|".join((
    "找人工", "联系人工", "叫人工", "换人工", "人工台", "有人工吗", "有没有人工", "人工呢",
    "人工在吗", "人工在哪", "活人",
))


def _rules() -> sa.TableClause:
    return sa.table('assistant_handoff_rules', sa.column('kind', sa.String),
                    sa.column('reason', sa.String), sa.column('pattern', sa.String))


def _replace(old: str, new: str) -> None:
    rules = _rules()
    op.execute(rules.update()
               .where(rules.c.kind == 'keyword', rules.c.reason == 'explicit_request',
                      rules.c.pattern == old)
               .values(pattern=new))


def upgrade() -> None:
    _replace(SHIPPED_REQUEST_PATTERN, REQUEST_PATTERN)


def downgrade() -> None:
    _replace(REQUEST_PATTERN, SHIPPED_REQUEST_PATTERN)
