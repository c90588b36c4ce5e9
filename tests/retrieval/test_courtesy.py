"""Greetings and thanks left out before a question is searched (seci.retrieval.courtesy)."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from seci.retrieval.courtesy import Courtesy, courtesy_only, without_courtesy
from seci.retrieval.engine import SearchEngine
from seci.retrieval.service import search
from seci.retrieval.text import normalize, wording_key
from tests.factories import World, make_article


@pytest.mark.parametrize(("typed", "question"), [
    ("你好，请问一下，宽带多少钱？谢谢", "宽带多少钱"),
    ("喂，你好，我想问一下，那个流量包咋买，麻烦了", "流量包咋买"),
    ("请问宽带报修", "宽带报修"),  # straight into the question
    ("您好客服，我想咨询一下携号转网要多久", "携号转网要多久"),
    ("我有个问题想问，国际漫游怎么开通", "国际漫游怎么开通"),
    ("打扰一下，话费怎么查？多谢！", "话费怎么查"),
    ("Hi, 宽带断了", "宽带断了"),
    ("流量超了会停机吗 谢谢你", "流量超了会停机吗"),
    ("你好，客服，宽带多少钱", "宽带多少钱"),  # the greeting addressed to the service
    ("你好，客服电话是多少", "客服电话是多少"),  # … but not the service asked about
    ("客服，我家宽带又断了", "我家宽带又断了"),  # the service addressed
    ("亲，在吗？流量包怎么退", "流量包怎么退"),  # as online shops' chats open
    ("下午好，宽带多少钱？谢谢，再见", "宽带多少钱"),
])
def test_openings_and_closings_are_left_out(typed: str, question: str) -> None:
    assert without_courtesy(typed) == question


@pytest.mark.parametrize("text", [
    "宽带多少钱",
    "你好",  # courtesy alone stays as it is
    "谢谢",
    "您好，谢谢",
    "hidden charges on my bill",  # "hi" only as a word of its own
    "我停机了，请问怎么复机",  # inside the question: kept
    "麻烦死了，宽带又断了",  # 麻烦 is no politeness here
    "感谢信怎么写给营业厅",  # thanks that is the question's topic, not its closing
    "你好，客服",  # a greeting to the service, all of it courtesy
    "客服电话是多少",  # the service asked about
    "亲情号怎么办理",  # 亲 only as a word of its own
])
def test_questions_without_courtesy_at_their_edges_are_kept(text: str) -> None:
    assert without_courtesy(text) == text


def test_a_greeting_does_not_change_what_search_finds(db: Session, world: World) -> None:
    make_article(db, world, code="KD-FEE", title="家庭宽带资费标准",
                 body="300M 50元/月，500M 70元/月。", similar_questions=["宽带一个月多少钱"])
    make_article(db, world, code="GREET", title="客服热线服务用语",
                 body="接听时先说您好，请问有什么可以帮您。",
                 similar_questions=["你好请问一下有什么可以帮您", "您好，客服在吗"])
    engine = SearchEngine()
    plain = search(db, engine=engine, user=world["agent"], query="宽带一个月多少钱")
    polite = search(db, engine=engine, user=world["agent"],
                    query="你好，请问一下，宽带一个月多少钱？谢谢")
    assert [h.code for h in polite.hits] == [h.code for h in plain.hits]
    assert polite.hits[0].code == "KD-FEE"
    assert polite.hits[0].confidence == pytest.approx(plain.hits[0].confidence)


def test_a_wording_is_the_same_with_or_without_courtesy() -> None:
    # Known wordings (a question an answer settled) match whatever greeting came with it.
    keys = {wording_key(normalize(text)) for text in (
        "我还剩多少钱？", "你好，我还剩多少钱？谢谢", "请问我还剩多少钱", "我还剩多少钱 麻烦了")}
    assert keys == {"我还剩多少钱"}
    assert wording_key(normalize("你好")) == "你好"


@pytest.mark.parametrize(("text", "said"), [
    ("你好", Courtesy.GREETING),
    ("您好，在吗？", Courtesy.GREETING),
    ("亲，在吗", Courtesy.GREETING),
    ("你好，客服", Courtesy.GREETING),
    ("Hi", Courtesy.GREETING),
    ("谢谢！", Courtesy.THANKS),
    ("好的，谢谢", Courtesy.THANKS),
    ("嗯嗯", Courtesy.ACKNOWLEDGEMENT),
    ("收到", Courtesy.ACKNOWLEDGEMENT),
    ("OK", Courtesy.ACKNOWLEDGEMENT),
    ("早上好", Courtesy.GREETING),
    ("再见", Courtesy.FAREWELL),
    ("好的谢谢，拜拜", Courtesy.FAREWELL),
    ("没事了", Courtesy.FAREWELL),
    ("我的流量包没有了", None),  # "nothing more" only as the whole message
    ("宽带多少钱，谢谢再见", None),
    # Anything else left is a question to search.
    ("你好，宽带多少钱", None),
    ("好的，那宽带多少钱", None),
    ("好久不见", None),
    ("hidden", None),
    ("   ", None),
])
def test_a_message_of_courtesy_alone_is_told_apart(text: str, said: Courtesy | None) -> None:
    assert courtesy_only(text) is said
