"""Questions about another operator's business are not answered with ours: the customer
is told whose business it is. Which operator is ours comes from the knowledge base."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from seci.assistant.models import Kind
from seci.assistant.operators import OPERATORS, other_operator, own_operator
from tests.assistant.conftest import Hotline, _add, new_conversation, say

MOBILE, UNICOM, TELECOM, _BROADCAST = OPERATORS


def test_our_operator_is_the_one_the_articles_name_clearly() -> None:
    assert own_operator(["拨打10086查询", "中国移动宽带资费", "移动营业厅办理"]) == MOBILE
    assert own_operator(["拨打10086查询", "中国移动宽带"]) is None  # too few articles
    # Named alike (a comparison table, a porting guide): no guess.
    assert own_operator(["中国移动", "中国移动", "中国移动", "联通转入", "中国联通"]) is None
    assert own_operator(["中国移动"] * 6 + ["联通用户携号转入"]) == MOBILE
    assert own_operator(["宽带报修", "话费查询", "套餐变更"]) is None


@pytest.mark.parametrize(("message", "other"), [
    ("联通那边千兆宽带一年多少钱啊？", UNICOM),
    ("我家装的是聯通的款带，他们千兆一年多少钱", UNICOM),  # traditional 聯 normalised
    ("电信的套餐现在有什么优惠", TELECOM),
    ("翼支付怎么解绑银行卡", TELECOM),
    ("我想从联通携号转网过来要什么条件", None),  # porting is ours
    ("联通的授权码怎么查", None),
    ("联通和中国移动的宽带哪个便宜", None),  # ours named too
    ("接到电信诈骗电话怎么办", None),  # 电信 alone is no operator
    ("工信部的电信申诉多久处理", None),
    ("宽带怎么报修", None),
])
def test_another_operator_is_recognised(message: str, other: object) -> None:
    assert other_operator(message, MOBILE) == other


def test_without_our_operator_nothing_is_declined() -> None:
    assert other_operator("联通那边千兆宽带一年多少钱", None) is None


def test_the_assistant_says_whose_business_it_is(db: Session, hotline: Hotline) -> None:
    _add(db, hotline.world, "KD-ZF", title="家庭宽带资费", body="中国移动千兆宽带1200元/年。",
         similar_questions=["千兆宽带一年多少钱", "宽带资费"])
    _add(db, hotline.world, "FW-YYT", title="营业厅查询", body="中国移动营业厅营业时间9:00-18:00。",
         similar_questions=["营业厅几点关门"])
    [reply] = say(db, hotline, new_conversation(db), "联通那边千兆宽带一年多少钱啊？").replies
    assert reply.kind == Kind.NO_MATCH
    assert reply.data == {"offer_human": True, "other_operator": "中国联通"}
    assert "中国联通" in reply.text and "10010" in reply.text
    # Our own question is answered as before, and porting is ours to answer.
    [ours] = say(db, hotline, new_conversation(db), "千兆宽带一年多少钱").replies
    assert ours.kind == Kind.ANSWER and ours.data["code"] == "KD-ZF"
    [port] = say(db, hotline, new_conversation(db), "从联通转网过来宽带一年多少钱").replies
    assert port.data.get("other_operator") is None
