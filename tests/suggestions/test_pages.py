"""The suggestion pages: anonymity on screen, answer and reward forms, permissions."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from seci.suggestions import service
from tests.conftest import csrf_of
from tests.factories import World, web_login


def test_submit_anonymously_answer_and_reward_in_pages(client: TestClient, db: Session,
                                                       world: World) -> None:
    web_login(client, "agent")
    page = client.get("/suggestions").text
    response = client.post("/suggestions", data={
        "csrf_token": csrf_of(page), "title": "夜班交接单电子化", "body": "纸质交接单易丢。",
        "category": "process", "anonymous": "on"}, follow_redirects=False)
    assert response.status_code == 303
    suggestion_id = int(re.findall(r"/suggestions/(\d+)", response.headers["location"])[0])
    client.post("/logout", data={"csrf_token": csrf_of(client.get("/").text)})

    web_login(client, "manager")
    inbox = client.get("/suggestions/inbox").text
    assert "夜班交接单电子化" in inbox
    detail = client.get(f"/suggestions/{suggestion_id}").text
    assert "Agent" not in detail and "匿名" in detail
    client.post(f"/suggestions/{suggestion_id}/answer", data={
        "csrf_token": csrf_of(detail), "decision": "adopt", "reason": "下月起试行"})
    detail = client.get(f"/suggestions/{suggestion_id}").text
    client.post(f"/suggestions/{suggestion_id}/reward", data={
        "csrf_token": csrf_of(detail), "bonus_yuan": "200", "red_flower": "on"})
    detail = client.get(f"/suggestions/{suggestion_id}").text
    assert "花红：200 元" in detail and "已奖励" in detail
    assert "Agent" not in detail
    stats = client.get("/suggestions/stats").text
    assert "100.0%" in stats
    client.post("/logout", data={"csrf_token": csrf_of(detail)})

    web_login(client, "admin")
    assert "Agent" in client.get(f"/suggestions/{suggestion_id}").text


def test_pages_check_permissions(client: TestClient, db: Session, world: World) -> None:
    suggestion = service.submit_suggestion(db, author=world["editor"], title="t", body="b",
                                           category="process")
    db.commit()
    web_login(client, "agent")
    assert client.get("/suggestions/inbox").status_code == 403
    assert client.get("/suggestions/stats").status_code == 403
    assert client.get(f"/suggestions/{suggestion.id}").status_code == 404
    assert "金点子" in client.get("/inbox").text


def test_a_bad_submission_comes_back_with_its_text_and_the_reason(client: TestClient,
                                                                   db: Session,
                                                                   world: World) -> None:
    web_login(client, "agent")
    page = client.get("/suggestions").text
    response = client.post("/suggestions", data={
        "csrf_token": csrf_of(page), "title": "夜班交接单电子化", "body": "   ",
        "category": "process"})
    assert response.status_code == 422
    assert 'value="夜班交接单电子化"' in response.text  # nothing typed is lost
    assert 'id="error-body"' in response.text
    assert service.list_categories(db)  # the page still lists the categories
    assert "夜班交接单电子化" not in client.get("/suggestions").text  # nothing was filed
