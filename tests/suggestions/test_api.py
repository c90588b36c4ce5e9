"""REST contract of /api/v1/suggestions: anonymity, permissions per role, problem documents."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.factories import World, bearer
from tests.test_permissions import ALL_ROLES


def _submit(client: TestClient, db: Session, world: World, *, who: str = "agent",
            anonymous: bool = False, category: str = "process") -> dict[str, object]:
    response = client.post("/api/v1/suggestions", headers=bearer(db, world, who), json={
        "title": "工单回访话术统一", "body": "建议统一回访开场白。", "category": category,
        "anonymous": anonymous})
    assert response.status_code == 201, response.text
    body: dict[str, object] = response.json()
    return body


def test_the_api_never_names_an_anonymous_author(client: TestClient, db: Session,
                                                 world: World) -> None:
    world["agent"].team = "A组"
    db.commit()
    created = _submit(client, db, world, anonymous=True)
    assert (created["author"], created["team"], created["mine"]) == (None, None, True)
    for reader in ("manager", "admin", "analyst", "supervisor"):
        one = client.get(f"/api/v1/suggestions/{created['id']}",
                         headers=bearer(db, world, reader)).json()
        assert (one["author"], one["team"], one["mine"]) == (None, None, False), reader
        listed = client.get("/api/v1/suggestions", headers=bearer(db, world, reader)).json()
        assert all(s["author"] is None for s in listed if s["id"] == created["id"])
    named = _submit(client, db, world, anonymous=False)
    one = client.get(f"/api/v1/suggestions/{named['id']}",
                     headers=bearer(db, world, "manager")).json()
    assert (one["author"], one["team"]) == ("Agent", "A组")


def test_answer_and_reward_through_the_api(client: TestClient, db: Session,
                                           world: World) -> None:
    created = _submit(client, db, world)
    url = f"/api/v1/suggestions/{created['id']}"
    manager = bearer(db, world, "manager")
    answered = client.post(f"{url}/answer", headers=manager,
                           json={"decision": "adopt", "reason": "采纳，下周起执行"})
    assert answered.json()["status"] == "adopted"
    again = client.post(f"{url}/answer", headers=manager,
                        json={"decision": "decline", "reason": "x"})
    assert (again.status_code, again.json()["code"]) == (409, "suggestion_not_open")
    rewarded = client.post(f"{url}/reward", headers=manager,
                           json={"bonus_yuan": 100, "red_flower": True, "citation": "金点子"})
    assert rewarded.json()["status"] == "rewarded"
    assert rewarded.json()["bonus_yuan"] == 100
    mine = client.get("/api/v1/suggestions/mine", headers=bearer(db, world, "agent")).json()
    assert [(s["id"], s["answer"]) for s in mine] == [(created["id"], "采纳，下周起执行")]


def test_invalid_input_is_a_problem_document(client: TestClient, db: Session,
                                             world: World) -> None:
    response = client.post("/api/v1/suggestions", headers=bearer(db, world, "agent"),
                           json={"title": "", "body": "", "category": "weather"})
    assert response.status_code == 422
    assert response.json()["code"] == "validation_failed"


@pytest.mark.parametrize("role", ALL_ROLES)
def test_every_employee_may_submit(client: TestClient, db: Session, world: World,
                                   role: str) -> None:
    response = client.post("/api/v1/suggestions", headers=bearer(db, world, role), json={
        "title": "建议", "body": "内容", "category": "management"})
    assert response.status_code == 201


@pytest.mark.parametrize("role", ALL_ROLES)
def test_only_the_departments_staff_answer(client: TestClient, db: Session, world: World,
                                           role: str) -> None:
    created = _submit(client, db, world, who="editor", category="management")  # operations
    status = client.post(f"/api/v1/suggestions/{created['id']}/answer",
                         headers=bearer(db, world, role),
                         json={"decision": "decline", "reason": "不采纳"}).status_code
    if role == "supervisor":
        assert status == 200
    elif role in {"editor"}:
        assert status == 403  # their own
    else:
        assert status in {403, 404}


@pytest.mark.parametrize("role", ALL_ROLES)
def test_reward_is_for_business_managers(client: TestClient, db: Session, world: World,
                                         role: str) -> None:
    created = _submit(client, db, world, who="editor")
    client.post(f"/api/v1/suggestions/{created['id']}/answer",
                headers=bearer(db, world, "manager"), json={"decision": "adopt", "reason": "好"})
    status = client.post(f"/api/v1/suggestions/{created['id']}/reward",
                         headers=bearer(db, world, role),
                         json={"bonus_yuan": 50}).status_code
    if role == "manager":
        assert status == 200
    else:
        assert status in {403, 404}


@pytest.mark.parametrize("role", ALL_ROLES)
def test_statistics_readers(client: TestClient, db: Session, world: World, role: str) -> None:
    status = client.get("/api/v1/suggestions/stats",
                        headers=bearer(db, world, role)).status_code
    assert status == (200 if role in {"manager", "supervisor", "analyst", "admin"} else 403)


def test_statistics_over_the_api(client: TestClient, db: Session, world: World) -> None:
    world["agent"].team = "A组"
    db.commit()
    manager = bearer(db, world, "manager")
    first, second = _submit(client, db, world), _submit(client, db, world)
    _submit(client, db, world)
    client.post(f"/api/v1/suggestions/{first['id']}/answer", headers=manager,
                json={"decision": "adopt", "reason": "好"})
    client.post(f"/api/v1/suggestions/{second['id']}/answer", headers=manager,
                json={"decision": "decline", "reason": "不"})
    stats = client.get("/api/v1/suggestions/stats", headers=manager).json()
    assert stats["total"] == 3
    assert stats["adoption"] == {"part": 1, "whole": 2, "value": 0.5}
    assert [(t["team"], t["submitted"]) for t in stats["teams"]] == [("A组", 3)]


@pytest.mark.parametrize("role", ALL_ROLES)
def test_category_configuration(client: TestClient, db: Session, world: World,
                                role: str) -> None:
    status = client.put("/api/v1/suggestions/categories/system",
                        headers=bearer(db, world, role),
                        json={"department": "it", "answer_days": 5}).status_code
    assert status == (200 if role in {"manager", "admin"} else 403)
