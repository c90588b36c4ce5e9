"""The whole life of an article through the REST API, as a client program would drive it."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.factories import PASSWORD, World, bearer


def test_article_life_through_the_api(client: TestClient, db: Session, world: World) -> None:
    token = client.post("/api/v1/auth/token", json={"username": "editor", "password": PASSWORD})
    assert token.status_code == 200
    editor = {"Authorization": f"Bearer {token.json()['token']}"}
    reviewer, agent = bearer(db, world, "reviewer"), bearer(db, world, "agent")

    created = client.post("/api/v1/articles", headers=editor, json={
        "code": "KB-API-1", "title": "携号转网办理条件", "body": "### 条件\n- 在网满120天",
        "module_id": world.modules["资费套餐"].id, "queues": ["A"], "tags": ["携号转网"],
        "similar_questions": ["转网要啥条件", "我想换运营商号码不变"], "audience": "customer",
        "valid_from": "2026-01-01"})
    assert created.status_code == 201, created.text
    article = created.json()
    assert article["status"] == "draft"
    assert article["live"] is None
    assert article["working_copy"]["queues"] == ["A"]
    assert client.get(f"/api/v1/articles/{article['id']}", headers=agent).status_code == 404

    assert client.post(f"/api/v1/articles/{article['id']}/submit",
                       headers=editor).json()["status"] == "in_review"
    rejected = client.post(f"/api/v1/articles/{article['id']}/review", headers=reviewer,
                           json={"decision": "reject", "comment": "补充办理渠道"})
    assert rejected.json()["status"] == "draft"
    assert rejected.json()["review_comment"] == "补充办理渠道"

    current = client.get(f"/api/v1/articles/{article['id']}", headers=editor).json()
    body = current["working_copy"] | {"lock_version": current["lock_version"]}
    body["body"] += "\n### 渠道\n营业厅办理"
    body = {k: body[k] for k in ("title", "body", "module_id", "queues", "tags",
                                 "similar_questions", "audience", "valid_from", "valid_to",
                                 "lock_version")}
    assert client.put(f"/api/v1/articles/{article['id']}", headers=editor,
                      json=body).status_code == 200
    client.post(f"/api/v1/articles/{article['id']}/submit", headers=editor)
    approved = client.post(f"/api/v1/articles/{article['id']}/review", headers=reviewer,
                           json={"decision": "approve", "comment": "OK"})
    assert approved.status_code == 200
    assert approved.json()["live"]["version_no"] == 1

    seen = client.get(f"/api/v1/articles/{article['id']}", headers=agent).json()
    assert seen["live"]["title"] == "携号转网办理条件"
    assert seen["validity"] == "valid"
    assert seen["working_copy"] is None  # agents never see drafts
    assert "<h3>渠道</h3>" in seen["live"]["body_html"]

    news = client.get("/api/v1/new-knowledge", headers=agent).json()
    [item] = [n for n in news if n["article_id"] == article["id"]]
    assert client.post(f"/api/v1/new-knowledge/{item['version_id']}/ack",
                       headers=agent).status_code == 204

    flagged = client.post(f"/api/v1/articles/{article['id']}/feedback", headers=agent,
                          json={"kind": "unclear", "comment": "在网时长怎么查？"})
    assert flagged.status_code == 201
    inbox = client.get("/api/v1/feedback/inbox", headers=editor).json()
    assert [f["id"] for f in inbox] == [flagged.json()["id"]]
    declined = client.post(f"/api/v1/feedback/{flagged.json()['id']}", headers=editor,
                           json={"decision": "decline", "response": "见“条件”一节"})
    assert declined.json()["status"] == "declined"
    mine = client.get("/api/v1/feedback/mine", headers=agent).json()
    assert mine[0]["response"] == "见“条件”一节"

    retired = client.post(f"/api/v1/articles/{article['id']}/retire",
                          headers=bearer(db, world, "manager"), json={"reason": "政策取消"})
    assert retired.json()["status"] == "retired"
    assert client.get(f"/api/v1/articles/{article['id']}", headers=agent).status_code == 404


def test_versions_and_diff_through_the_api(client: TestClient, db: Session,
                                           world: World) -> None:
    from tests.factories import make_article, revise

    article = make_article(db, world, body="月租58元，含流量10GB")
    revise(db, world, article, body="月租58元，含流量20GB")
    manager = bearer(db, world, "manager")
    versions = client.get(f"/api/v1/articles/{article.id}/versions", headers=manager).json()
    assert [v["version_no"] for v in versions] == [2, 1]
    diff = client.get(f"/api/v1/articles/{article.id}/diff", params={"from": 1, "to": 2},
                      headers=manager).json()
    body = next(d for d in diff if d["field"] == "body")
    assert body["changed"]
    assert [s["text"] for s in body["segments"] if s["op"] == "insert"] == ["2"]
    rolled = client.post(f"/api/v1/articles/{article.id}/rollback", headers=manager,
                         json={"version_no": 1})
    assert rolled.json()["live"]["version_no"] == 3
    assert rolled.json()["live"]["body"] == "月租58元，含流量10GB"


def test_expiring_articles_through_the_api(client: TestClient, db: Session,
                                           world: World) -> None:
    from datetime import timedelta

    from seci.core.clock import today
    from tests.factories import make_article

    soon = make_article(db, world, valid_to=today() + timedelta(days=3))
    response = client.get("/api/v1/articles", params={"expiring_within_days": 7},
                          headers=bearer(db, world, "editor"))
    assert [a["id"] for a in response.json()["items"]] == [soon.id]
    # An agent may not learn what is about to lapse: refused by the service, as on the page.
    refused = client.get("/api/v1/articles", params={"expiring_within_days": 7},
                         headers=bearer(db, world, "agent"))
    assert refused.status_code == 403


def test_admin_manages_users_and_queues(client: TestClient, db: Session, world: World) -> None:
    admin = bearer(db, world, "admin")
    queue = client.post("/api/v1/queues", headers=admin, json={"code": "政企专席"})
    assert queue.status_code == 201
    user = client.post("/api/v1/users", headers=admin, json={
        "username": "newagent", "password": "long-enough-1", "roles": ["agent"],
        "queues": ["政企专席"]})
    assert user.status_code == 201
    assert user.json()["queues"] == ["政企专席"]
    duplicate = client.post("/api/v1/users", headers=admin, json={
        "username": "newagent", "password": "long-enough-1"})
    assert duplicate.status_code == 409
    changed = client.patch(f"/api/v1/users/{user.json()['id']}", headers=admin,
                           json={"roles": ["agent", "supervisor"], "is_active": False})
    assert changed.json()["roles"] == ["agent", "supervisor"]
    login = client.post("/api/v1/auth/token", json={"username": "newagent",
                                                    "password": "long-enough-1"})
    assert login.status_code == 401  # deactivated users cannot log in
