"""assistant: the shipped insult rule no longer fires on 我妈的手机, 垃圾短信 or a question
about a scam

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-07 09:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0023'
down_revision: str | None = '0022'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The insult rule as migration 0007 shipped it. Its words were found anywhere in a message:
# "我妈的手机欠费了" (妈的), "老收到垃圾短信" (垃圾) and "收到短信…是不是骗子啊" (骗子)
# went to the complaint desk as insults. A row a manager has changed since is left as it is.
SHIPPED_INSULT_PATTERN = (
    "骗子|骗钱|垃圾|坑人|坑爹|去死|他妈|妈的|tmd|傻逼|傻b|煞笔|混蛋|王八蛋|流氓|滚蛋|什么破")
# 骗子 and 骗钱 only as said of the operator (a customer asking about a scam is asking for
# help); the other words with exceptions ("!word") for the longer words that hold them.
INSULT_PATTERN = "|".join((
    "你们是骗子", "你们是不是骗子", "你们这些骗子", "你们就是骗子", "骗子公司", "骗子运营商",
    "一群骗子", "一帮骗子", "这群骗子", "这帮骗子", "都是骗子", "大骗子", "合伙骗钱", "你们骗钱",
    "就是骗钱",
    "垃圾", "!垃圾短信", "!垃圾电话", "!垃圾来电", "!垃圾邮件", "!垃圾信息", "!垃圾广告",
    "!垃圾彩信",
    "坑人", "坑爹", "去死",
    "他妈", "!他妈妈", "妈的", "!我妈的", "!俺妈的", "!咱妈的", "!老妈的", "!爸妈的",
    "!姨妈的", "!姑妈的", "!舅妈的",
    "tmd", "傻逼", "傻b", "煞笔", "混蛋", "王八蛋",
    "流氓", "!流氓软件", "!流氓短信", "!流氓扣费",
    "滚蛋", "什么破",
))


def _rules() -> sa.TableClause:
    return sa.table('assistant_handoff_rules', sa.column('kind', sa.String),
                    sa.column('reason', sa.String), sa.column('pattern', sa.String))


def _replace(old: str, new: str) -> None:
    rules = _rules()
    op.execute(rules.update()
               .where(rules.c.kind == 'keyword', rules.c.reason == 'insult',
                      rules.c.pattern == old)
               .values(pattern=new))


def upgrade() -> None:
    _replace(SHIPPED_INSULT_PATTERN, INSULT_PATTERN)


def downgrade() -> None:
    _replace(INSULT_PATTERN, SHIPPED_INSULT_PATTERN)
