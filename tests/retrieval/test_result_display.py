"""What agents read in a result list: snippets that keep the numbers they quote (a price at
the start of a table cell), and the best match marked instead of percentages that are not
comparable between ranks."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from seci.knowledge.render import plain_snippet
from seci.retrieval.engine import SearchEngine
from seci.retrieval.service import search
from tests.factories import World, bearer, make_article, web_login

PRICES = ("### 资费标准（演示数据）\n| 带宽 | 单宽带月租 | 包年 |\n|---|---|---|\n"
          "| 300M | 50元/月 | 500元/年 |\n| 1000M | 100元/月 | 1000元/年 |\n"
          "### 办理渠道\n1. 中国移动APP\n2. 营业厅\n- 【坐席提示】受理前核实地址资源")


@pytest.mark.parametrize(("text", "snippet"), [
    ("| 300M | 50元/月 |", "300M 50元/月"),
    ("|---|---|\n| 300M | 50元/月 |", "300M 50元/月"),
    ("### 2026年优惠\n1. 核验身份\n2) 缴费\n- 5G智享129\n> 10086", "2026年优惠 核验身份 缴费 "
     "5G智享129 10086"),
    ("1.5倍累积积分", "1.5倍累积积分"),
    ("**300元**封顶", "300元封顶"),
])
def test_snippets_keep_numbers_at_the_start_of_a_line_or_cell(text: str,
                                                              snippet: str) -> None:
    assert plain_snippet(text) == snippet


@pytest.fixture
def prices(db: Session, world: World) -> World:
    make_article(db, world, code="KD-ZF", title="家庭宽带资费标准", body=PRICES,
                 module_id=world.modules["宽带"].id, author="editor_home",
                 similar_questions=["宽带一个月多少钱", "宽带资费"])
    make_article(db, world, code="KD-GZ", title="宽带故障报修流程",
                 body="先重启光猫，再提交报修工单。", module_id=world.modules["宽带"].id,
                 author="editor_home", similar_questions=["家里断网了怎么办"])
    make_article(db, world, code="KD-YJ", title="宽带移机办理",
                 body="搬家后可把宽带移到新地址，移机费50元。", module_id=world.modules["宽带"].id,
                 author="editor_home", similar_questions=["搬家了宽带怎么办"])
    return world


def test_a_price_snippet_is_shown_as_written(db: Session, prices: World) -> None:
    result = search(db, engine=SearchEngine(), user=prices["agent"], query="300M 宽带 月租")
    [hit] = [h for h in result.hits if h.code == "KD-ZF"]
    snippet = "".join(s.text for s in hit.snippet)
    assert "300M 50元/月 500元/年 1000M 100元/月" in snippet
    assert "M 50元/月" not in snippet.replace("300M 50元/月", "")


def test_a_customers_snippet_leaves_out_agent_notes(db: Session, prices: World) -> None:
    engine = SearchEngine()
    agent = search(db, engine=engine, user=prices["agent"], query="办理渠道 营业厅")
    customer = search(db, engine=engine, user=None, query="办理渠道 营业厅")
    assert "核实地址资源" in "".join(s.text for h in agent.hits for s in h.snippet)
    assert customer.hits
    assert "核实地址资源" not in "".join(s.text for h in customer.hits for s in h.snippet)


def test_the_api_marks_the_best_match_and_documents_confidence(
        client: TestClient, db: Session, prices: World) -> None:
    headers = bearer(db, prices, "agent")
    body = client.get("/api/v1/search", params={"q": "宽带一个月多少钱"},
                      headers=headers).json()
    assert body["confident"] and len(body["hits"]) > 1
    assert [h["best_match"] for h in body["hits"]] == [True] + [False] * (len(body["hits"]) - 1)
    assert "300M 50元/月" in "".join(s["text"] for s in body["hits"][0]["snippet_segments"])
    unsure = client.get("/api/v1/search", params={"q": "今天股票涨了吗"}, headers=headers).json()
    assert not unsure["confident"]
    assert not any(h["best_match"] for h in unsure["hits"])
    schema = client.get("/api/v1/openapi.json").json()["components"]["schemas"]["HitRead"]
    assert "best_match" in schema["required"]
    assert "first hit only" in schema["properties"]["confidence"]["description"]


def test_the_search_page_marks_the_best_match_without_percentages(
        client: TestClient, prices: World) -> None:
    web_login(client, "agent")
    page = client.get("/kb/search", params={"q": "宽带一个月多少钱"})
    results = page.text[page.text.index('<li class="result'):]
    results = results[:results.index("</ol>")]
    assert results.count("最佳匹配") == 1
    first = results[:results.index("</li>")]
    assert "资费标准</a>" in first and "最佳匹配" in first
    assert not re.search(r"\d+%<", results)  # no confidence percentages
    assert 'data-best-match="最佳匹配"' in page.text  # for the results drawn as you type
    assert "300M 50元/月" in results
