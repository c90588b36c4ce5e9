"""REST contract of /api/v1/notices: the chain over HTTP and each post's permission."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.factories import World, bearer
from tests.linkage.helpers import QUESTIONS, drafted, released
from tests.test_permissions import ALL_ROLES

QUIZ = {"intro": "看清月费", "pass_percent": 50, "questions": [
    {"text": q.text, "options": q.options, "answer": q.answer} for q in QUESTIONS]}


def test_the_chain_over_http(client: TestClient, db: Session, world: World) -> None:
    manager = bearer(db, world, "manager")
    created = client.post("/api/v1/notices", headers=manager, json={
        "title": "流量包调价通告", "module_id": world.modules["资费套餐"].id, "queues": ["A"],
        "deadlines": {"agents": "2030-01-01"}})
    assert created.status_code == 201, created.text
    notice = created.json()
    assert [p["post"] for p in notice["posts"]] == [
        "business", "quality", "publishing", "training", "agents", "supervisors"]
    assert notice["posts"][4]["due_on"] == "2030-01-01"
    url = f"/api/v1/notices/{notice['id']}"
    article = client.post(f"{url}/drafts", headers=manager,
                          json={"title": "流量包新资费", "body": "10元1GB"}).json()
    assert article["status"] == "draft"
    early = client.post(f"{url}/release", headers=manager)
    assert (early.status_code, early.json()["code"]) == (409, "notice_not_reviewed")
    client.post(f"{url}/submit", headers=manager)
    review = client.post(f"/api/v1/articles/{article['id']}/review",
                         headers=bearer(db, world, "reviewer"), json={"decision": "approve"})
    assert review.status_code == 200
    assert client.post(f"{url}/release", headers=manager).json()["released_at"]
    assert client.put(f"{url}/quiz", headers=bearer(db, world, "trainer"),
                      json=QUIZ).status_code == 200
    agent = bearer(db, world, "agent")
    shown = client.get(f"{url}/quiz", headers=agent).json()
    assert all(q["answer"] is None for q in shown["questions"])  # no answers for agents
    assert client.post(f"{url}/acknowledge", headers=agent).json() == {
        "acknowledged_articles": 1}
    attempt = client.post(f"{url}/quiz/attempts", headers=agent, json={"answers": [1, 1]})
    assert attempt.json()["score_percent"] == 50
    assert attempt.json()["passed"] is True
    coverage = client.get(f"{url}/coverage", headers=bearer(db, world, "supervisor")).json()
    assert [(r["agents"], r["acknowledged"], r["passed"]) for r in coverage] == [(1, 1, 1)]
    statuses = {p["post"]: p["status"] for p in client.get(url, headers=manager).json()["posts"]}
    assert statuses["agents"] == "done"
    flag = client.post(f"{url}/call-flags", headers=bearer(db, world, "reviewer"),
                       json={"article_id": article["id"], "call_ref": "REC-1",
                             "comment": "答错了生效日"})
    assert (flag.status_code, flag.json()["status"]) == (201, "open")


def test_unknown_post_is_a_field_error(client: TestClient, db: Session, world: World) -> None:
    response = client.post("/api/v1/notices", headers=bearer(db, world, "manager"), json={
        "title": "x", "module_id": world.modules["资费套餐"].id, "queues": ["A"],
        "deadlines": {"marketing": "2030-01-01"}})
    assert (response.status_code, response.json()["code"]) == (422, "validation_failed")


@pytest.mark.parametrize("role", ALL_ROLES)
def test_entering_a_notice_is_for_business_managers(client: TestClient, db: Session,
                                                    world: World, role: str) -> None:
    status = client.post("/api/v1/notices", headers=bearer(db, world, role), json={
        "title": "通告", "module_id": world.modules["资费套餐"].id, "queues": ["A"]}).status_code
    assert status == (201 if role == "manager" else 403)


@pytest.mark.parametrize("role", ALL_ROLES)
def test_quiz_is_attached_by_trainers(client: TestClient, db: Session, world: World,
                                      role: str) -> None:
    notice, _ = released(db, world)
    db.commit()
    status = client.put(f"/api/v1/notices/{notice.id}/quiz", headers=bearer(db, world, role),
                        json=QUIZ).status_code
    assert status == (200 if role == "trainer" else 403)


@pytest.mark.parametrize("role", ALL_ROLES)
def test_team_checks_are_for_supervisors(client: TestClient, db: Session, world: World,
                                         role: str) -> None:
    for user in world.users.values():
        user.team = "A组"
    notice, _ = released(db, world)
    db.commit()
    status = client.post(f"/api/v1/notices/{notice.id}/team-checks",
                         headers=bearer(db, world, role), json={"note": ""}).status_code
    assert status == (201 if role == "supervisor" else 403)


@pytest.mark.parametrize("role", ALL_ROLES)
def test_call_flags_are_for_quality(client: TestClient, db: Session, world: World,
                                    role: str) -> None:
    notice, article = released(db, world)
    db.commit()
    status = client.post(f"/api/v1/notices/{notice.id}/call-flags",
                         headers=bearer(db, world, role),
                         json={"article_id": article.id, "call_ref": "R", "comment": "错"}
                         ).status_code
    assert status == (201 if role == "reviewer" else 403)


@pytest.mark.parametrize("role", ALL_ROLES)
def test_coverage_readers(client: TestClient, db: Session, world: World, role: str) -> None:
    notice, _ = released(db, world)
    db.commit()
    status = client.get(f"/api/v1/notices/{notice.id}/coverage",
                        headers=bearer(db, world, role)).status_code
    assert status == (200 if role in {"manager", "supervisor", "trainer"} else 403)


@pytest.mark.parametrize("role", ALL_ROLES)
def test_the_tracker_hides_unreleased_notices_from_agents(client: TestClient, db: Session,
                                                          world: World, role: str) -> None:
    notice, _ = drafted(db, world)
    db.commit()
    status = client.get(f"/api/v1/notices/{notice.id}", headers=bearer(db, world, role)
                        ).status_code
    assert status == (404 if role == "agent" else 200)
    overdue = client.get("/api/v1/notices/overdue", headers=bearer(db, world, role))
    assert overdue.status_code == (403 if role == "agent" else 200)
