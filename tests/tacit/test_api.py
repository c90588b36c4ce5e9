"""The REST contract: the whole pipeline through /api/v1, and each role's 403s."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.factories import World, bearer, make_article
from tests.tacit.helpers import submit

TRIAL = {"decision": "trial", "category": "method", "timely": 4, "usable": 5, "accurate": 4,
         "generality": 3, "team": "雪豹小组", "trial_from": "2026-09-01",
         "trial_to": "2026-09-30"}
FIGURES = [
    {"metric": "fcr", "team": "trial", "phase": "before", "n": 1000, "successes": 800},
    {"metric": "fcr", "team": "trial", "phase": "after", "n": 1000, "successes": 850},
]


def _post(client: TestClient, db: Session, world: World, who: str, url: str,
          body: Any = None) -> Any:
    return client.post(url, json=body, headers=bearer(db, world, who))


def test_the_pipeline_end_to_end_over_the_api(client: TestClient, db: Session, world: World
                                              ) -> None:
    response = _post(client, db, world, "supervisor", "/api/v1/contributions", {
        "title": "工单拦截四步曲", "content": "1. 查询\n2. 复述\n3. 解决\n4. 回访",
        "kind": "method", "source": "interview", "method_name": "雪豹小组工单拦截四步曲",
        "queues": ["A"], "author_id": world["agent"].id})
    assert response.status_code == 201, response.text
    cid = response.json()["id"]
    assert response.json()["author"] == "Agent"
    assert response.json()["recorded_by"] == "Supervisor"
    base = f"/api/v1/contributions/{cid}"

    assert _post(client, db, world, "reviewer", f"{base}/screening", TRIAL).status_code == 200
    promoted = _post(client, db, world, "manager", f"{base}/promotion", {
        "evaluation_owner_id": world["analyst"].id, "evaluation_due": "2026-12-31",
        "comparison_team": "B组"})
    assert promoted.json()["status"] == "promoting", promoted.text
    article_id = promoted.json()["article_id"]
    review = _post(client, db, world, "reviewer", f"/api/v1/articles/{article_id}/review",
                   {"decision": "approve"})
    assert review.status_code == 200
    assert client.get(base, headers=bearer(db, world, "agent")).json()["status"] == \
        "evaluating"

    figures = client.put(f"{base}/evaluation/figures", json=FIGURES,
                         headers=bearer(db, world, "analyst"))
    assert figures.status_code == 200, figures.text
    [result] = figures.json()["evaluation"]["results"]
    assert result["in_words"] == "提升5.00个百分点, p=0.003, 显著"
    closed = _post(client, db, world, "analyst", f"{base}/evaluation/close",
                   {"verdict": "effective", "conclusion": "一次解决率显著提升"})
    assert closed.json()["status"] == "evaluated"
    assert {p["reason_code"]: p["points"] for p in closed.json()["points"]} == {
        "contribution_submitted": 5, "contribution_adopted": 10,
        "contribution_promoted": 20, "contribution_proven": 30}
    assert [e["to_status"] for e in closed.json()["history"] if e["kind"] == "transition"] \
        == ["submitted", "trial", "promoting", "evaluating", "evaluated"]
    board = client.get("/api/v1/leaderboard?period=all",
                       headers=bearer(db, world, "agent")).json()
    assert board[0] == {"rank": 1, "name": "Agent", "team": None, "points": 65,
                        "user_id": world["agent"].id}


def test_csv_errors_come_back_numbered_and_nothing_is_saved(client: TestClient, db: Session,
                                                             world: World) -> None:
    from tests.tacit.helpers import promoted

    contribution = promoted(db, world)
    db.commit()
    response = client.post(f"/api/v1/contributions/{contribution.id}/evaluation/figures.csv",
                           headers=bearer(db, world, "analyst"),
                           files={"file": ("f.csv", b"metric,team,phase,n,successes\n"
                                                    b"fcr,trial,before,100,80\n"
                                                    b"fcr,trial,after,100,120\n")})
    assert response.status_code == 422
    assert response.json()["code"] == "figure_import_failed"
    [error] = response.json()["errors"]
    assert (error["row"], error["field"], error["code"], error["value"]) == (
        2, "successes", "successes_out_of_range", 120)
    assert error["message"] == "120 不在 0 到 n 之间。"


def test_closing_without_data_is_a_conflict(client: TestClient, db: Session, world: World
                                            ) -> None:
    from tests.tacit.helpers import promoted

    contribution = promoted(db, world)
    db.commit()
    response = _post(client, db, world, "analyst",
                     f"/api/v1/contributions/{contribution.id}/evaluation/close",
                     {"verdict": "effective", "conclusion": "有效"})
    assert response.status_code == 409
    assert response.json()["code"] == "evaluation_needs_data"


ROLES = ("agent", "editor", "reviewer", "manager", "supervisor", "trainer", "analyst",
         "admin")


@pytest.mark.parametrize("role", ROLES)
def test_screening_is_for_reviewers_and_managers(client: TestClient, db: Session,
                                                 world: World, role: str) -> None:
    contribution = submit(db, world, author="agent_data")
    db.commit()
    status = _post(client, db, world, role, f"/api/v1/contributions/{contribution.id}/screening",
                   TRIAL).status_code
    assert status == (200 if role in {"reviewer", "manager"} else 403)


def test_an_agent_cannot_screen_their_own_contribution(client: TestClient, db: Session,
                                                       world: World) -> None:
    contribution = submit(db, world, author="reviewer")
    db.commit()
    response = _post(client, db, world, "reviewer",
                     f"/api/v1/contributions/{contribution.id}/screening", TRIAL)
    assert response.status_code == 403
    assert response.json()["code"] == "own_contribution"


@pytest.mark.parametrize("role", ROLES)
def test_manual_points_and_the_points_table_are_for_pipeline_managers(
        client: TestClient, db: Session, world: World, role: str) -> None:
    award = _post(client, db, world, role, "/api/v1/points", {
        "user_id": world["agent"].id, "reason_code": "contribution_adopted",
        "source_type": "manual", "source_id": 1})
    rule = client.put("/api/v1/points/rules/contribution_adopted",
                      json={"points": 12}, headers=bearer(db, world, role))
    allowed = role in {"manager", "admin"}
    assert award.status_code == (200 if allowed else 403)
    assert rule.status_code == (200 if allowed else 403)


def test_a_manager_cannot_award_themselves(client: TestClient, db: Session, world: World
                                           ) -> None:
    response = _post(client, db, world, "manager", "/api/v1/points", {
        "user_id": world["manager"].id, "reason_code": "contribution_adopted",
        "source_type": "manual", "source_id": 1})
    assert response.status_code == 403
    assert response.json()["code"] == "self_award"


@pytest.mark.parametrize("role", ROLES)
def test_recording_for_someone_else(client: TestClient, db: Session, world: World,
                                    role: str) -> None:
    status = _post(client, db, world, role, "/api/v1/contributions", {
        "title": "访谈记录", "content": "要点", "kind": "experience", "source": "interview",
        "author_id": world["agent_data"].id}).status_code
    # Analysts record mined golden scripts for the agents who use them.
    assert status == (201 if role in {"supervisor", "trainer", "manager", "analyst"} else 403)


def test_honours_wall_timings_and_issues(client: TestClient, db: Session, world: World
                                         ) -> None:
    created = _post(client, db, world, "manager", "/api/v1/honours", {
        "kind": "benchmark", "title": "标杆员工", "citation": "工单拦截率第一",
        "user_id": world["agent"].id, "period": "2026-11"})
    assert created.status_code == 201, created.text
    assert _post(client, db, world, "supervisor", "/api/v1/honours", {
        "kind": "title", "title": "移动工匠", "citation": "x",
        "user_id": world["agent"].id}).status_code == 403
    wall = client.get("/api/v1/honours", headers=bearer(db, world, "agent")).json()
    assert wall[0]["user"] == "Agent"
    issue = _post(client, db, world, "agent", "/api/v1/contributions/process-issues",
                  {"step": "screening", "description": "筛选太慢"})
    assert issue.status_code == 201
    assert _post(client, db, world, "agent",
                 f"/api/v1/contributions/process-issues/{issue.json()['id']}/resolve",
                 {"resolution": "x"}).status_code == 403
    timings = client.get("/api/v1/contributions/timings",
                         headers=bearer(db, world, "agent")).json()
    assert [s["step"] for s in timings["steps"]] == ["mining", "screening", "promotion",
                                                     "evaluation"]


def test_merge_over_the_api_names_the_article(client: TestClient, db: Session, world: World
                                              ) -> None:
    article = make_article(db, world)
    contribution = submit(db, world)
    db.commit()
    response = _post(client, db, world, "manager",
                     f"/api/v1/contributions/{contribution.id}/screening",
                     TRIAL | {"decision": "merge", "article_id": None})
    assert response.status_code == 422
    response = _post(client, db, world, "manager",
                     f"/api/v1/contributions/{contribution.id}/screening",
                     TRIAL | {"decision": "merge", "article_id": article.id})
    assert response.json()["merged_article_id"] == article.id
