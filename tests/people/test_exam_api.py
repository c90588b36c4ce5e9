"""The exams API: the contract of /api/v1/exams for trainers and agents."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.factories import World, bearer, make_article
from tests.people.exam_helpers import bank


def test_trainer_and_agent_through_the_api(client: TestClient, db: Session, world: World
                                           ) -> None:
    trainer, agent = bearer(db, world, "trainer"), bearer(db, world, "agent")
    module_id = world.modules["资费套餐"].id
    made = client.post("/api/v1/exams/questions", headers=trainer, json={
        "kind": "single", "stem": "包天资费？", "options": ["10元", "25元"], "answer": ["1"],
        "module_id": module_id, "difficulty": 1})
    assert made.status_code == 201 and made.json()["status"] == "draft"
    bad = client.post("/api/v1/exams/questions", headers=trainer, json={
        "kind": "single", "stem": "坏", "options": ["a"], "answer": ["3"]})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "options"
    assert client.post("/api/v1/exams/questions", headers=agent, json={
        "kind": "fill", "stem": "x", "answer": ["1"]}).status_code == 403
    bank(db, world)
    db.commit()
    page = client.get("/api/v1/exams/questions", headers=trainer,
                      params={"module_id": world.modules["个人业务"].id, "status": "draft"})
    assert page.json()["total"] == 1
    assert client.post("/api/v1/exams/questions/review", headers=trainer, json={
        "ids": [made.json()["id"]]}).json() == {"changed": 1}

    exam = client.post("/api/v1/exams", headers=trainer, json={
        "title": "资费考试", "question_count": 5, "pass_percent": 60, "time_limit_minutes": 20,
        "module_ids": [world.modules["个人业务"].id]})
    assert exam.status_code == 201, exam.text
    exam_id = exam.json()["id"]
    assert sum(exam.json()["pool"].values()) == 5
    assert [e["id"] for e in client.get("/api/v1/exams/me/available", headers=agent).json()
            ] == [exam_id]

    started = client.post(f"/api/v1/exams/{exam_id}/attempts", headers=agent)
    assert started.status_code == 201, started.text
    attempt = started.json()
    assert attempt["remaining_seconds"] > 19 * 60 and len(attempt["items"]) == 5
    assert all(i["right"] is None for i in attempt["items"])
    url = f"/api/v1/exams/attempts/{attempt['id']}"
    first = attempt["items"][0]
    response = [first["options"][0][0]] if first["options"] else ["10086"]
    saved = client.put(f"{url}/answers/0", headers=agent, json={"response": response})
    assert saved.status_code == 200 and saved.json()["correct"] is None  # formal: no hint
    assert client.put(f"{url}/answers/7", headers=agent, json={"response": []}
                      ).status_code == 422
    assert client.get(url, headers=bearer(db, world, "agent_data")).status_code == 404
    again = client.post(f"/api/v1/exams/{exam_id}/attempts", headers=agent).json()
    assert again["id"] == attempt["id"] and again["items"][0]["response"] == response

    done = client.post(f"{url}/submit", headers=agent)
    assert done.status_code == 200 and done.json()["finished"]
    assert client.put(f"{url}/answers/1", headers=agent, json={"response": []}
                      ).status_code == 409
    history = client.get("/api/v1/exams/me/attempts", headers=agent).json()
    assert history[0]["attempt_id"] == attempt["id"] and history[0]["finished"]
    results = client.get(f"/api/v1/exams/{exam_id}/results", headers=trainer).json()
    assert results["finished"] == 1 and results["attempts"][0]["username"] == "agent"
    analysis = client.get(f"/api/v1/exams/{exam_id}/analysis", headers=trainer)
    assert analysis.status_code == 200 and analysis.json()["enough"] is False
    assert client.get(f"/api/v1/exams/{exam_id}/analysis", headers=agent).status_code == 403


def test_generate_and_import(client: TestClient, db: Session, world: World) -> None:
    trainer = bearer(db, world, "trainer")
    article = make_article(db, world, body="包天资费为25元/天，开通后24小时内生效。")
    made = client.post("/api/v1/exams/questions/generate", headers=trainer,
                       json={"article_id": article.id})
    assert made.status_code == 201 and len(made.json()) == 2
    assert made.json()[0]["article_ids"] == [article.id]
    assert client.post("/api/v1/exams/questions/generate", headers=trainer,
                       json={"article_id": 99999}).status_code == 404
    csv = "题型,题干,答案\n判断,漫游要先开长途。,对\n填空,坏行,\n".encode()
    rejected = client.post("/api/v1/exams/questions/import", headers=trainer,
                           files={"file": ("q.csv", csv, "text/csv")})
    assert rejected.status_code == 422
    assert [(e["row"], e["column"]) for e in rejected.json()["report"]["errors"]] == [
        (3, "answer")]
    ok = client.post("/api/v1/exams/questions/import", headers=trainer,
                     files={"file": ("q.csv", csv.splitlines(keepends=True)[0]
                                     + csv.splitlines(keepends=True)[1], "text/csv")})
    assert ok.status_code == 200 and ok.json()["created"] == 1
    assert client.post("/api/v1/exams/questions/import", headers=trainer,
                       files={"file": ("q.pdf", b"%PDF", "application/pdf")}).status_code == 422
