"""REST contract of training plans, coaching and the closed loop under /api/v1/competency:
plans from a round, an agent marking items done, reminders, pairs, the loop report; bad
input gives 4xx, never 500."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from seci.core.clock import today
from tests.factories import World, bearer
from tests.people.training import SECOND, closed_round, fill

API = "/api/v1/competency"


def test_plans_through_the_api(client: TestClient, db: Session, world: World) -> None:
    _, found = closed_round(db, world)
    db.commit()
    trainer, agent = bearer(db, world, "trainer"), bearer(db, world, "agent")
    made = client.post(f"{API}/rounds/{found.id}/plans", headers=trainer, json={})
    assert made.status_code == 201, made.text
    common, personal = made.json()
    assert (common["kind"], common["total"], personal["kind"]) == ("common", 4, "personal")
    assert client.post(f"{API}/rounds/{found.id}/plans", headers=trainer,
                       json={}).status_code == 409
    item = client.post(f"{API}/plans/{common['id']}/items", headers=trainer, json={
        "kind": "session", "title": "情景演练", "session_at": "2026-12-20T06:00:00Z",
        "place": "三楼培训室"})
    assert item.status_code == 201, item.text
    bad = client.post(f"{API}/plans/{common['id']}/items", headers=trainer,
                      json={"kind": "video", "title": "x"})
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "kind"
    mine = client.get(f"{API}/me/plans", headers=agent).json()
    assert [p["plan"]["id"] for p in mine] == [common["id"]]
    lesson = mine[0]["items"][0]
    done = client.post(f"{API}/me/plan-items/{lesson['id']}/done", headers=agent)
    assert done.status_code == 201, done.text
    assert client.post(f"{API}/me/plan-items/{lesson['id']}/done",
                       headers=trainer).status_code == 404
    detail = client.get(f"{API}/plans/{common['id']}", headers=trainer).json()
    assert detail["done"] == 1 and detail["total"] == 8
    reminders = client.get(f"{API}/plans/reminders", headers=trainer).json()
    assert {r["agent_id"] for r in reminders} == {"T001", "T002", "T003", "T004"}
    progress = client.get(f"{API}/plans/progress", headers=trainer).json()
    assert progress[0]["done"] == 1
    assert client.get(f"{API}/plans/{common['id']}", headers=agent).status_code == 404
    assert client.get(f"{API}/monthly?month=2026-13", headers=trainer).status_code == 422
    assert client.get(f"{API}/monthly?month=12", headers=trainer).status_code == 422
    assert client.get(f"{API}/monthly?month=2026-12", headers=trainer).status_code == 200
    updated = client.put(f"{API}/plans/{personal['id']}", headers=trainer,
                         json={"title": "理解能力提升", "status": "closed"})
    assert updated.json()["status"] == "closed"


def test_coaching_and_the_loop_through_the_api(client: TestClient, db: Session,
                                               world: World) -> None:
    team, found = closed_round(db, world)
    db.commit()
    trainer = bearer(db, world, "trainer")
    pair = client.post(f"{API}/coaching", headers=trainer, json={
        "coach": "T002", "mentee": "T001", "starts_on": today().isoformat(),
        "ends_on": (today() + timedelta(days=60)).isoformat(), "goal": "亲和力到 3.5",
        "round_id": found.id})
    assert pair.status_code == 201, pair.text
    assert pair.json()["reached"] is None
    same = client.post(f"{API}/coaching", headers=trainer, json={
        "coach": "T002", "mentee": "T002", "starts_on": today().isoformat(),
        "ends_on": today().isoformat()})
    assert same.status_code == 422
    ended = client.post(f"{API}/coaching/{pair.json()['id']}/end", headers=trainer,
                        json={"succeeded": True, "outcome": "进步明显"})
    assert ended.json()["status"] == "succeeded" and ended.json()["points"] == 20
    reassessed = client.post(f"{API}/rounds/{found.id}/reassessment", headers=trainer,
                             json={"deadline": (today() + timedelta(days=7)).isoformat()})
    assert reassessed.status_code == 201, reassessed.text
    from seci.people.models import AssessmentRound
    second = db.get(AssessmentRound, reassessed.json()["reassessment_round_id"])
    assert second is not None
    fill(db, world, team, second, SECOND)
    db.commit()
    report = client.get(f"{API}/rounds/{found.id}/loop?comparison_team=别的组",
                        headers=trainer).json()
    assert report["decision"] == {"another_round": False, "still_weak": [],
                                  "overall_improved": True}
    assert report["overall"]["paired_t"]["statistic"] == 5.0
    assert client.post(f"{API}/rounds/{found.id}/reassessment", headers=trainer, json={
        "deadline": (today() + timedelta(days=7)).isoformat()}).status_code == 409
    assert client.get(f"{API}/coaching", headers=bearer(db, world, "agent")).status_code == 403
