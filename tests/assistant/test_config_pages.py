"""The managers' pages for hand-off rules (/assistant/rules, with the try box) and queue
hours (/assistant/hours): who may open them, validation shown at the field, audit, and
409 when someone else saved in between."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from seci.assistant import rules as svc
from seci.assistant.models import HandoffRule
from seci.assistant.queues import Opening, openings, update_hours
from seci.audit.models import AuditEvent
from seci.core.errors import FieldErrors
from seci.web.pages.assistant_hours import describe_hours, parse_day
from tests.conftest import csrf_of
from tests.factories import World, web_login

PAGES = ("/assistant/rules", "/assistant/rules/1", "/assistant/hours", "/assistant/hours/A")
NEW_RULE = {"kind": "keyword", "reason": "complaint", "pattern": "销户|注销号码",
            "target_queue": "投诉专席", "priority": "5", "threshold": "0", "note": "客户要求销户",
            "enabled": "on"}


def _rule(db: Session, pattern: str) -> HandoffRule:
    db.expire_all()
    rule = db.scalar(select(HandoffRule).where(HandoffRule.pattern == pattern))
    assert rule is not None
    return rule


def _error_at(html: str, name: str) -> str:
    """The message shown next to a field (its id="error-<name>" span)."""
    found = re.search(rf'<span class="field-error" id="error-{name}"[^>]*>([^<]*)</span>',
                      html)
    assert found, f"no error shown at {name}"
    return found.group(1)


def _post_rule(client: TestClient, url: str, page: str, **fields: str):  # type: ignore[no-untyped-def]
    return client.post(url, data={"csrf_token": csrf_of(page)} | fields,
                       follow_redirects=False)


# --- permissions ------------------------------------------------------------------------------


@pytest.mark.parametrize("username", ["agent", "supervisor", "editor", "reviewer"])
def test_staff_without_the_configure_permission_get_403(client: TestClient, world: World,
                                                         username: str) -> None:
    web_login(client, username)
    for path in PAGES:
        assert client.get(path).status_code == 403, path
    token = csrf_of(client.get("/kb").text)
    for path in ("/assistant/rules", "/assistant/rules/1", "/assistant/rules/1/enabled",
                 "/assistant/hours/A"):
        assert client.post(path, data={"csrf_token": token, **NEW_RULE}).status_code == 403
    assert 'href="/assistant/rules"' not in client.get("/kb").text


@pytest.mark.parametrize("username", ["manager", "admin"])
def test_managers_open_the_pages_from_the_navigation(client: TestClient, world: World,
                                                      username: str) -> None:
    web_login(client, username)
    assert 'href="/assistant/rules"' in client.get("/kb").text
    for path in PAGES:
        assert client.get(path).status_code == 200, path


def test_anonymous_visitors_are_sent_to_the_login(client: TestClient, world: World) -> None:
    for path in PAGES:
        response = client.get(path, follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"].startswith(
            "/login"), path


# --- the rules --------------------------------------------------------------------------------


def test_rules_are_listed_in_the_order_they_are_tried(client: TestClient, world: World
                                                      ) -> None:
    web_login(client, "manager")
    page = client.get("/assistant/rules").text
    page = page[page.index('id="rule-list"'):]
    complaint, vip, request = (page.index(w) for w in ("工信部", ">VIP<", "转人工</code>"))
    assert complaint < vip < request
    routing = page[page.index('id="routing-list"'):]
    assert "个人业务/账务" in routing and "数据专席" in routing


def test_a_manager_adds_a_keyword_rule_and_the_try_box_shows_it_firing(
        client: TestClient, db: Session, world: World) -> None:
    web_login(client, "manager")
    page = client.get("/assistant/rules").text
    response = _post_rule(client, "/assistant/rules", page, **NEW_RULE)
    assert response.status_code == 303
    rule = _rule(db, "销户|注销号码")
    assert (rule.kind, rule.reason, rule.target_queue, rule.priority, rule.enabled) == \
        ("keyword", "complaint", "投诉专席", 5, True)
    assert "转人工规则已保存" in client.get(response.headers["location"]).text
    audit = db.scalar(select(AuditEvent).where(AuditEvent.action == "assistant_rule_created",
                                               AuditEvent.entity_id == str(rule.id)))
    assert audit is not None and audit.actor_id == world["manager"].id

    trial = client.get("/assistant/rules", params={"text": "我想把这个号销户"}).text
    result = trial[trial.index('id="trial-result"'):]
    assert '<dd class="matched">销户</dd>' in result and '<dd class="queue">投诉专席</dd>' \
        in result
    assert f'id="rule-{rule.id}" class="fires' in trial


def test_the_try_box_uses_the_tier_and_says_when_nothing_fires(client: TestClient,
                                                                world: World) -> None:
    web_login(client, "manager")
    vip = client.get("/assistant/rules", params={"text": "我的套餐", "tier": "VIP"}).text
    assert '<dd class="queue">VIP</dd>' in vip and "客户等级" in vip
    plain = client.get("/assistant/rules", params={"text": "国际漫游怎么开通"}).text
    assert "没有规则触发" in plain
    too_long = client.get("/assistant/rules", params={"text": "话" * 2001}).text
    assert 'id="trial-error"' in too_long and "2000" in too_long


def test_the_try_box_reads_homophone_typos_as_the_chat_does(client: TestClient,
                                                             world: World) -> None:
    web_login(client, "manager")
    typed = client.get("/assistant/rules", params={"text": "我要头诉你们乱扣费"}).text
    result = typed[typed.index('id="trial-result"'):]
    assert '<dd class="matched">投诉</dd>' in result
    assert '<dd class="read-as">我要投诉你们乱扣费</dd>' in result
    assert '<dd class="queue">投诉专席</dd>' in result
    plain = client.get("/assistant/rules", params={"text": "我要投诉你们乱扣费"}).text
    assert 'class="read-as"' not in plain


@pytest.mark.parametrize(("fields", "at", "says"), [
    ({"pattern": "销户，注销"}, "pattern", "只能用 | 分隔"),
    ({"pattern": "销户||注销"}, "pattern", "多余的 |"),
    ({"pattern": "销户|！！"}, "pattern", "不含文字或数字"),
    ({"pattern": " "}, "pattern", "必填"),
    ({"target_queue": "NOPE"}, "target_queue", "未知队列：NOPE"),
    ({"priority": "前面"}, "priority", "不是整数"),
    ({"kind": "failed_answers", "threshold": "0"}, "threshold", "0"),
    ({"kind": "regex"}, "kind", "regex"),
])
def test_invalid_rules_are_refused_with_the_message_at_the_field(
        client: TestClient, db: Session, world: World, fields: dict[str, str], at: str,
        says: str) -> None:
    web_login(client, "manager")
    count = len(svc.list_rules(db))
    response = _post_rule(client, "/assistant/rules", client.get("/assistant/rules").text,
                          **(NEW_RULE | fields))
    assert response.status_code == 422
    assert says in _error_at(response.text, at)
    assert 'aria-invalid="true"' in response.text
    assert f'value="{(NEW_RULE | fields)["note"]}"' in response.text  # the form is kept
    db.expire_all()
    assert len(svc.list_rules(db)) == count


def test_editing_a_rule_that_someone_saved_meanwhile_answers_409(
        client: TestClient, db: Session, world: World) -> None:
    rule = svc.create_rule(db, actor=world["manager"], data=svc.RuleInput(
        kind="keyword", pattern="销户", target_queue="投诉专席", reason="complaint"))
    db.commit()
    web_login(client, "manager")
    form = client.get(f"/assistant/rules/{rule.id}").text
    # Someone else moves the rule to another queue while the form is open.
    svc.update_rule(db, actor=world["admin"], rule_id=rule.id, data=svc.RuleInput(
        kind="keyword", pattern="销户", target_queue="A+", reason="complaint"))
    db.commit()
    token = re.search(r'name="updated_at" value="([^"]+)"', form)
    assert token is not None
    mine = NEW_RULE | {"pattern": "销户|携号转网", "updated_at": token.group(1)}
    conflict = _post_rule(client, f"/assistant/rules/{rule.id}", form, **mine)
    assert conflict.status_code == 409
    assert 'id="rule-conflict"' in conflict.text and "销户|携号转网" in conflict.text
    assert _rule(db, "销户").target_queue == "A+"  # nothing overwritten
    again = _post_rule(client, f"/assistant/rules/{rule.id}", conflict.text,
                       **(mine | {"updated_at": re.findall(
                           r'name="updated_at" value="([^"]+)"', conflict.text)[0]}))
    assert again.status_code == 303
    assert _rule(db, "销户|携号转网").target_queue == "投诉专席"


def test_disabling_a_rule_stops_it_firing_and_a_stale_switch_answers_409(
        client: TestClient, db: Session, world: World) -> None:
    web_login(client, "manager")
    page = client.get("/assistant/rules").text
    _post_rule(client, "/assistant/rules", page, **NEW_RULE)
    rule = _rule(db, NEW_RULE["pattern"])
    stamp = rule.updated_at.isoformat()
    off = _post_rule(client, f"/assistant/rules/{rule.id}/enabled", page, enabled="off",
                     updated_at=stamp)
    assert off.status_code == 303 and "rule_disabled" in off.headers["location"]
    assert _rule(db, NEW_RULE["pattern"]).enabled is False
    trial = client.get("/assistant/rules", params={"text": "我要销户"}).text
    assert '<dd class="matched">销户</dd>' not in trial
    stale = _post_rule(client, f"/assistant/rules/{rule.id}/enabled", page, enabled="on",
                       updated_at=stamp)
    assert stale.status_code == 409 and 'id="rules-problem"' in stale.text
    assert _rule(db, NEW_RULE["pattern"]).enabled is False
    audits = db.scalars(select(AuditEvent.action).where(
        AuditEvent.entity_type == "handoff_rule", AuditEvent.entity_id == str(rule.id))).all()
    assert sorted(audits) == ["assistant_rule_created", "assistant_rule_updated"]


def test_a_manager_lets_a_keyword_rule_answer_first_and_the_list_says_so(
        client: TestClient, db: Session, world: World) -> None:
    web_login(client, "manager")
    page = client.get("/assistant/rules").text
    _post_rule(client, "/assistant/rules", page, **NEW_RULE)
    rule = _rule(db, NEW_RULE["pattern"])
    assert rule.answer_first is False
    form = client.get(f"/assistant/rules/{rule.id}").text
    assert 'name="answer_first" value="on">' in form  # shown, not ticked
    stamp = rule.updated_at.isoformat()
    saved = _post_rule(client, f"/assistant/rules/{rule.id}", form,
                       **(NEW_RULE | {"answer_first": "on", "updated_at": stamp}))
    assert saved.status_code == 303
    assert _rule(db, NEW_RULE["pattern"]).answer_first is True
    assert 'name="answer_first" value="on" checked' in client.get(
        f"/assistant/rules/{rule.id}").text
    listed = client.get("/assistant/rules").text
    row = listed[listed.index(f'id="rule-{rule.id}"'):]
    assert "先答后转" in row[:row.index("</tr>")]
    # Ticked on a rule of another kind it would do nothing: the form says so.
    tier = NEW_RULE | {"kind": "tier", "pattern": "金卡", "answer_first": "on"}
    refused = _post_rule(client, "/assistant/rules", listed, **tier)
    assert refused.status_code == 422
    assert "关键词规则" in _error_at(refused.text, "answer_first")


# --- queue hours ------------------------------------------------------------------------------


def _hours_form(client: TestClient, code: str) -> tuple[str, str]:
    page = client.get(f"/assistant/hours/{code}").text
    expected = re.search(r'name="expected" value="([^"]*)"', page)
    assert expected is not None
    return page, expected.group(1)


def test_a_manager_sets_weekday_hours_and_sees_them_in_words(
        client: TestClient, db: Session, world: World) -> None:
    web_login(client, "manager")
    assert "全天 24 小时" in client.get("/assistant/hours").text
    page, expected = _hours_form(client, "A")
    days = {f"day{d}": "08:00-20:00" for d in range(5)} | {"day5": "09:00-12:00"}
    saved = client.post("/assistant/hours/A", data={
        "csrf_token": csrf_of(page), "mode": "days", "expected": expected, **days},
        follow_redirects=False)
    assert saved.status_code == 303
    listing = client.get(saved.headers["location"]).text
    assert "周一–周五 08:00–20:00 · 周六 09:00–12:00" in listing
    assert "队列服务时间已保存" in listing
    queue = world.queues["A"]
    assert openings(db, queue.id)[0] == Opening(0, 480, 1200)
    assert db.scalar(select(AuditEvent).where(AuditEvent.action == "assistant_hours_updated",
                                              AuditEvent.entity_id == str(queue.id)))
    back, expected = _hours_form(client, "A")
    assert 'value="08:00-20:00"' in back
    always = client.post("/assistant/hours/A", data={
        "csrf_token": csrf_of(back), "mode": "always", "expected": expected},
        follow_redirects=False)
    assert always.status_code == 303 and openings(db, queue.id) == []


@pytest.mark.parametrize(("text", "says"), [
    ("25:00-26:00", "08:00-20:00 的格式"),
    ("8点到晚上8点", "08:00-20:00 的格式"),
    ("20:00-08:00", "结束时间早于开始时间"),
    ("08:00-12:00, 11:00-14:00", "时段重叠"),
])
def test_bad_hours_are_refused_at_the_day(client: TestClient, db: Session, world: World,
                                          text: str, says: str) -> None:
    web_login(client, "manager")
    page, expected = _hours_form(client, "A")
    response = client.post("/assistant/hours/A", data={
        "csrf_token": csrf_of(page), "mode": "days", "expected": expected,
        "day0": "08:00-20:00", "day2": text})
    assert response.status_code == 422
    assert says in _error_at(response.text, "day2")
    assert f'value="{text}"' in response.text
    assert openings(db, world.queues["A"].id) == []


def test_a_week_without_hours_or_hours_under_24_hours_are_refused(
        client: TestClient, world: World) -> None:
    web_login(client, "manager")
    page, expected = _hours_form(client, "A")
    response = client.post("/assistant/hours/A", data={
        "csrf_token": csrf_of(page), "mode": "days", "expected": expected})
    assert response.status_code == 422 and "至少填写一天" in _error_at(response.text, "mode")
    typed = client.post("/assistant/hours/A", data={
        "csrf_token": csrf_of(page), "mode": "always", "expected": expected,
        "day2": "08:00-20:00"})
    assert typed.status_code == 422 and "按以下时段" in _error_at(typed.text, "mode")


def test_hours_saved_by_someone_else_meanwhile_answer_409(client: TestClient, db: Session,
                                                         world: World) -> None:
    web_login(client, "manager")
    page, expected = _hours_form(client, "VIP")
    update_hours(db, actor=world["admin"], queue=world.queues["VIP"],
                 hours=[Opening(6, 600, 660)])
    db.commit()
    response = client.post("/assistant/hours/VIP", data={
        "csrf_token": csrf_of(page), "mode": "days", "expected": expected,
        "day0": "08:00-20:00"})
    assert response.status_code == 409
    assert "周日 10:00–11:00" in response.text and 'value="08:00-20:00"' in response.text
    assert openings(db, world.queues["VIP"].id) == [Opening(6, 600, 660)]


def test_unknown_queues_have_no_hours_page(client: TestClient, world: World) -> None:
    web_login(client, "manager")
    assert client.get("/assistant/hours/NOPE").status_code == 422


# --- parsing and describing -------------------------------------------------------------------


def test_day_ranges_are_read_in_full_and_half_width_forms() -> None:
    assert parse_day("") == []
    assert parse_day("08:00-12:00，13:30～24:00") == [(480, 720), (810, 1440)]
    assert parse_day("１３：００ 至 １４：００") == [(780, 840)]
    for bad in ("24:00-24:30", "08:60-09:00", "08:00-12:00 extra"):
        with pytest.raises(FieldErrors):
            parse_day(bad)


def test_hours_are_described_by_runs_of_days() -> None:
    weekdays = [Opening(d, 480, 1200) for d in range(5)]
    assert describe_hours([]) == "全天 24 小时"
    assert describe_hours(weekdays) == "周一–周五 08:00–20:00"
    split = [Opening(0, 480, 720), Opening(0, 780, 1080), Opening(2, 0, 1440)]
    assert describe_hours(split) == "周一 08:00–12:00, 13:00–18:00 · 周三 00:00–24:00"


def test_keyword_lists_are_checked_word_by_word() -> None:
    assert svc.keyword_problems("投诉|工信部|=人工|3·15|tmd") == []
    codes = [p["code"] for p in svc.keyword_problems("投诉||举报|销户、注销|=|？？")]
    assert codes == ["empty_keyword", "keyword_separator", "keyword_no_letters"]
    assert svc.keyword_problems("妈的|!我妈的|！老妈的") == []
    codes = [p["code"] for p in svc.keyword_problems("!我妈的|！|!")]
    assert codes == ["empty_keyword", "keyword_only_exceptions"]
