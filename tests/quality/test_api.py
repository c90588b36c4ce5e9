"""The /api/v1/qa contract: status codes and problem codes of the main endpoints."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.calls.helpers import call
from tests.factories import World, bearer
from tests.quality.helpers import import_calls, link_agent

API = "/api/v1/qa"
CARD = {"name": "API 评分表", "pass_mark": 80, "items": [
    {"name": "开场白规范", "max_points": 5}, {"name": "需求理解准确", "max_points": 10},
    {"name": "业务解答准确", "max_points": 15, "critical": True}]}


def _points(card: dict[str, Any], values: list[int]) -> dict[str, int]:
    return {str(item["id"]): v for item, v in zip(card["items"], values, strict=True)}


def test_scorecards_create_validate_freeze_copy_retire(
        client: TestClient, db: Session, world: World, tmp_path: Path) -> None:
    manager = bearer(db, world, "manager")
    assert client.post(f"{API}/scorecards", json=CARD,
                       headers=bearer(db, world, "agent")).status_code == 403
    bad = client.post(f"{API}/scorecards", headers=manager,
                      json={"name": "", "pass_mark": 101, "items": []})
    assert bad.status_code == 422 and bad.json()["code"] == "validation_failed"
    assert {e["field"] for e in bad.json()["errors"]} == {"name", "pass_mark", "items"}
    created = client.post(f"{API}/scorecards", json=CARD, headers=manager)
    assert created.status_code == 201
    card = created.json()
    assert (card["max_points"], card["in_use"], card["active"]) == (30, False, True)
    assert client.put(f"{API}/scorecards/{card['id']}", headers=manager,
                      json=CARD | {"pass_mark": 85}).json()["pass_mark"] == 85
    card = client.get(f"{API}/scorecards/{card['id']}", headers=manager).json()
    import_calls(db, world, tmp_path, [call("C1")])
    scored = client.post(f"{API}/scores", headers=bearer(db, world, "reviewer"), json={
        "call_id": "C1", "scorecard_id": card["id"], "points": _points(card, [5, 10, 15])})
    assert scored.status_code == 201
    frozen = client.put(f"{API}/scorecards/{card['id']}", json=CARD, headers=manager)
    assert frozen.status_code == 409 and frozen.json()["code"] == "qa_scorecard_in_use"
    copy = client.post(f"{API}/scorecards/{card['id']}/copy", json={"name": "API 评分表 v2"},
                       headers=manager)
    assert copy.status_code == 201 and copy.json()["in_use"] is False
    retired = client.post(f"{API}/scorecards/{card['id']}/retire", headers=manager)
    assert retired.status_code == 200 and retired.json()["active"] is False
    listed = client.get(f"{API}/scorecards?active_only=true", headers=manager).json()
    assert [c["id"] for c in listed] == [copy.json()["id"]]
    assert client.get(f"{API}/scorecards/999999", headers=manager).json()["code"] == \
        "qa_scorecard_not_found"


def test_draw_a_sample_score_it_appeal_and_decide(
        client: TestClient, db: Session, world: World, tmp_path: Path) -> None:
    import_calls(db, world, tmp_path, [
        call(f"C{i}", agent_id="A1001", product="流量套餐" if i % 2 else "宽带")
        for i in range(8)])
    link_agent(db, "A1001", world["agent"])
    reviewer, manager, agent = (bearer(db, world, n) for n in ("reviewer", "manager", "agent"))
    card = client.post(f"{API}/scorecards", json=CARD, headers=manager).json()
    body = {"start": "2026-09-01", "end": "2026-09-30", "size": 4, "scorecard_id": card["id"],
            "dimensions": ["product"], "seed": 7}
    assert client.post(f"{API}/samples", json=body, headers=agent).status_code == 403
    empty = client.post(f"{API}/samples", json=body | {"team": "无此组"}, headers=reviewer)
    assert empty.status_code == 422 and empty.json()["code"] == "qa_empty_population"
    drawn = client.post(f"{API}/samples", json=body, headers=reviewer)
    assert drawn.status_code == 201
    sample = drawn.json()
    assert (sample["seed"], sample["population"], sample["calls_total"]) == (7, 8, 4)
    assert [(s["label"], s["population"], s["allocated"]) for s in sample["strata"]] == [
        ("宽带", 4, 2), ("流量套餐", 4, 2)]
    again = client.post(f"{API}/samples", json=body, headers=reviewer).json()
    assert [c["call_id"] for c in again["calls"]] == [c["call_id"] for c in sample["calls"]]
    first = sample["calls"][0]["call_id"]

    score = client.post(f"{API}/scores", headers=reviewer, json={
        "call_id": first, "sample_id": sample["id"], "points": _points(card, [4, 8, 12]),
        "comment": "未复述客户诉求"})
    assert score.status_code == 201
    assert (score.json()["total"], score.json()["passed"]) == (80.0, True)
    corrected = client.post(f"{API}/scores", headers=reviewer, json={  # 21 of 30 points
        "call_id": first, "sample_id": sample["id"], "points": _points(card, [3, 8, 10])})
    assert corrected.status_code == 200 and corrected.json()["passed"] is False
    twice = client.post(f"{API}/scores", headers=manager, json={
        "call_id": first, "sample_id": sample["id"], "points": _points(card, [5, 10, 15])})
    assert twice.status_code == 409 and twice.json()["code"] == "qa_already_scored"
    progress = client.get(f"{API}/samples/{sample['id']}", headers=reviewer).json()
    assert progress["calls_scored"] == 1
    assert sum(s["scored"] for s in progress["strata"]) == 1
    assert [s["calls_scored"] for s in client.get(f"{API}/samples", headers=reviewer).json()
            if s["id"] == sample["id"]] == [1]

    score_id = score.json()["id"]
    mine = client.get(f"{API}/scores/mine", headers=agent).json()
    assert [s["id"] for s in mine] == [score_id]
    other = bearer(db, world, "agent_data")
    assert client.get(f"{API}/scores/{score_id}", headers=other).status_code == 404
    assert client.post(f"{API}/scores/{score_id}/appeal", json={"reason": "我没有"},
                       headers=reviewer).json()["code"] == "qa_not_your_call"
    appealed = client.post(f"{API}/scores/{score_id}/appeal", json={"reason": "已复述"},
                           headers=agent)
    assert appealed.status_code == 201 and appealed.json()["status"] == "appealed"
    again_appeal = client.post(f"{API}/scores/{score_id}/appeal", json={"reason": "再来"},
                               headers=agent)
    assert again_appeal.status_code == 409
    assert again_appeal.json()["code"] == "qa_already_appealed"
    inbox = client.get(f"{API}/appeals", headers=manager).json()
    appeal_id = inbox[0]["appeal"]["id"]
    assert client.get(f"{API}/appeals", headers=agent).status_code == 403
    own = client.post(f"{API}/appeals/{appeal_id}/decide", headers=reviewer,
                      json={"decision": "upheld", "note": "维持"})
    assert own.status_code == 403 and own.json()["code"] == "qa_four_eyes"
    revised = client.post(f"{API}/appeals/{appeal_id}/decide", headers=manager, json={
        "decision": "revised", "note": "录音中已复述", "points": _points(card, [5, 10, 12])})
    assert revised.status_code == 200
    result = revised.json()
    assert (result["status"], result["total"], result["passed"]) == ("revised", 90.0, True)
    assert result["appeal"]["original_total"] == 70.0
    assert result["appeal"]["decision"] == "revised"

    figures = client.get(f"{API}/agents?agent_id=A1001&agent_id=A9", headers=manager).json()
    assert [(f["agent_id"], f["n"]) for f in figures] == [("A1001", 1), ("A9", 0)]
    assert figures[0]["mean_total"]["value"] == 90.0
    assert figures[0]["pass_rate"]["low"] is not None


def test_scoring_ones_own_call_is_refused(client: TestClient, db: Session, world: World,
                                          tmp_path: Path) -> None:
    import_calls(db, world, tmp_path, [call("C1", agent_id="Q1")])
    link_agent(db, "Q1", world["reviewer"])
    manager = bearer(db, world, "manager")
    card = client.post(f"{API}/scorecards", json=CARD, headers=manager).json()
    own = client.post(f"{API}/scores", headers=bearer(db, world, "reviewer"), json={
        "call_id": "C1", "scorecard_id": card["id"], "points": _points(card, [5, 10, 15])})
    assert own.status_code == 403 and own.json()["code"] == "qa_own_call"
    bad = client.post(f"{API}/scores", headers=manager, json={
        "call_id": "C1", "scorecard_id": card["id"], "points": _points(card, [9, 10, 15])})
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == f"points_{card['items'][0]['id']}"
    missing = client.post(f"{API}/scores", headers=manager, json={
        "call_id": "NOPE", "scorecard_id": card["id"], "points": {}})
    assert missing.status_code == 404 and missing.json()["code"] == "call_not_found"
