"""Managers' synonym groups: validated, audited, locked, effective without a restart."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from seci.audit.models import AuditEvent
from seci.core.errors import FieldErrors, PermissionDenied
from seci.retrieval import synonyms as syn
from seci.retrieval.engine import SearchEngine
from seci.retrieval.service import search
from seci.retrieval.text import Analyzer
from tests.conftest import csrf_of
from tests.factories import World, bearer, make_article, web_login


@pytest.fixture(scope="module")
def own_analyzer() -> Analyzer:
    """An analyzer of the tests' own: rules added here must not leak into other tests."""
    return Analyzer()


def _top(db: Session, engine: SearchEngine, world: World, query: str) -> list[str]:
    return [h.code for h in search(db, engine=engine, user=world["agent"], query=query).hits]


def test_a_new_group_applies_at_once_in_every_engine(db: Session, world: World,
                                                     own_analyzer: Analyzer) -> None:
    make_article(db, world, code="HM-1", title="黑名单号码拦截设置",
                 body="开通来电拦截，把号码加入黑名单。")
    first, second = SearchEngine(own_analyzer), SearchEngine(Analyzer())  # two processes
    # 封杀: a word neither the shipped synonyms nor the situation lexicon know
    assert "HM-1" not in _top(db, first, world, "骚扰电话封杀")[:1]
    syn.create_rule(db, actor=world["manager"], data=syn.RuleInput(
        "黑名单", ["封杀", "拉黑"], "客户常说拉黑、封杀"))
    assert _top(db, first, world, "骚扰电话封杀")[0] == "HM-1"
    assert _top(db, second, world, "怎么拉黑一个号")[0] == "HM-1"
    assert "黑名单" in own_analyzer.tokens("把他拉黑")


def test_editing_and_deleting_a_group_take_effect(db: Session, world: World,
                                                  own_analyzer: Analyzer) -> None:
    engine = SearchEngine(own_analyzer)
    rule = syn.create_rule(db, actor=world["manager"], data=syn.RuleInput("黑名单", ["拉黑"]))
    engine.sync(db)
    assert "黑名单" in own_analyzer.tokens("拉黑")
    rule = syn.update_rule(db, actor=world["manager"], rule_id=rule.id,
                           expected_lock_version=rule.lock_version,
                           data=syn.RuleInput("黑名单", ["屏蔽号码"]))
    engine.sync(db)
    assert "黑名单" not in own_analyzer.tokens("拉黑")
    assert "黑名单" in own_analyzer.tokens("屏蔽号码")
    syn.delete_rule(db, actor=world["manager"], rule_id=rule.id,
                    expected_lock_version=rule.lock_version)
    engine.sync(db)
    assert "黑名单" not in own_analyzer.tokens("屏蔽号码")
    actions = db.scalars(select(AuditEvent.action).where(AuditEvent.entity_type == "synonym"))
    assert sorted(actions) == ["synonym.create", "synonym.delete", "synonym.update"]


def test_a_manager_rule_wins_over_the_shipped_table(db: Session, world: World,
                                                    own_analyzer: Analyzer) -> None:
    engine = SearchEngine(own_analyzer)
    engine.sync(db)
    assert own_analyzer.canonical("转网") == "携号转网"
    syn.create_rule(db, actor=world["manager"], data=syn.RuleInput("转网业务", ["转网"]))
    engine.sync(db)
    assert own_analyzer.canonical("转网") == "转网业务"


def test_bad_groups_are_refused_with_reasons(db: Session, world: World) -> None:
    with pytest.raises(FieldErrors) as empty:
        syn.create_rule(db, actor=world["manager"], data=syn.RuleInput(" ", []))
    assert {p["field"] for p in empty.value.errors} == {"canonical", "variants"}
    with pytest.raises(FieldErrors) as same:
        syn.create_rule(db, actor=world["manager"], data=syn.RuleInput("流量", ["流量"]))
    assert same.value.errors[0]["field"] == "variants"
    syn.create_rule(db, actor=world["manager"], data=syn.RuleInput("黑名单", ["拉黑"]))
    with pytest.raises(FieldErrors) as taken:
        syn.create_rule(db, actor=world["manager"], data=syn.RuleInput("屏蔽", ["拉黑"]))
    assert taken.value.errors[0] == {"field": "variants", "code": "synonym_taken",
                                     "value": "拉黑", "other": "黑名单"}
    with pytest.raises(FieldErrors):
        syn.create_rule(db, actor=world["manager"], data=syn.RuleInput("长" * 41, ["短"]))


def test_terms_are_normalised_and_split_as_typed(db: Session, world: World) -> None:
    assert syn.split_terms("拉黑| 屏蔽，封鎖、 黑掉") == ["拉黑", "屏蔽", "封鎖", "黑掉"]
    rule = syn.create_rule(db, actor=world["manager"], data=syn.RuleInput(
        "黑名單", syn.split_terms("拉黑|拉黑|封鎖")))
    assert (rule.canonical, rule.variants) == ("黑名单", ["拉黑", "封锁"])


def test_only_managers_and_admins_edit_synonyms(db: Session, world: World) -> None:
    for name in ("agent", "editor", "reviewer", "analyst", "supervisor"):
        with pytest.raises(PermissionDenied):
            syn.create_rule(db, actor=world[name], data=syn.RuleInput("黑名单", ["拉黑"]))
    syn.create_rule(db, actor=world["admin"], data=syn.RuleInput("黑名单", ["拉黑"]))


def test_concurrent_edits_do_not_overwrite(db: Session, world: World) -> None:
    rule = syn.create_rule(db, actor=world["manager"], data=syn.RuleInput("黑名单", ["拉黑"]))
    stale = rule.lock_version
    syn.update_rule(db, actor=world["manager"], rule_id=rule.id, expected_lock_version=stale,
                    data=syn.RuleInput("黑名单", ["拉黑", "屏蔽"]))
    with pytest.raises(syn.StaleSynonymRule):
        syn.update_rule(db, actor=world["admin"], rule_id=rule.id, expected_lock_version=stale,
                        data=syn.RuleInput("黑名单", ["封锁"]))
    assert syn.get_rule(db, rule.id).variants == ["拉黑", "屏蔽"]


def test_synonym_api(client: TestClient, db: Session, world: World) -> None:
    headers = bearer(db, world, "manager")
    created = client.post("/api/v1/search/synonyms", headers=headers,
                          json={"canonical": "黑名单", "variants": ["拉黑"], "note": ""})
    assert created.status_code == 201, created.text
    rule = created.json()
    listed = client.get("/api/v1/search/synonyms", headers=headers).json()
    assert [r["canonical"] for r in listed] == ["黑名单"]
    analysed = client.get("/api/v1/search/analyze", params={"text": "帮我拉黑"},
                          headers=headers).json()
    assert "黑名单" in analysed["tokens"]
    stale = client.put(f"/api/v1/search/synonyms/{rule['id']}", headers=headers,
                       params={"lock_version": 99},
                       json={"canonical": "黑名单", "variants": ["屏蔽"]})
    assert stale.status_code == 409
    bad = client.post("/api/v1/search/synonyms", headers=headers,
                      json={"canonical": "", "variants": []})
    assert bad.status_code == 422
    assert {e["field"] for e in bad.json()["errors"]} == {"canonical", "variants"}
    gone = client.delete(f"/api/v1/search/synonyms/{rule['id']}", headers=headers,
                         params={"lock_version": rule["lock_version"]})
    assert gone.status_code == 204
    assert client.get("/api/v1/search/synonyms", headers=headers).json() == []
    shipped = client.get("/api/v1/search/synonyms/shipped", headers=headers).json()
    assert {"canonical": "携号转网", "variants": ["转网", "携转", "换运营商号码不变",
                                               "带号转网"]} in shipped
    agent = bearer(db, world, "agent")
    assert client.get("/api/v1/search/synonyms", headers=agent).status_code == 403
    assert client.post("/api/v1/search/synonyms", headers=agent,
                       json={"canonical": "a", "variants": ["b"]}).status_code == 403


def test_synonym_page(client: TestClient, db: Session, world: World) -> None:
    web_login(client, "manager")
    page = client.get("/kb/synonyms")
    assert page.status_code == 200
    assert "携号转网" in page.text  # the shipped table is shown
    token = csrf_of(page.text)
    saved = client.post("/kb/synonyms", data={"csrf_token": token, "canonical": "黑名单",
                                              "variants": "拉黑、屏蔽", "note": "常见说法"},
                        follow_redirects=False)
    assert saved.status_code == 303
    page = client.get("/kb/synonyms", params={"trial": "帮我拉黑这个号"})
    assert "拉黑 | 屏蔽" in page.text
    assert "<code>黑名单</code>" in page.text
    again = client.post("/kb/synonyms", data={"csrf_token": token, "canonical": "封锁",
                                              "variants": "拉黑"})
    assert again.status_code == 422
    assert "拉黑" in again.text and "黑名单" in again.text
    web_login(client, "agent")
    assert client.get("/kb/synonyms").status_code == 403
