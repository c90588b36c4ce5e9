"""Requests the API fuzzer found answered with 500 (issue 12), and what they get now."""

from __future__ import annotations

from datetime import datetime, timedelta

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.factories import World, bearer, make_article


def test_unknown_module_ids_for_a_user_are_invalid_input(client: TestClient, db: Session,
                                                         world: World) -> None:
    admin = bearer(db, world, "admin")
    created = client.post("/api/v1/users", headers=admin, json={
        "username": "new.agent", "password": "a-long-passphrase-9", "roles": ["agent"],
        "module_ids": [world.modules["宽带"].id, -653948]})
    assert created.status_code == 422, created.text
    assert created.json()["errors"][0]["code"] == "unknown_module"
    changed = client.patch(f"/api/v1/users/{world['agent'].id}", headers=admin,
                           json={"module_ids": [987654321]})
    assert changed.status_code == 422
    assert changed.json()["errors"][0]["message"] == "未知的业务模块：987654321。"


def test_a_window_of_days_beyond_the_calendar_is_refused(client: TestClient, db: Session,
                                                         world: World) -> None:
    agent = bearer(db, world, "agent")
    for url in ("/api/v1/new-knowledge?days=29283340",
                "/api/v1/new-knowledge/coverage?days=29283340",
                "/api/v1/articles?expiring_within_days=999999999"):
        response = client.get(url, headers=agent)
        assert response.status_code == 422, (url, response.text)
    audit = client.get("/api/v1/audit?since=0001-01-01T00:00:00%2B08:00",
                       headers=bearer(db, world, "admin"))
    assert audit.status_code == 422
    assert audit.json()["code"] == "value_out_of_range"


def test_a_body_that_is_not_utf8_is_a_translated_400(client: TestClient, db: Session,
                                                     world: World) -> None:
    response = client.post("/api/v1/queues", headers=bearer(db, world, "admin") | {
        "Content-Type": "application/json"}, content=b"\xff\xfe{")
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "malformed_body"
    assert response.json()["detail"].startswith("无法读取请求内容")


def test_timestamps_in_responses_carry_their_utc_offset(client: TestClient, db: Session,
                                                        world: World) -> None:
    make_article(db, world)
    [item] = client.get("/api/v1/articles", headers=bearer(db, world, "agent")).json()["items"]
    assert item["updated_at"].endswith("Z")
    assert datetime.fromisoformat(item["updated_at"]).utcoffset() == timedelta(0)
