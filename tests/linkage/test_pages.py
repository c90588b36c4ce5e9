"""The post-linkage pages render each post's view and enforce permissions."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from seci.linkage import quiz
from tests.conftest import csrf_of
from tests.factories import World, web_login
from tests.linkage.helpers import QUESTIONS, drafted, released


def test_tracker_chain_quiz_and_coverage_pages(client: TestClient, db: Session,
                                               world: World) -> None:
    notice, _ = released(db, world)
    quiz.set_quiz(db, notice_id=notice.id, actor=world["trainer"], questions=QUESTIONS)
    db.commit()
    web_login(client, "agent")
    page = client.get(f"/notices/{notice.id}").text
    assert "我已阅读这些知识" in page
    client.post(f"/notices/{notice.id}/acknowledge", data={"csrf_token": csrf_of(page)})
    quiz_page = client.get(f"/notices/{notice.id}/quiz").text
    assert "新套餐月费多少？" in quiz_page
    result = client.post(f"/notices/{notice.id}/quiz/attempts", data={
        "csrf_token": csrf_of(quiz_page), "q0": "1", "q1": "0"})
    assert "您的成绩：100%" in result.text
    client.post("/logout", data={"csrf_token": csrf_of(result.text)})

    web_login(client, "supervisor")
    coverage = client.get(f"/notices/{notice.id}/coverage").text
    assert "100%" in coverage
    tracker = client.get("/notices").text
    assert notice.title in tracker and "超期环节" in tracker


def test_linkage_pages_check_permissions(client: TestClient, db: Session,
                                         world: World) -> None:
    notice, _ = drafted(db, world)
    db.commit()
    web_login(client, "agent")
    assert client.get(f"/notices/{notice.id}").status_code == 404
    assert client.get("/notices/new").status_code == 403
    assert client.get(f"/notices/{notice.id}/quiz/edit").status_code == 403
    assert client.get(f"/notices/{notice.id}/coverage").status_code == 403


def test_a_bad_notice_comes_back_with_its_text_and_the_reason(client: TestClient,
                                                               db: Session,
                                                               world: World) -> None:
    web_login(client, "manager")
    page = client.get("/notices/new").text
    response = client.post("/notices", data={
        "csrf_token": csrf_of(page), "title": "流量日包调价通告", "reference": "渝〔2026〕70号",
        "body": "流量日包由5元/天调整为3元/天。", "effective_on": "2026-13-45"})
    assert response.status_code == 422
    assert "流量日包由5元/天调整为3元/天。" in response.text  # nothing typed is lost
    assert 'value="流量日包调价通告"' in response.text
    assert 'id="error-effective_on"' in response.text
    assert "流量日包调价通告" not in client.get("/notices").text  # nothing was entered
