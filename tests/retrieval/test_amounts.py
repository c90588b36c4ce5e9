"""Prices callers say (九块九, 一百九十多那个) meet the prices articles write in digits."""

from __future__ import annotations

import math

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from seci.core.clock import today
from seci.knowledge import articles as kb
from seci.retrieval import situation_rules as sit
from seci.retrieval.amounts import (
    Amount,
    PriceTable,
    price_terms,
    spoken_amounts,
    stated_prices,
)
from seci.retrieval.engine import SearchEngine
from seci.retrieval.index import Filters
from tests.factories import World, bearer, make_article, revise


@pytest.mark.parametrize(("text", "amounts"), [
    ("那个九块九的流量包还能买吗", [Amount(9.9, 9.9)]),
    ("9块9的包", [Amount(9.9, 9.9)]),
    ("一百块", [Amount(100, 100)]),
    ("两百元话费", [Amount(200, 200)]),
    # 多 / 几 after a round number: up to the next round one
    ("一百多块的套餐都有啥", [Amount(100, 199.99)]),
    ("一百九十多那个打包的能带几张副卡", [Amount(190, 199.99)]),
    ("一百九十几那档", [Amount(190, 199.99)]),
    ("190多的那个", [Amount(190, 199.99)]),
    # 一百九: the tens said, the rest left unsaid
    ("一百九 套餐 副卡", [Amount(190, 199.99)]),
    ("一百九十九的套餐", [Amount(199, 199)]),
    # 来: about
    ("五十来块", [Amount(40, 60)]),
    # bounds
    ("二十块以内的卡", [Amount(0, 20)]),
    ("一百块以上的套餐", [Amount(100, math.inf)]),
    ("平时扣一百来块，这个月扣了两百多", [Amount(80, 120), Amount(200, 299.99)]),
])
def test_amounts_a_caller_says_are_read_as_the_prices_they_stand_for(
        text: str, amounts: list[Amount]) -> None:
    assert [(pytest.approx(a.low), pytest.approx(a.high))
            for a in spoken_amounts(text)] == [(a.low, a.high) for a in amounts]


@pytest.mark.parametrize("text", [
    "三个月没交话费",  # a count of months
    "二十G流量",  # data, not money
    "一百分钟通话",
    "能带两张副卡",  # a small bare number is a count
    "查一下余额",
    "一点点流量",
    "199的套餐",  # typed digits already meet the article's "199"
    "七月份",
])
def test_counts_and_typed_digits_are_no_spoken_amounts(text: str) -> None:
    assert spoken_amounts(text) == []


def test_prices_an_article_states_are_its_digits_before_yuan() -> None:
    body = "| 融合199 | 199元（演示） |\n套餐外流量5元/GB，通话0.15元/分钟；9.9元包，199元"
    assert stated_prices(body) == ("199", "5", "0.15", "9.9")
    assert stated_prices("送20GB流量，有效期3个月") == ()
    assert stated_prices("月租１９９元，日租９．９元") == ("199", "9.9")  # full-width digits


def test_price_terms_are_the_stated_prices_in_range_unless_too_many_or_already_asked() -> None:
    stated = {"199": 199.0, "169": 169.0, "129": 129.0, "9.9": 9.9, "10": 10.0, "5": 5.0}
    assert price_terms([Amount(190, 199.99)], stated) == ("199",)
    assert price_terms([Amount(9.9, 9.9)], stated) == ("9.9",)
    # "一百多块" covers three plans: each is still named
    assert price_terms([Amount(100, 199.99)], stated) == ("129", "169", "199")
    # "二十块以内" covers every small fee: it says nothing about which article
    assert price_terms([Amount(0, 20)], {**stated, "15": 15.0}) == ()
    assert price_terms([Amount(190, 199.99)], stated, already=["199"]) == ()
    assert price_terms([], stated) == ()


def test_the_price_table_counts_each_price_by_article() -> None:
    table = PriceTable()
    table.add(["199", "9.9"])
    table.add(["199"])
    table.remove(["199", "9.9"])
    assert table.values == {"199": 199.0}
    table.remove(["199"])
    assert table.values == {}


def _first(engine: SearchEngine, db: Session, query: str) -> str:
    engine.sync(db)
    return engine.rank(query, Filters(on=today()), 3)[0].facts.code


def test_search_finds_the_plan_by_the_price_a_caller_says(db: Session, world: World) -> None:
    """Two siblings share the caller's words; the price said tells them apart."""
    make_article(db, world, code="RH-FK", title="融合套餐副卡加装办理说明",
                 body="融合套餐主卡可加装副卡，超出档位加装10元/张/月。",
                 similar_questions=["想给孩子办张副卡"])
    plan = make_article(db, world, code="RH-ZF", title="融合套餐资费及副卡张数说明",
                        body="| 融合169 | 169元 | 1张副卡 |\n| 融合199 | 199元 | 2张副卡 |",
                        similar_questions=["手机宽带一起办多少钱"])
    engine = SearchEngine(train_inline=False)
    question = "一百九十多那个打包的能带几张副卡"
    assert _first(engine, db, question) == "RH-ZF"
    assert engine.named_prices(question) == ("199",)
    # The price is the article's: edited out, the words decide again.
    revise(db, world, plan, body="融合套餐档位见营业厅公告，每档含副卡。")
    assert _first(engine, db, question) == "RH-FK"
    assert engine.named_prices(question) == ()
    assert "199" not in engine._prices.values
    kb.retire_article(db, article_id=plan.id, actor=world["manager"])
    engine.sync(db)
    assert "169" not in engine._prices.values


def test_a_manager_sees_the_prices_a_query_adds(db: Session, world: World,
                                               client: TestClient) -> None:
    """The situation lexicon's "test a query" and the analyze API show the stated prices
    a spoken amount adds, so a manager can tell why "九块九" found the 9.9元 offer."""
    make_article(db, world, code="LL-99", title="流量加油包限时特惠",
                 body="特惠价9.9元，含1GB国内流量，当月有效。")
    engine = client.app.state.search_engine  # type: ignore[attr-defined]
    engine.sync(db)
    question = "那个九块九的流量包还能买吗"
    trial = sit.try_query(actor=world["manager"], lexicon=engine.situations,
                          tokenize=engine.analyzer.tokens, query=question,
                          prices=engine.named_prices)
    assert trial.prices == ("9.9",)
    analysed = client.get("/api/v1/search/analyze", params={"text": question},
                          headers=bearer(db, world, "manager"))
    assert analysed.status_code == 200, analysed.text
    assert analysed.json()["prices"] == ["9.9"]
    page = client.get("/kb/situations", params={"q": question},
                      headers=bearer(db, world, "manager"))
    assert 'id="trial-prices"' in page.text and "+9.9" in page.text
    plain = client.get("/api/v1/search/analyze", params={"text": "流量包怎么买"},
                       headers=bearer(db, world, "manager"))
    assert plain.json()["prices"] == []


def test_the_price_a_caller_named_is_marked_in_the_snippet(db: Session, world: World) -> None:
    """Agents quote prices from snippets: the plan found by "一百九十多" shows 199 marked,
    and the 多 of 一百九十多 marks nothing."""
    from seci.retrieval.service import search

    make_article(db, world, code="RH-ZF2", title="融合套餐资费说明",
                 body="融合套餐按档位收费，流量多的用户可选高档位。\n| 融合199 | 199元 | 2张副卡 |")
    engine = SearchEngine(train_inline=False)
    [hit, *_] = search(db, engine=engine, user=world["agent"],
                       query="一百九十多那个融合的能带几张副卡").hits
    marked = [s.text for s in hit.snippet if s.hit]
    assert "199" in marked and "多" not in marked


def test_single_characters_are_marked_only_when_nothing_longer_was_asked() -> None:
    from seci.retrieval.service import highlight_terms

    assert highlight_terms(["副卡", "多", "199", "g"]) == {"副卡", "199"}
    assert highlight_terms(["卡"]) == {"卡"}
    assert highlight_terms(["a", "5"]) == set()
