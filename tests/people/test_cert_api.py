"""The certification and stage API, and the queue gate through the web, the API and the
CLI: an uncertified agent is refused with a problem naming the queue."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from seci.core.clock import today
from seci.roster.models import Stage
from tests.conftest import csrf_of
from tests.factories import World, bearer, web_login
from tests.people.cert_helpers import certify, exam_with_bank, graded_attempt, require_exam
from tests.people.helpers import TEAM, make_team


def test_requirements_evaluation_and_team_grant_through_the_api(
        client: TestClient, db: Session, world: World) -> None:
    make_team(db, world)
    found = exam_with_bank(db, world)
    graded_attempt(db, world["agent"], found, 88)
    db.commit()
    queue_id = world.queues["B"].id
    body = {"exam_rules": [{"exam_id": found.id, "min_percent": 80}],
            "min_stage": "growing", "validity_months": 12}
    refused = client.put(f"/api/v1/certifications/requirements/{queue_id}", json=body,
                         headers=bearer(db, world, "trainer"))
    assert refused.status_code == 403
    saved = client.put(f"/api/v1/certifications/requirements/{queue_id}", json=body,
                       headers=bearer(db, world, "manager"))
    assert saved.status_code == 200 and saved.json()["gated"] is True
    bad = client.put(f"/api/v1/certifications/requirements/{queue_id}",
                     json=body | {"min_stage": "expert"}, headers=bearer(db, world, "manager"))
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "min_stage"
    listed = client.get("/api/v1/certifications/requirements",
                        headers=bearer(db, world, "supervisor")).json()
    assert {r["queue"]: r["gated"] for r in listed}["B"] is True
    evaluation = client.get(f"/api/v1/certifications/evaluation?team={TEAM}&queue_id={queue_id}",
                            headers=bearer(db, world, "supervisor")).json()
    first = next(e for e in evaluation if e["user_id"] == world["agent"].id)
    assert first["met"] and [c["kind"] for c in first["checks"]] == ["exam", "stage"]
    granted = client.post("/api/v1/certifications/grant-team",
                          json={"team": TEAM, "queue_id": queue_id},
                          headers=bearer(db, world, "supervisor")).json()
    assert [c["user_id"] for c in granted["granted"]] == [world["agent"].id]
    assert len(granted["not_met"]) == 2
    mine = client.get("/api/v1/certifications/mine", headers=bearer(db, world, "agent")).json()
    assert [c["queue"] for c in mine] == ["B"]


def test_manager_grant_revoke_expiring_and_stages_through_the_api(
        client: TestClient, db: Session, world: World) -> None:
    team = make_team(db, world)
    team.agents[1].stage = Stage.NEW
    team.agents[1].hired_on = today() - timedelta(days=400)
    certify(db, world["agent"], world.queues["VIP"].id, today() + timedelta(days=5))
    db.commit()
    no_reason = client.post("/api/v1/certifications", json={
        "user_id": world["agent"].id, "queue_id": world.queues["B"].id, "reason": " "},
        headers=bearer(db, world, "manager"))
    assert no_reason.status_code == 422
    granted = client.post("/api/v1/certifications", json={
        "user_id": world["agent"].id, "queue_id": world.queues["B"].id, "reason": "支援"},
        headers=bearer(db, world, "manager"))
    assert granted.status_code == 201 and granted.json()["basis"] == "manager"
    expiring = client.get("/api/v1/certifications/expiring",
                          headers=bearer(db, world, "supervisor")).json()
    assert [c["queue"] for c in expiring] == ["VIP"]
    revoked = client.post(f"/api/v1/certifications/{granted.json()['id']}/revoke",
                          json={"reason": "复核"}, headers=bearer(db, world, "manager"))
    assert revoked.status_code == 200 and revoked.json()["revoked_at"]
    rule = client.put("/api/v1/stages/rules/growing", json={"min_tenure_months": 6},
                      headers=bearer(db, world, "manager"))
    assert rule.status_code == 200
    ready = client.get("/api/v1/stages/agents?ready=true",
                       headers=bearer(db, world, "supervisor")).json()
    assert [a["agent_id"] for a in ready] == ["T002"]
    moved = client.post(f"/api/v1/stages/agents/{team.agents[1].id}/move-up", json={},
                        headers=bearer(db, world, "supervisor"))
    assert moved.status_code == 200 and moved.json()["stage"] == "growing"
    top = client.post(f"/api/v1/stages/agents/{team.agents[0].id}/move-up", json={},
                      headers=bearer(db, world, "supervisor"))
    assert top.status_code == 409
    quality = client.get("/api/v1/stages/quality", headers=bearer(db, world, "manager")).json()
    assert {(q["stage"], q["queue"]): q["count"] for q in quality}[("growing", None)] == 1
    assert client.get("/api/v1/stages/agents",
                      headers=bearer(db, world, "agent")).status_code == 403


def test_the_api_refuses_an_uncertified_agent_with_a_problem_naming_the_queue(
        client: TestClient, db: Session, world: World) -> None:
    require_exam(db, world, "B", exam_with_bank(db, world))
    db.commit()
    response = client.patch(f"/api/v1/users/{world['agent'].id}", json={"queues": ["A", "B"]},
                            headers=bearer(db, world, "admin"))
    assert response.status_code == 409
    problem = response.json()
    assert problem["code"] == "queue_not_certified" and problem["queue"] == \
        world.queues["B"].name
    assert world.queues["B"].name in problem["detail"]
    created = client.post("/api/v1/users", json={
        "username": "newbie", "password": "secret-pass-9", "roles": ["agent"],
        "queues": ["B"]}, headers=bearer(db, world, "admin"))
    assert created.status_code == 409


def test_the_admin_page_says_why_on_the_same_page(client: TestClient, db: Session,
                                                  world: World) -> None:
    require_exam(db, world, "B", exam_with_bank(db, world))
    db.commit()
    web_login(client, "admin")
    agent = world["agent"]
    page = client.get(f"/admin/users/{agent.id}").text
    response = client.post(f"/admin/users/{agent.id}", data={
        "csrf_token": csrf_of(page), "display_name": agent.display_name, "team": "",
        "roles": ["agent"], "queue_ids": [str(world.queues["A"].id), str(world.queues["B"].id)],
        "is_active": "on"}, follow_redirects=False)
    assert response.status_code == 409
    assert "user-error" in response.text and world.queues["B"].name in response.text
    assert "技能鉴定" in response.text or "认证" in response.text


def test_certification_and_stage_pages(client: TestClient, db: Session, world: World) -> None:
    make_team(db, world)
    found = exam_with_bank(db, world)
    require_exam(db, world, "B", found)
    graded_attempt(db, world["agent"], found, 90)
    certify(db, world["agent"], world.queues["VIP"].id, today() + timedelta(days=3))
    db.commit()
    web_login(client, "supervisor")
    page = client.get(f"/competency/certification?team={TEAM}&queue_id={world.queues['B'].id}")
    assert page.status_code == 200 and 'id="evaluations"' in page.text
    assert 'id="expiring"' in page.text and world.queues["VIP"].name in page.text
    granted = client.post("/competency/certification/grant-team", data={
        "csrf_token": csrf_of(page.text), "team": TEAM, "queue_id": world.queues["B"].id},
        follow_redirects=False)
    assert granted.status_code == 303
    assert client.get("/competency/stages").status_code == 200
    client.post("/logout", data={"csrf_token": csrf_of(client.get("/").text)})
    web_login(client, "manager")
    page = client.get("/competency/certification").text
    bad = client.post(f"/competency/certification/requirements/{world.queues['A'].id}", data={
        "csrf_token": csrf_of(page), "validity_months": "0"})
    assert bad.status_code == 422 and "cert-error" in bad.text
    rule = client.post("/competency/stages/rules/growing", data={
        "csrf_token": csrf_of(page), "min_tenure_months": "3", "min_certifications": "1"},
        follow_redirects=False)
    assert rule.status_code == 303
    client.post("/logout", data={"csrf_token": csrf_of(client.get("/").text)})
    web_login(client, "agent")
    mine = client.get("/competency/certification").text
    assert 'id="my-certificates"' in mine and 'id="requirements"' not in mine
