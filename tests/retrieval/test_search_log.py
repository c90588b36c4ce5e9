"""The search log: what was asked, shown and opened; knowledge gaps; learning from clicks."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from seci.assistant import learning
from seci.core.clock import utcnow
from seci.core.errors import PermissionDenied
from seci.knowledge import articles as kb
from seci.retrieval import log as search_log
from seci.retrieval.engine import SearchEngine
from seci.retrieval.models import SearchLog
from seci.retrieval.service import search, suggest
from seci.retrieval.text import normalize
from tests.conftest import csrf_of
from tests.factories import World, bearer, make_article, web_login


def _kb(db: Session, world: World) -> None:
    make_article(db, world, code="XH-001", title="携号转网办理条件",
                 body="在网满120天、无欠费可办理携号转网。", similar_questions=["换运营商号码不变"])
    make_article(db, world, code="ZW-YE", title="话费余额查询",
                 body="发送 YE 到 10086 查询话费余额。", similar_questions=["我还剩多少钱"])


def _log(db: Session, world: World, engine: SearchEngine, query: str, user: str = "agent"
         ) -> SearchLog:
    result = search(db, engine=engine, user=world[user], query=query)
    return search_log.log_search(db, user=world[user], query=query, result=result)


def test_a_query_typed_in_pieces_is_logged_once(db: Session, world: World) -> None:
    _kb(db, world)
    engine = SearchEngine()
    for prefix in ("携号", "携号转网", "携号转网要啥条件"):
        entry = _log(db, world, engine, prefix)
    rows = db.scalars(select(SearchLog)).all()
    assert [r.query for r in rows] == ["携号转网要啥条件"]
    assert entry.shown_ids and entry.hit_count == len(entry.shown_ids)
    _log(db, world, engine, "话费余额")  # a different question is a new entry
    _log(db, world, engine, "携号转网", user="agent_data")  # so is another user's
    assert db.query(SearchLog).count() == 3


def test_opening_a_result_is_recorded_on_the_search(db: Session, world: World) -> None:
    _kb(db, world)
    entry = _log(db, world, SearchEngine(), "换号不换运营商")
    article = kb.get_article_by_code(db, code="XH-001")
    search_log.log_open(db, user=world["agent"], query="换号不换运营商", article_id=article.id)
    assert entry.opened_article_id == article.id
    assert search_log.opened_after(db) == [("换号不换运营商", article.id)]
    # After an open, the next query starts a new entry even if it extends the old one.
    _log(db, world, SearchEngine(), "换号不换运营商怎么办")
    assert db.query(SearchLog).count() == 2


def test_gaps_are_queries_without_a_good_answer(db: Session, world: World) -> None:
    _kb(db, world)
    engine = SearchEngine()
    for user in ("agent", "supervisor", "manager"):  # all see queue A
        _log(db, world, engine, "今天股票涨了吗", user=user)
        _log(db, world, engine, "携号转网条件", user=user)
    since = utcnow() - timedelta(days=1)
    gaps = search_log.query_stats(db, since=since, gaps_only=True)
    assert [g.example for g in gaps] == ["今天股票涨了吗"]
    assert gaps[0].searches == 3
    top = search_log.query_stats(db, since=since)
    assert {t.example for t in top} == {"今天股票涨了吗", "携号转网条件"}


def test_suggestions_come_from_titles_questions_and_frequent_queries(
        db: Session, world: World) -> None:
    _kb(db, world)
    engine = SearchEngine()
    for user in ("agent", "supervisor"):
        _log(db, world, engine, "话费余额怎么查", user=user)
    found = suggest(db, engine=engine, user=world["agent"], prefix="话费")
    assert found[0] == "话费余额怎么查"
    assert "话费余额查询" in found
    assert suggest(db, engine=engine, user=world["agent"], prefix="") == []


@pytest.mark.parametrize("line", [
    "话费余额补贴待领取，登录 http://10086-bt.cn/a 或致电13812345678",
    "话费余额补贴待领取，加微信客服领取",  # nothing to mask or drop: only its source tells
], ids=["link-and-number", "plain"])
def test_customers_chat_text_is_never_suggested_to_staff(db: Session, world: World,
                                                         line: str) -> None:
    _kb(db, world)
    engine = SearchEngine()
    for _ in range(3):  # what an anonymous customer typed into the assistant
        result = search(db, engine=engine, user=None, query=line)
        assert result.hits  # logged as a search that found something
        learning.log_question(db, query=line, result=result)
    for user in ("agent", "manager"):
        found = suggest(db, engine=engine, user=world[user], prefix="话费余额")
        assert found and not [s for s in found if "补贴" in s]


def test_suggested_staff_queries_have_numbers_masked_and_no_links(db: Session,
                                                                  world: World) -> None:
    _kb(db, world)
    make_article(db, world, code="WT-1", title="话费余额网厅查询",
                 similar_questions=["话费余额在 www.10086.cn 哪里看"])
    engine = SearchEngine()
    for user in ("agent", "supervisor"):
        _log(db, world, engine, "话费余额 13812345678 查不到", user=user)
        _log(db, world, engine, "话费余额 8765 4321 宽带", user=user)
        _log(db, world, engine, "话费余额 10086-cn.top 是官网吗", user=user)
    found = suggest(db, engine=engine, user=world["agent"], prefix="话费余额")
    assert "话费余额 138****5678 查不到" in found
    assert "话费余额 ****4321 宽带" in found
    assert "话费余额网厅查询" in found and "话费余额查询" in found
    assert not [s for s in found if "10086-cn" in s or "www." in s or "12345678" in s]


def test_the_matcher_learns_from_what_agents_opened(db: Session, world: World) -> None:
    _kb(db, world)
    make_article(db, world, code="TJ-1", title="停机保号办理", body="每月收取5元保号费。",
                 similar_questions=["出国期间号码不想停"])
    make_article(db, world, code="FK-1", title="副卡办理", body="主卡可办理副卡。")
    # The matcher alone: the situation lexicon knows 卡先封存 (停机保号) by itself.
    engine = SearchEngine(situations=False)
    query = "这阵子不在国内想把卡先封存"
    before = search(db, engine=engine, user=world["agent"], query=query)
    assert not before.confident and "TJ-1" not in [h.code for h in before.hits[:1]]
    target = kb.get_article_by_code(db, code="TJ-1")
    asked = {"agent": query, "supervisor": "出国半年卡先封存", "manager": "人在国外卡要封存"}
    for user, words in asked.items():
        _log(db, world, engine, words, user=user)
        search_log.log_open(db, user=world[user], query=words, article_id=target.id)
    after = search(db, engine=engine, user=world["agent"], query="在国外这阵子卡先封存")
    assert after.hits[0].code == "TJ-1" and after.confident


def test_search_page_logs_and_opening_redirects(client: TestClient, db: Session,
                                                world: World) -> None:
    _kb(db, world)
    web_login(client, "agent")
    page = client.get("/kb/search", params={"q": "换运营商号码不变"})
    assert page.status_code == 200
    assert "XH-001" in page.text and "#flag" in page.text
    article = kb.get_article_by_code(db, code="XH-001")
    opened = client.get("/kb/search/open", params={"article": article.id,
                                                   "q": "换运营商号码不变"},
                        follow_redirects=False)
    assert opened.status_code == 303
    assert opened.headers["location"] == f"/kb/articles/{article.id}"
    entry = db.scalars(select(SearchLog)).one()
    assert entry.opened_article_id == article.id and entry.channel == "agent"


def test_search_api_logs_unless_told_not_to(client: TestClient, db: Session,
                                            world: World) -> None:
    _kb(db, world)
    headers = bearer(db, world, "agent")
    client.get("/api/v1/search", params={"q": "话费余额", "log": "false"}, headers=headers)
    assert db.query(SearchLog).count() == 0
    client.get("/api/v1/search", params={"q": "话费余额"}, headers=headers)
    assert db.scalars(select(SearchLog.channel)).all() == ["api"]
    suggestions = client.get("/api/v1/search/suggest", params={"q": "话费"}, headers=headers)
    assert "话费余额查询" in suggestions.json()


def test_gap_report_turns_a_query_into_a_similar_question(client: TestClient, db: Session,
                                                          world: World) -> None:
    _kb(db, world)
    engine = SearchEngine()
    _log(db, world, engine, "想换个运营商但号码要留着", user="agent")
    web_login(client, "manager")
    page = client.get("/kb/gaps")
    assert page.status_code == 200 and "想换个运营商但号码要留着" in page.text
    done = client.post("/kb/gaps/question", data={
        "csrf_token": csrf_of(page.text), "query": "想换个运营商但号码要留着",
        "code": "XH-001"}, follow_redirects=False)
    assert done.status_code == 303
    article = kb.get_article_by_code(db, code="XH-001")
    assert "想换个运营商但号码要留着" in article.similar_questions  # a revision for review
    draft = client.get("/kb/gaps/draft", params={"query": "副卡怎么办"}, follow_redirects=False)
    assert draft.status_code == 303 and "/kb/new-article?" in draft.headers["location"]
    editor = client.get(draft.headers["location"])
    assert "副卡怎么办" in editor.text
    web_login(client, "agent")
    assert client.get("/kb/gaps").status_code == 403


def test_customers_questions_are_logged_with_personal_numbers_masked(
        db: Session, world: World) -> None:
    """The gap report shows analysts what customers asked, never their mobile numbers."""
    _kb(db, world)
    engine = SearchEngine()
    line = "我的号码13812345678话费余额怎么不对"
    entry = learning.log_question(db, query=line,
                                  result=search(db, engine=engine, user=None, query=line))
    assert entry is not None
    assert "13812345678" not in entry.query and "138****5678" in entry.query


def _unsure_then_opened(db: Session, world: World, engine: SearchEngine, query: str,
                        code: str, user: str = "agent") -> SearchLog:
    entry = _log(db, world, engine, query, user=user)
    assert entry.confident is False
    search_log.log_open(db, user=world[user], query=query,
                        article_id=kb.get_article_by_code(db, code=code).id)
    return entry


def test_wordings_found_after_an_unsure_search_are_listed_with_their_article(
        db: Session, world: World) -> None:
    _kb(db, world)
    engine = SearchEngine()
    since = utcnow() - timedelta(days=1)
    # Two agents asked it before the matcher learnt it from an open.
    unsure = [_log(db, world, engine, "号还要不要了想去别家", user=user)
              for user in ("agent", "supervisor")]
    assert [e.confident for e in unsure] == [False, False]
    for user in ("agent", "supervisor"):
        search_log.log_open(db, user=world[user], query="号还要不要了想去别家",
                            article_id=kb.get_article_by_code(db, code="XH-001").id)
    _unsure_then_opened(db, world, engine, "卡里头的钱还够撑几天", "ZW-YE")
    # Confident and opened: the KB knew it already. Held already: nothing to add.
    confident = _log(db, world, engine, "携号转网办理条件")
    assert confident.confident is True
    search_log.log_open(db, user=world["agent"], query="携号转网办理条件",
                        article_id=kb.get_article_by_code(db, code="XH-001").id)
    # Unsure once, and held as a similar question since.
    db.add(SearchLog(user_id=world["manager"].id, query="我还剩多少钱？",
                     normalized=normalize("我还剩多少钱？"), confident=False,
                     opened_article_id=kb.get_article_by_code(db, code="ZW-YE").id))
    db.flush()
    found = search_log.learnt_wordings(db, actor=world["manager"], since=since)
    assert [(w.example, w.code, w.times) for w in found] == [
        ("号还要不要了想去别家", "XH-001", 2), ("卡里头的钱还够撑几天", "ZW-YE", 1)]
    assert found[0].title == "携号转网办理条件"
    with pytest.raises(PermissionDenied):
        search_log.learnt_wordings(db, actor=world["agent"], since=since)


def test_a_wording_an_agent_answered_goes_into_the_article_from_the_gap_report(
        client: TestClient, db: Session, world: World) -> None:
    _kb(db, world)
    _unsure_then_opened(db, world, SearchEngine(), "卡里头的钱还够撑几天", "ZW-YE")
    db.commit()
    web_login(client, "manager")
    page = client.get("/kb/gaps")
    assert page.status_code == 200
    learnt = page.text.split('id="learnt-wordings"')[1].split("</table>")[0]
    assert "卡里头的钱还够撑几天" in learnt and "ZW-YE" in learnt
    done = client.post("/kb/gaps/question", data={
        "csrf_token": csrf_of(page.text), "query": "卡里头的钱还够撑几天", "code": "ZW-YE"},
        follow_redirects=False)
    assert done.status_code == 303
    assert "卡里头的钱还够撑几天" in kb.get_article_by_code(db, code="ZW-YE").similar_questions
    # Held now: no longer listed.
    again = client.get("/kb/gaps").text.split('id="learnt-wordings"')[1].split("</table>")[0]
    assert "卡里头的钱还够撑几天" not in again


def test_the_gap_report_and_adding_a_wording_over_the_api(client: TestClient, db: Session,
                                                          world: World) -> None:
    _kb(db, world)
    _unsure_then_opened(db, world, SearchEngine(), "卡里头的钱还够撑几天", "ZW-YE")
    _log(db, world, SearchEngine(), "今天股票涨了吗")
    db.commit()
    manager = bearer(db, world, "manager")
    report = client.get("/api/v1/search/gaps", params={"days": 7}, headers=manager)
    assert report.status_code == 200, report.text
    body = report.json()
    assert body["days"] == 7
    assert [g["example"] for g in body["gaps"]] == ["今天股票涨了吗"]
    [learnt] = body["learnt"]
    assert (learnt["example"], learnt["code"], learnt["times"]) == ("卡里头的钱还够撑几天",
                                                                    "ZW-YE", 1)
    assert client.get("/api/v1/search/gaps", params={"days": 0},
                      headers=manager).status_code == 422
    agent = bearer(db, world, "agent")
    assert client.get("/api/v1/search/gaps", headers=agent).status_code == 403

    url = f"/api/v1/articles/{learnt['article_id']}/similar-questions"
    held = client.post(url, json={"question": "我还剩多少钱"}, headers=manager)
    assert held.status_code == 200 and held.json()["status"] == "published"  # no new draft
    assert client.post(url, json={"question": "  "}, headers=manager).status_code == 422
    assert client.post(url, json={"question": "卡里头的钱"}, headers=agent).status_code == 403
    added = client.post(url, json={"question": learnt["example"]}, headers=manager)
    assert added.status_code == 200, added.text
    assert "卡里头的钱还够撑几天" in added.json()["working_copy"]["similar_questions"]
    again = client.get("/api/v1/search/gaps", headers=manager).json()
    assert again["learnt"] == []  # held now


def test_a_wrong_label_is_discarded_and_no_longer_learnt(client: TestClient, db: Session,
                                                         world: World) -> None:
    _kb(db, world)
    entry = _unsure_then_opened(db, world, SearchEngine(), "卡里头的钱还够撑几天", "XH-001")
    db.commit()
    article_id = kb.get_article_by_code(db, code="XH-001").id
    assert ("卡里头的钱还够撑几天", article_id) in search_log.opened_after(db)
    web_login(client, "manager")
    page = client.get("/kb/gaps")
    learnt = page.text.split('id="learnt-wordings"')[1].split("</table>")[0]
    assert "不是这篇" in learnt
    done = client.post("/kb/gaps/discard", data={
        "csrf_token": csrf_of(page.text), "normalized": entry.normalized,
        "article_id": str(article_id)}, follow_redirects=False)
    assert done.status_code == 303
    db.expire_all()
    assert search_log.opened_after(db) == []
    assert 'id="learnt-wordings"' in client.get("/kb/gaps").text
    assert search_log.learnt_wordings(db, actor=world["manager"],
                                      since=utcnow() - timedelta(days=1)) == []
    # Nothing left to discard: 404; who does not edit articles may not.
    manager, agent = bearer(db, world, "manager"), bearer(db, world, "agent")
    body = {"normalized": entry.normalized, "article_id": article_id}
    assert client.post("/api/v1/search/gaps/learnt/discard", json=body,
                       headers=manager).status_code == 404
    assert client.post("/api/v1/search/gaps/learnt/discard", json=body,
                       headers=agent).status_code == 403
