"""Search: what is found, by whom, and how fresh the index is."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from seci.core.clock import today
from seci.knowledge import articles as kb
from seci.retrieval import engine as engine_module
from seci.retrieval.engine import SearchEngine
from seci.retrieval.models import SearchDocument
from seci.retrieval.service import search
from tests.factories import World, bearer, make_article, revise


@pytest.fixture(params=["linear", "neighbours"])
def search_engine(request: pytest.FixtureRequest) -> SearchEngine:
    """Both forms of the matcher: small KBs train a linear model, large ones compare with
    examples (forced here on a small KB)."""
    return SearchEngine(max_linear_classes=10**9 if request.param == "linear" else 0)


def _codes(db: Session, search_engine: SearchEngine, world: World, query: str, user: str = "agent",
           **kwargs: object) -> list[str]:
    result = search(db, engine=search_engine, user=world[user], query=query, **kwargs)  # type: ignore[arg-type]
    return [hit.code for hit in result.hits]


@pytest.fixture
def kb_world(db: Session, world: World) -> World:
    make_article(db, world, code="LL-FEE", title="套餐外流量费计算规则",
                 body="超出套餐的国内流量按3元/GB计费。", similar_questions=["流量超了咋算钱"],
                 tags=["流量"])
    make_article(db, world, code="XH-001", title="携号转网办理条件",
                 body="在网满120天、无欠费可办理携号转网。", similar_questions=["换运营商号码不变"])
    make_article(db, world, code="KD-GZ", title="宽带故障报修流程",
                 body="先重启光猫，再提交报修工单。", module_id=world.modules["宽带"].id,
                 author="editor_home", similar_questions=["家里断网了怎么办"])
    make_article(db, world, code="ZW-YE", title="话费余额查询",
                 body="发送 YE 到 10086 查询话费余额。", module_id=world.modules["账务"].id,
                 similar_questions=["我还剩多少钱"])
    make_article(db, world, code="MY-GJ", title="国际漫游开通",
                 body="出国前发送 KTMY 开通国际漫游。", similar_questions=["出国了手机还能用不"])
    return world


def test_colloquial_synonym_traditional_and_typo_queries(db: Session, search_engine: SearchEngine,
                                                          kb_world: World) -> None:
    assert _codes(db, search_engine, kb_world, "上网费怎么算")[0] == "LL-FEE"
    assert _codes(db, search_engine, kb_world, "我想转网")[0] == "XH-001"
    assert _codes(db, search_engine, kb_world, "家裡寬頻壞了")[0] == "KD-GZ"
    assert _codes(db, search_engine, kb_world, "花费余额")[0] == "ZW-YE"  # homophone typo
    assert _codes(db, search_engine, kb_world, "國際漫遊(yóu)開通")[0] == "MY-GJ"
    assert _codes(db, search_engine, kb_world, "漫游 开通")[0] == "MY-GJ"


def test_the_customer_answer_is_searched_too(db: Session, search_engine: SearchEngine,
                                             kb_world: World) -> None:
    # Only the customer answer (答复口径) names 积分兑换 and its SMS code.
    make_article(db, kb_world, code="JF-DH", title="会员权益说明",
                 body="会员等级按在网时长评定。", similar_questions=["会员有什么好处"],
                 customer_answer="**积分兑换**话费：\n- 请发送 `JFDH` 到 10086。")
    assert _codes(db, search_engine, kb_world, "积分兑换")[0] == "JF-DH"
    assert _codes(db, search_engine, kb_world, "JFDH")[0] == "JF-DH"
    # The snippet shows where the words are: the customer answer, marked as such.
    [hit] = [h for h in search(db, engine=search_engine, user=kb_world["agent"],
                               query="积分兑换").hits if h.code == "JF-DH"]
    shown = "".join(segment.text for segment in hit.snippet)
    assert shown.startswith("答复口径：") and "JFDH" in shown
    assert "**" not in shown and "`" not in shown and "- " not in shown  # read as plain text
    assert any(segment.hit for segment in hit.snippet)
    # A query the body answers keeps the body's snippet.
    [hit] = [h for h in search(db, engine=search_engine, user=kb_world["agent"],
                               query="会员等级").hits if h.code == "JF-DH"]
    assert "".join(segment.text for segment in hit.snippet).startswith("会员等级")


def test_nonsense_is_not_a_confident_answer(db: Session, search_engine: SearchEngine,
                                            kb_world: World) -> None:
    result = search(db, engine=search_engine, user=kb_world["agent"], query="今天股票涨了吗")
    assert not result.confident
    good = search(db, engine=search_engine, user=kb_world["agent"], query="携号转网要什么条件")
    assert good.confident
    assert good.hits[0].confidence > good.hits[-1].confidence or len(good.hits) == 1


def test_publish_retire_and_edit_are_visible_at_once(db: Session, search_engine: SearchEngine,
                                                     world: World) -> None:
    assert _codes(db, search_engine, world, "副卡") == []
    article = make_article(db, world, code="FK-1", title="副卡办理", body="主卡办理副卡")
    assert _codes(db, search_engine, world, "副卡") == ["FK-1"]
    revise(db, world, article, title="亲情号设置", body="设置亲情号")
    assert _codes(db, search_engine, world, "副卡") == []
    assert _codes(db, search_engine, world, "亲情号") == ["FK-1"]
    kb.retire_article(db, article_id=article.id, actor=world["manager"])
    assert _codes(db, search_engine, world, "亲情号") == []


def test_drafts_and_unpublished_revisions_are_never_found(db: Session, search_engine: SearchEngine,
                                                         world: World) -> None:
    make_article(db, world, reviewer=None, title="草稿里的猫头鹰套餐")
    article = make_article(db, world, title="已发布的海豚套餐")
    revise(db, world, article, reviewer=None, title="修订中的企鹅套餐")
    assert _codes(db, search_engine, world, "猫头鹰", user="manager") == []
    assert _codes(db, search_engine, world, "企鹅", user="manager") == []
    assert len(_codes(db, search_engine, world, "海豚", user="manager")) == 1


def test_validity_dates_filter_on_the_day(db: Session, search_engine: SearchEngine,
                                          world: World) -> None:
    make_article(db, world, code="OLD", title="暑期流量促销", valid_to=today() - timedelta(1))
    make_article(db, world, code="NEW", title="明年流量促销", valid_from=today() + timedelta(9))
    assert _codes(db, search_engine, world, "流量促销") == []
    assert _codes(db, search_engine, world, "流量促销", on=today() + timedelta(10)) == ["NEW"]
    assert _codes(db, search_engine, world, "流量促销", on=today() - timedelta(2)) == ["OLD"]


def test_agents_search_their_queues_staff_choose(db: Session, search_engine: SearchEngine,
                                                 world: World) -> None:
    make_article(db, world, code="VIP-1", title="VIP专属服务", queue_ids=world.queue_ids("VIP"))
    assert _codes(db, search_engine, world, "专属服务") == []  # agent serves queue A
    assert _codes(db, search_engine, world, "专属服务", user="supervisor") == ["VIP-1"]
    vip = world.queues["VIP"].id
    a_queue = world.queues["A"].id
    assert _codes(db, search_engine, world, "专属服务", user="supervisor", queue_id=a_queue) == []
    found = _codes(db, search_engine, world, "专属服务", user="supervisor", queue_id=vip)
    assert found == ["VIP-1"]
    assert _codes(db, search_engine, world, "专属服务", queue_id=vip) == []  # not the agent's queue


def test_module_subtree_filter(db: Session, search_engine: SearchEngine, kb_world: World) -> None:
    personal = kb_world.modules["个人业务"].id
    home = kb_world.modules["家庭业务"].id
    assert "KD-GZ" not in _codes(db, search_engine, kb_world, "报修", module_id=personal)
    assert _codes(db, search_engine, kb_world, "报修", module_id=home) == ["KD-GZ"]


def test_customers_only_find_customer_visible_articles(db: Session, search_engine: SearchEngine,
                                                       world: World) -> None:
    make_article(db, world, code="IN-1", title="投诉升级补偿权限", audience="internal")
    make_article(db, world, code="OUT-1", title="投诉受理流程", audience="customer")
    as_customer = search(db, engine=search_engine, user=None, query="投诉")
    assert [h.code for h in as_customer.hits] == ["OUT-1"]
    assert set(_codes(db, search_engine, world, "投诉")) == {"IN-1", "OUT-1"}


def test_tokens_are_cached_so_a_restart_does_not_segment_again(
        db: Session, world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    make_article(db, world, title="停机保号办理")
    SearchEngine().sync(db)
    assert (db.scalar(select(func.count()).select_from(SearchDocument)) or 0) >= 1

    def fail(*_args: object) -> None:
        raise AssertionError("segmented again")

    monkeypatch.setattr(engine_module, "tokenize_version", fail)
    restarted = SearchEngine()
    restarted.sync(db)
    assert len(restarted) == 1


def test_an_article_code_finds_its_article(db: Session, search_engine: SearchEngine,
                                           kb_world: World) -> None:
    assert _codes(db, search_engine, kb_world, "zw-ye")[0] == "ZW-YE"


def test_hits_carry_highlights_and_a_snippet(db: Session, search_engine: SearchEngine,
                                             kb_world: World) -> None:
    [hit, *_] = search(db, engine=search_engine, user=kb_world["agent"], query="宽带故障").hits
    assert [s.text for s in hit.title if s.hit] == ["宽带故障"]
    assert "".join(s.text for s in hit.snippet).startswith("先重启光猫")


def test_search_api(client: TestClient, db: Session, kb_world: World) -> None:
    headers = bearer(db, kb_world, "agent")
    response = client.get("/api/v1/search", params={"q": "流量超了咋算钱"}, headers=headers)
    assert response.status_code == 200
    body = response.json()
    assert body["hits"][0]["code"] == "LL-FEE"
    assert body["hits"][0]["module_path"] == "个人业务/资费套餐"
    assert 0 < body["hits"][0]["confidence"] <= 1
    assert any(s["hit"] for s in body["hits"][0]["title_segments"])
    assert client.get("/api/v1/search", params={"q": "x"}).status_code == 401
    too_long = client.get("/api/v1/search", params={"q": "话" * 501}, headers=headers)
    assert too_long.status_code == 422
    by_queue = client.get("/api/v1/search", params={"q": "流量", "queue": "VIP"},
                          headers=headers)
    assert by_queue.json()["hits"] == []
    unknown = client.get("/api/v1/search", params={"q": "流量", "queue": "没有"},
                         headers=headers)
    assert unknown.status_code == 422


def test_an_import_is_searchable(db: Session, search_engine: SearchEngine, world: World) -> None:
    from seci.knowledge.importing import import_articles

    line = ('{"code": "IMP-1", "title": "积分兑换话费", "body": "积分可兑换话费", '
            '"module": "个人业务/账务", "queues": ["A"]}\n')
    import_articles(db, data=line.encode(), filename="a.jsonl", actor=world["manager"],
                    max_bytes=10_000)
    assert _codes(db, search_engine, world, "积分换话费") == ["IMP-1"]


def test_expiry_needs_no_reindex(db: Session, search_engine: SearchEngine, world: World) -> None:
    make_article(db, world, code="EXP", title="限时流量包", valid_to=date(2030, 1, 31))
    assert _codes(db, search_engine, world, "限时流量包", on=date(2030, 1, 31)) == ["EXP"]
    assert _codes(db, search_engine, world, "限时流量包", on=date(2030, 2, 1)) == []


def test_an_offer_out_of_force_that_answers_best_is_named(
        db: Session, search_engine: SearchEngine, kb_world: World, client: TestClient) -> None:
    """Nothing valid matches well, but an offer that ended does: staff are told so (search,
    the API and the page), instead of being left to quote another article."""
    from tests.factories import web_login

    ended = today() - timedelta(days=20)
    make_article(db, kb_world, code="GQ-CZ", title="国庆充值送话费活动",
                 body="充值100元送20元话费券，活动已结束。", valid_from=date(2020, 10, 1),
                 valid_to=ended, similar_questions=["国庆充值送话费", "充一百送二十",
                                                    "国庆充值活动还能参加吗"])
    result = search(db, engine=search_engine, user=kb_world["agent"],
                    query="国庆充一百送二十的活动还能参加吗")
    assert not result.confident
    assert result.out_of_force is not None
    assert (result.out_of_force.code, result.out_of_force.ended) == ("GQ-CZ", True)
    assert result.out_of_force.valid_to == ended
    # A good valid match is not second-guessed; a customer's search never asks.
    assert search(db, engine=search_engine, user=kb_world["agent"],
                  query="流量超了咋算钱").out_of_force is None
    assert search(db, engine=search_engine, user=None,
                  query="国庆充一百送二十的活动还能参加吗").out_of_force is None

    body = client.get("/api/v1/search", params={"q": "国庆充一百送二十的活动还能参加吗"},
                      headers=bearer(db, kb_world, "agent")).json()
    assert body["out_of_force"]["code"] == "GQ-CZ"
    assert body["out_of_force"]["ended"] is True
    web_login(client, "agent")
    page = client.get("/kb/search", params={"q": "国庆充一百送二十的活动还能参加吗"})
    assert "最匹配的是《国庆充值送话费活动》（GQ-CZ），已于" in page.text
