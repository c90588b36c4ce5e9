"""Managers' situation lexicon: kept apart from the shipped file, validated, audited,
locked, effective without a restart, refused to everyone else."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from seci.audit.models import AuditEvent
from seci.core.errors import FieldErrors, NotFound, PermissionDenied
from seci.retrieval import situation_rules as sit
from seci.retrieval.engine import SearchEngine, situation_examples
from seci.retrieval.matcher import Example
from seci.retrieval.service import search
from seci.retrieval.situation_models import SituationRule
from seci.retrieval.situations import Situation, SituationLexicon, parse_lexicon
from seci.retrieval.text import Analyzer
from tests.authorization import deactivated_copy
from tests.conftest import csrf_of
from tests.factories import World, bearer, make_article, web_login

# A situation the shipped lexicon does not know.
BLACKLIST = sit.EntryInput("前男友|前女友|前夫|前妻 + 老打|老是打|一直打|天天打",
                           ["黑名单", "来电拦截"], "前男友老是打给我烦得很", "通话功能",
                           "拉黑骚扰的熟人")


@pytest.fixture(scope="module")
def own_analyzer() -> Analyzer:
    return Analyzer()


def keys(situations: list[Situation]) -> set[str]:
    return {s.key for s in situations}


def _top(db: Session, engine: SearchEngine, world: World, query: str) -> str | None:
    hits = search(db, engine=engine, user=world["agent"], query=query).hits
    return hits[0].code if hits else None


def test_a_new_entry_applies_at_once_in_every_engine(db: Session, world: World,
                                                     own_analyzer: Analyzer) -> None:
    make_article(db, world, code="HM-1", title="黑名单与来电拦截设置",
                 body="把号码加入黑名单后，来电会被拦截。", similar_questions=["黑名单怎么设"],
                 tags=[])
    make_article(db, world, code="HM-2", title="号码携带与改号说明",
                 body="改号后原号码停用，新号码通知亲友。", similar_questions=["能不能改号"],
                 tags=[])
    first, second = SearchEngine(own_analyzer), SearchEngine(Analyzer())  # two processes
    query = "前男友老是打给我烦得很"
    assert _top(db, first, world, query) != "HM-1"
    sit.create_entry(db, actor=world["manager"], data=BLACKLIST)
    assert _top(db, first, world, query) == "HM-1"
    assert _top(db, second, world, query) == "HM-1"
    assert any(f.situation.concepts == ("黑名单", "来电拦截")
               for f in first.situations.match(query))


def test_shipped_entries_are_read_from_the_file_and_changes_kept_apart(
        db: Session, world: World) -> None:
    shipped = parse_lexicon(["[宽带]", "bb.pwd: 宽带 + 密码 + 忘 => 宽带密码重置 ; 宽带密码忘了",
                             "bb.move: 搬家 + 宽带 => 宽带移机 ; 搬家了宽带咋办"])
    assert keys(sit.effective_situations(db, shipped)) == {"bb.pwd", "bb.move"}
    assert db.scalar(select(SituationRule)) is None  # nothing copied into the database
    manager = world["manager"]
    entry = sit.create_entry(db, actor=manager, data=BLACKLIST)
    assert entry.key.startswith("local-") and entry.state == "local"
    assert keys(sit.effective_situations(db, shipped)) == {"bb.pwd", "bb.move", entry.key}


def test_disabling_editing_and_resetting_a_shipped_entry(db: Session, world: World,
                                                         own_analyzer: Analyzer) -> None:
    manager = world["manager"]
    engine = SearchEngine(own_analyzer)
    engine.sync(db)
    query = "家里网络账号密码忘了"
    assert "bb.password" in [f.situation.key for f in engine.situations.match(query)]
    before = sit.get_entry(db, actor=manager, key="bb.password")
    assert (before.state, before.enabled, before.lock_version) == ("shipped", True, 0)

    off = sit.set_enabled(db, actor=manager, key="bb.password", expected_lock_version=0,
                          enabled=False)
    assert (off.state, off.enabled, off.pattern) == ("shipped", False, before.pattern)
    engine.sync(db)
    assert "bb.password" not in [f.situation.key for f in engine.situations.match(query)]

    edited = sit.update_entry(db, actor=manager, key="bb.password",
                              expected_lock_version=off.lock_version, data=sit.EntryInput(
                                  "宽带|家里网 + 密码 + 忘|不记得", "宽带密码重置 宽带账号",
                                  "家里网密码不记得了", "宽带"))
    assert (edited.state, edited.enabled) == ("edited", False)  # still disabled
    on = sit.set_enabled(db, actor=manager, key="bb.password",
                         expected_lock_version=edited.lock_version, enabled=True)
    engine.sync(db)
    firing = next(f for f in engine.situations.match("家里网密码不记得了")
                  if f.situation.key == "bb.password")
    assert firing.situation.concepts == ("宽带密码重置", "宽带账号")

    reset = sit.reset_entry(db, actor=manager, key="bb.password",
                            expected_lock_version=on.lock_version)
    assert (reset.state, reset.enabled, reset.pattern) == ("shipped", True, before.pattern)
    engine.sync(db)
    shipped = next(s for s in engine.situations.situations if s.key == "bb.password")
    assert str(shipped.pattern) == before.pattern
    actions = list(db.scalars(select(AuditEvent.action)
                              .where(AuditEvent.entity_type == "situation")
                              .order_by(AuditEvent.id)))
    assert actions == ["situation.disable", "situation.update", "situation.enable",
                       "situation.reset"]


def test_an_upgrade_keeps_managers_changes(db: Session, world: World,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """A new shipped file: unchanged entries follow it, changed and disabled ones stay."""
    manager = world["manager"]
    old = tuple(parse_lexicon(["a.one: 宽带 + 密码 => 宽带密码重置",
                               "a.two: 搬家 + 宽带 => 宽带移机",
                               "a.three: 彩铃 + 关 => 彩铃退订"]))
    new = tuple(parse_lexicon(["a.one: 宽带|家里网 + 密码 => 宽带密码重置 宽带账号",
                               "a.two: 搬家|搬走 + 宽带 => 宽带移机",
                               "a.three: 彩铃|铃声 + 关 => 彩铃退订 视频彩铃",
                               "a.four: 积分 + 过期 => 积分有效期"]))
    monkeypatch.setattr(sit, "shipped_situations", lambda: old)
    sit.set_enabled(db, actor=manager, key="a.two", expected_lock_version=0, enabled=False)
    sit.update_entry(db, actor=manager, key="a.three", expected_lock_version=0,
                     data=sit.EntryInput("彩铃 + 关|退", "彩铃退订"))
    monkeypatch.setattr(sit, "shipped_situations", lambda: new)  # the upgrade
    after = {s.key: s for s in sit.effective_situations(db)}
    assert set(after) == {"a.one", "a.three", "a.four"}  # a.two stays disabled
    assert after["a.one"].concepts == ("宽带密码重置", "宽带账号")  # unchanged: follows the file
    assert after["a.three"].concepts == ("彩铃退订",)  # the manager's edit wins
    assert [e.state for e in sit.list_entries(db, actor=manager)] == [
        "shipped", "shipped", "edited", "shipped"]


def test_bad_entries_are_refused_with_reasons(db: Session, world: World) -> None:
    manager = world["manager"]
    with pytest.raises(FieldErrors) as empty:
        sit.create_entry(db, actor=manager, data=sit.EntryInput("", ""))
    assert {p["field"] for p in empty.value.errors} == {"pattern", "concepts"}
    with pytest.raises(FieldErrors) as short:
        sit.create_entry(db, actor=manager, data=sit.EntryInput("拉黑", "黑名单"))
    assert short.value.errors[0]["code"] == "pattern_single_slot_too_short"
    with pytest.raises(FieldErrors) as silent:
        sit.create_entry(db, actor=manager, data=sit.EntryInput(
            "拉黑 + 号码", "黑名单", "怎么屏蔽这个电话"))
    assert silent.value.errors == [{"field": "example", "code": "example_does_not_fire",
                                    "value": "怎么屏蔽这个电话"}]
    with pytest.raises(FieldErrors) as many:
        sit.create_entry(db, actor=manager, data=sit.EntryInput(
            "拉黑 + 号码", " ".join(f"概念{i}" for i in range(9))))
    assert many.value.errors[0] == {"field": "concepts", "code": "too_many", "max": 8}


def test_only_managers_and_admins_read_or_change_the_lexicon(db: Session, world: World,
                                                              own_analyzer: Analyzer) -> None:
    engine = SearchEngine(own_analyzer)
    for name in ("agent", "editor", "reviewer", "analyst", "supervisor", "trainer"):
        actor = world[name]
        with pytest.raises(PermissionDenied):
            sit.create_entry(db, actor=actor, data=BLACKLIST)
        with pytest.raises(PermissionDenied):
            sit.update_entry(db, actor=actor, key="bb.password", expected_lock_version=0,
                             data=BLACKLIST)
        with pytest.raises(PermissionDenied):
            sit.set_enabled(db, actor=actor, key="bb.password", expected_lock_version=0,
                            enabled=False)
        with pytest.raises(PermissionDenied):
            sit.reset_entry(db, actor=actor, key="bb.password", expected_lock_version=0)
        with pytest.raises(PermissionDenied):
            sit.list_entries(db, actor=actor)
        with pytest.raises(PermissionDenied):
            sit.try_query(actor=actor, lexicon=engine.situations,
                          tokenize=own_analyzer.tokens, query="换了手机上不了网")
    with pytest.raises(PermissionDenied):  # a manager who left
        sit.create_entry(db, actor=deactivated_copy(db, world, "manager"), data=BLACKLIST)
    assert db.scalar(select(SituationRule)) is None
    sit.create_entry(db, actor=world["admin"], data=BLACKLIST)


def test_concurrent_edits_do_not_overwrite(db: Session, world: World) -> None:
    entry = sit.create_entry(db, actor=world["manager"], data=BLACKLIST)
    stale = entry.lock_version
    sit.update_entry(db, actor=world["manager"], key=entry.key, expected_lock_version=stale,
                     data=sit.EntryInput("拉黑 + 号码", "黑名单"))
    with pytest.raises(sit.StaleSituation):
        sit.update_entry(db, actor=world["admin"], key=entry.key, expected_lock_version=stale,
                         data=sit.EntryInput("屏蔽 + 号码", "来电拦截"))
    sit.set_enabled(db, actor=world["manager"], key="bb.move", expected_lock_version=0,
                    enabled=False)
    with pytest.raises(sit.StaleSituation):  # a shipped entry someone changed meanwhile
        sit.set_enabled(db, actor=world["admin"], key="bb.move", expected_lock_version=0,
                        enabled=False)
    with pytest.raises(NotFound):
        sit.reset_entry(db, actor=world["manager"], key=entry.key,
                        expected_lock_version=entry.lock_version + 1)  # not a shipped entry
    with pytest.raises(NotFound):
        sit.get_entry(db, actor=world["manager"], key="no.such.key")


def test_listing_filters(db: Session, world: World) -> None:
    manager = world["manager"]
    entry = sit.create_entry(db, actor=manager, data=BLACKLIST)
    sit.set_enabled(db, actor=manager, key="bb.move", expected_lock_version=0, enabled=False)
    everything = sit.list_entries(db, actor=manager)
    assert len(everything) >= 301 and everything[-1].key == entry.key
    assert [e.key for e in sit.list_entries(db, actor=manager, state="local")] == [entry.key]
    assert [e.key for e in sit.list_entries(db, actor=manager, state="disabled")] == ["bb.move"]
    assert {e.area for e in sit.list_entries(db, actor=manager, area="宽带")} == {"宽带"}
    assert "bb.password" in [e.key for e in sit.list_entries(db, actor=manager, text="账号密码")]
    assert "通话功能" in sit.areas(db)


def test_situation_api(client: TestClient, db: Session, world: World) -> None:
    headers = bearer(db, world, "manager")
    created = client.post("/api/v1/search/situations", headers=headers, json={
        "pattern": BLACKLIST.pattern, "concepts": list(BLACKLIST.concepts),
        "example": BLACKLIST.example, "area": "通话功能"})
    assert created.status_code == 201, created.text
    entry = created.json()
    assert entry["state"] == "local" and entry["concepts"] == ["黑名单", "来电拦截"]
    listed = client.get("/api/v1/search/situations", headers=headers,
                        params={"state": "local"}).json()
    assert [e["key"] for e in listed] == [entry["key"]]
    shipped = client.get("/api/v1/search/situations/bb.password", headers=headers).json()
    assert shipped["state"] == "shipped" and shipped["lock_version"] == 0

    trial = client.get("/api/v1/search/situations/try", headers=headers,
                       params={"q": "我前妻天天打电话来"}).json()
    assert [f["key"] for f in trial["fired"]] == [entry["key"]]
    assert "黑名单" in trial["expanded"] and trial["added"]
    assert all(0 < t["weight"] <= 1 for t in trial["added"])

    disabled = client.post("/api/v1/search/situations/bb.password/disable", headers=headers,
                           params={"lock_version": 0})
    assert disabled.status_code == 200 and disabled.json()["enabled"] is False
    stale = client.post("/api/v1/search/situations/bb.password/enable", headers=headers,
                        params={"lock_version": 0})
    assert stale.status_code == 409
    edited = client.put("/api/v1/search/situations/bb.password", headers=headers,
                        params={"lock_version": disabled.json()["lock_version"]},
                        json={"pattern": "宽带 + 密码 + 忘", "concepts": ["宽带密码重置"]})
    assert edited.status_code == 200 and edited.json()["state"] == "edited"
    reset = client.post("/api/v1/search/situations/bb.password/reset", headers=headers,
                        params={"lock_version": edited.json()["lock_version"]})
    assert reset.json()["state"] == "shipped" and reset.json()["enabled"] is True
    bad = client.post("/api/v1/search/situations", headers=headers,
                      json={"pattern": "拉黑", "concepts": []})
    assert bad.status_code == 422
    assert {e["field"] for e in bad.json()["errors"]} == {"pattern", "concepts"}
    assert client.get("/api/v1/search/situations/nope", headers=headers).status_code == 404

    agent = bearer(db, world, "agent")
    assert client.get("/api/v1/search/situations", headers=agent).status_code == 403
    assert client.get("/api/v1/search/situations/try", headers=agent,
                      params={"q": "换了手机上不了网"}).status_code == 403
    assert client.post("/api/v1/search/situations", headers=agent, json={
        "pattern": "拉黑 + 号码", "concepts": ["黑名单"]}).status_code == 403
    schema = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/search/situations/{key}/disable" in schema["paths"]


def test_situation_page(client: TestClient, db: Session, world: World) -> None:
    web_login(client, "manager")
    page = client.get("/kb/situations", params={"q": "换了手机上不了网"})
    assert page.status_code == 200
    assert "net.new-phone" in page.text and "trial-expanded" in page.text
    assert "bb.password" in page.text  # the shipped entries are listed
    token = csrf_of(page.text)
    added = client.post("/kb/situations", data={
        "csrf_token": token, "pattern": BLACKLIST.pattern, "concepts": "黑名单 来电拦截",
        "example": BLACKLIST.example, "area": "通话功能", "note": ""}, follow_redirects=False)
    assert added.status_code == 303
    refused = client.post("/kb/situations", data={
        "csrf_token": token, "pattern": "拉黑", "concepts": "黑名单"})
    assert refused.status_code == 422 and "situation-error" in refused.text
    disabled = client.post("/kb/situations/bb.move", data={
        "csrf_token": token, "lock_version": "0", "action": "disable"}, follow_redirects=False)
    assert disabled.status_code == 303
    assert sit.get_entry(db, actor=world["manager"], key="bb.move").enabled is False

    web_login(client, "agent")
    assert client.get("/kb/situations").status_code == 403


def test_a_new_entrys_sentence_retrains_the_matcher(db: Session, world: World,
                                                   own_analyzer: Analyzer) -> None:
    """An entry's example sentence is a matcher example of the article naming its concept:
    saving one retrains the matcher, which then knows the sentence as that article's."""
    make_article(db, world, code="HM-1", title="黑名单与来电拦截设置",
                 body="把号码加入黑名单后，来电会被拦截。", similar_questions=["黑名单怎么设"],
                 tags=[])
    for number in range(2, 21):  # a KB of 20: 5 % is one article, HM-1 alone names 黑名单
        make_article(db, world, code=f"OT-{number}", title=f"其他业务说明{number}",
                     body="按业务规定办理。", similar_questions=[f"业务{number}怎么办"], tags=[])
    engine = SearchEngine(own_analyzer)
    engine.sync(db)
    engine.train_matcher()
    sentence = BLACKLIST.example
    assert all(e.text != sentence for e in engine_examples(engine))
    sit.create_entry(db, actor=world["manager"], data=BLACKLIST)
    engine.sync(db)
    assert engine.train_matcher()  # stale after the lexicon changed
    facts = {f.code: f.article_id for f in engine.all_facts()}
    assert [e.label for e in engine_examples(engine) if e.text == sentence] == [facts["HM-1"]]


def engine_examples(engine: SearchEngine) -> list[Example]:
    return situation_examples(engine.all_facts(), engine.situations)


# --- checking the lexicon against callers' sentences ------------------------------------------


CHECK_LINES = "\n".join([
    "net.new-phone\t换了个新手机就上不了网了",     # fires its entry
    "net.new-phone\t我想办一张副卡",               # its entry misses it
    "",                                            # blank lines are skipped
    "银行卡密码忘了咋整",                          # out of scope, nothing fires: right
    "-\t我卡里还剩多少钱啊",                        # out of scope, yet bill.balance fires
])


def test_a_check_reads_labelled_and_out_of_scope_sentences(db: Session, world: World,
                                                           own_analyzer: Analyzer) -> None:
    engine = SearchEngine(own_analyzer)
    check = sit.check_sentences(actor=world["manager"], lexicon=engine.situations,
                                text=CHECK_LINES, segment=own_analyzer.cut)
    found = {s.line: s for s in check.sentences}
    assert sorted(found) == [1, 2, 4, 5]
    assert found[1].outcome == "fired" and "net.new-phone" in found[1].fired
    assert found[2].outcome == "missed" and found[2].key == "net.new-phone"
    assert found[4].outcome == "silent" and found[4].key is None
    assert found[5].outcome == "fired_out_of_scope" and "bill.balance" in found[5].fired
    assert [s.line for s in check.problems] == [2, 5]
    # Hand-computed: 1 of the 2 labelled sentences fires its entry; 1 of the 2 out of scope
    # fires something; no labelled sentence fires an unrelated entry.
    assert sit.fires_own_share(check.sentences) == 0.5
    assert sit.out_of_scope_fired_share(check.sentences) == 0.5
    assert sit.stray_share(check.sentences) == 0.0
    assert sit.fires_own_share([]) is None and sit.out_of_scope_fired_share([]) is None


def test_a_check_names_a_wrong_situation(db: Session, world: World,
                                         own_analyzer: Analyzer) -> None:
    """A sentence labelled with one situation on which an entry sharing none of its
    concepts fires: the lexicon would send the caller's question the wrong way."""
    lexicon = SituationLexicon(parse_lexicon([
        "bill.high: 话费 + 好多|太多 => 话费查询 ; 这个月话费怎么这么多",
        "bill.detail: 话费 + 明细|清单 => 话费查询 详单 ; 话费明细怎么查",
        "data.slow: 网 + 好慢|太慢 => 网络故障 ; 网好慢",
    ]))
    check = sit.check_sentences(actor=world["manager"], lexicon=lexicon,
                                text="bill.high\t话费好多啊网也好慢\nbill.high\t话费太多了要明细")
    first, second = check.sentences
    assert first.outcome == "fired" and first.stray == ("data.slow",)
    # bill.detail shares 话费查询 with bill.high: a neighbour, not a wrong situation.
    assert set(second.fired) == {"bill.high", "bill.detail"}
    assert second.stray == ()
    assert sit.stray_share(check.sentences) == 0.5


def test_bad_check_lines_are_refused_with_their_numbers(db: Session, world: World) -> None:
    engine = SearchEngine()
    manager = world["manager"]
    with pytest.raises(FieldErrors) as unknown:
        sit.check_sentences(actor=manager, lexicon=engine.situations,
                            text="net.new-phone\t换了手机上不了网\nno.such-entry\t随便问问")
    assert unknown.value.errors == [{"field": "lines", "code": "unknown_situation",
                                     "line": 2, "value": "no.such-entry"}]
    with pytest.raises(FieldErrors) as long_line:
        sit.check_sentences(actor=manager, lexicon=engine.situations,
                            text="话" * (sit.MAX_CHECK_SENTENCE + 1))
    assert long_line.value.errors[0]["code"] == "line_too_long"
    with pytest.raises(FieldErrors) as many:
        sit.check_sentences(actor=manager, lexicon=engine.situations,
                            text="\n".join(["问问"] * (sit.MAX_CHECK_LINES + 1)))
    assert many.value.errors[0] == {"field": "lines", "code": "too_many",
                                    "max": sit.MAX_CHECK_LINES}
    with pytest.raises(FieldErrors) as empty:
        sit.check_sentences(actor=manager, lexicon=engine.situations, text="\n \n")
    assert empty.value.errors == [{"field": "lines", "code": "required"}]
    # A disabled entry is not in force: a sentence labelled with it is refused too.
    sit.set_enabled(db, actor=manager, key="net.new-phone", expected_lock_version=0,
                    enabled=False)
    engine.sync(db)
    with pytest.raises(FieldErrors):
        sit.check_sentences(actor=manager, lexicon=engine.situations,
                            text="net.new-phone\t换了手机上不了网")
    for name in ("agent", "editor", "analyst"):
        with pytest.raises(PermissionDenied):
            sit.check_sentences(actor=world[name], lexicon=engine.situations,
                                text="换了手机上不了网")


def test_situation_check_api_and_page(client: TestClient, db: Session, world: World) -> None:
    headers = bearer(db, world, "manager")
    checked = client.post("/api/v1/search/situations/check", headers=headers,
                          json={"lines": CHECK_LINES})
    assert checked.status_code == 200, checked.text
    body = checked.json()
    assert (body["labelled"], body["out_of_scope"]) == (2, 2)
    assert body["fires_own_share"] == 0.5 and body["out_of_scope_fired_share"] == 0.5
    assert [s["outcome"] for s in body["sentences"]] == [
        "fired", "missed", "silent", "fired_out_of_scope"]
    bad = client.post("/api/v1/search/situations/check", headers=headers,
                      json={"lines": "nope\t问问"})
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["code"] == "unknown_situation"
    assert client.post("/api/v1/search/situations/check", headers=bearer(db, world, "agent"),
                       json={"lines": "问问"}).status_code == 403
    assert "/api/v1/search/situations/check" in client.get(
        "/api/v1/openapi.json").json()["paths"]

    web_login(client, "manager")
    token = csrf_of(client.get("/kb/situations").text)
    page = client.post("/kb/situations/check", data={"csrf_token": token,
                                                     "lines": CHECK_LINES})
    assert page.status_code == 200 and 'id="check-problems"' in page.text
    assert 'data-outcome="missed"' in page.text and "我想办一张副卡" in page.text
    refused = client.post("/kb/situations/check", data={"csrf_token": token,
                                                        "lines": "nope\t问问"})
    assert refused.status_code == 422 and "situation-error" in refused.text
    assert "nope\t问问" in refused.text  # the pasted lines are kept
