"""REST contract of /api/v1/competency: a round from the template through forms to
results; anonymity of peers; refusals; bad input gives 4xx, never 500."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from seci.core.clock import today
from tests.factories import World, bearer
from tests.people.helpers import TEAM, make_team


def test_a_round_through_the_api(client: TestClient, db: Session, world: World) -> None:
    team = make_team(db, world)
    db.commit()
    trainer = bearer(db, world, "trainer")
    template = client.get("/api/v1/competency/template", headers=trainer).json()
    assert sum(len(i["questions"]) for d in template["dimensions"] for i in d["items"]) == 33
    made = client.post("/api/v1/competency/models", headers=trainer,
                       json={"from_template": True, "name": "热线胜任力"})
    assert made.status_code == 201, made.text
    model_id = made.json()["id"]
    opened = client.post("/api/v1/competency/rounds", headers=trainer, json={
        "model_id": model_id, "team": TEAM, "title": "API轮",
        "deadline": (today() + timedelta(days=5)).isoformat(), "peers_per_agent": 2})
    assert opened.status_code == 201, opened.text
    detail = opened.json()
    assert detail["completion"]["forms"] == 3 + 4 + 8
    assert detail["completion"]["agents_without_login"] == ["T004"]
    round_id = detail["id"]
    # The agent fills in every form they were given.
    agent = bearer(db, world, "agent")
    forms = client.get("/api/v1/competency/forms", headers=agent).json()
    assert {f["relation"] for f in forms} == {"self", "peer"}
    for summary in forms:
        form = client.get(f"/api/v1/competency/forms/{summary['id']}", headers=agent).json()
        qids = [q["id"] for d in form["model"]["dimensions"] for i in d["items"]
                for q in i["questions"]]
        half = client.put(f"/api/v1/competency/forms/{summary['id']}", headers=agent,
                          json={"scores": {str(q): 4 for q in qids[:10]}})
        assert half.json()["answered"] == 10
        early = client.put(f"/api/v1/competency/forms/{summary['id']}", headers=agent,
                           json={"submit": True})
        assert early.status_code == 422
        done = client.put(f"/api/v1/competency/forms/{summary['id']}", headers=agent,
                          json={"scores": {str(q): 4 for q in qids}, "comment": "好",
                                "submit": True})
        assert done.json()["status"] == "submitted", done.text
    results = client.get(f"/api/v1/competency/rounds/{round_id}/results", headers=trainer)
    assert results.status_code == 200
    body = results.json()
    assert len(body["items"]) == 11 and len(body["dimensions"]) == 3
    # Peers are never named, to anyone, in the results.
    assert "agent_t002" not in results.text and "坐席T002" not in results.text
    assert client.get(f"/api/v1/competency/rounds/{round_id}/late", headers=trainer
                      ).json() == []
    corr = client.get(f"/api/v1/competency/rounds/{round_id}/correlation?measure=fcr",
                      headers=trainer).json()
    assert corr["pearson"] is None and corr["need"] == 4
    assert client.get(f"/api/v1/competency/rounds/{round_id}/correlation?measure=nope",
                      headers=trainer).status_code == 422
    # Own results only after closing, without supervisor or peer figures.
    assert client.get("/api/v1/competency/me/results", headers=agent).json() == []
    assert client.post(f"/api/v1/competency/rounds/{round_id}/close",
                       headers=trainer).status_code == 200
    (own,) = client.get("/api/v1/competency/me/results", headers=agent).json()
    assert own["person"]["agent_id"] == "T001"
    assert all(i["score"]["supervisor"] is None and i["score"]["peer"] is None
               for i in own["person"]["items"])
    profile = client.get(f"/api/v1/competency/teams/{TEAM}/profile", headers=trainer).json()
    assert profile["size"] == 4 and set(profile["facets"]) >= {"gender", "stage"}
    del team


def test_refusals_and_bad_input(client: TestClient, db: Session, world: World) -> None:
    make_team(db, world)
    db.commit()
    agent = bearer(db, world, "agent")
    assert client.post("/api/v1/competency/models", headers=agent,
                       json={"from_template": True}).status_code == 403
    assert client.get("/api/v1/competency/rounds", headers=agent).status_code == 403
    assert client.get("/api/v1/competency/rounds/99999", headers=bearer(
        db, world, "trainer")).status_code == 404
    assert client.get("/api/v1/competency/forms/99999", headers=agent).status_code == 404
    trainer = bearer(db, world, "trainer")
    bad = client.post("/api/v1/competency/models", headers=trainer,
                      json={"model": {"name": "", "dimensions": []}})
    assert bad.status_code == 422
    assert client.post("/api/v1/competency/rounds", headers=trainer, json={
        "model_id": 99999, "team": TEAM, "title": "x",
        "deadline": today().isoformat()}).status_code == 404
    assert client.post("/api/v1/competency/rounds", headers=trainer, json={
        "model_id": "x"}).status_code == 422
    assert client.get("/api/v1/competency/teams/无此组/profile",
                      headers=bearer(db, world, "supervisor")).status_code == 404
    assert "/api/v1/competency/rounds/{round_id}/results" in client.get(
        "/api/v1/openapi.json").json()["paths"]
