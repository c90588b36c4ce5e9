"""The REST contract: customer token, bad input, streaming replay, agents, permissions."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from seci.retrieval.log import opened_after
from tests.assistant.conftest import Hotline
from tests.factories import bearer

BASE = "/api/v1/assistant"


def _start(client: TestClient, **body: Any) -> tuple[str, dict[str, str]]:
    response = client.post(f"{BASE}/conversations", json=body)
    assert response.status_code == 201, response.text
    started = response.json()
    assert started["messages"][0]["kind"] == "greeting"
    url = f"{BASE}/conversations/{started['conversation']['id']}"
    return url, {"X-Conversation-Token": started["token"]}


def test_a_customer_cannot_read_another_conversation(client: TestClient,
                                                     hotline: Hotline) -> None:
    mine, my_token = _start(client)
    theirs, their_token = _start(client)
    assert client.post(f"{theirs}/messages", headers=their_token,
                       json={"text": "我还剩多少钱"}).status_code == 201
    for method, path in (("GET", ""), ("GET", "/messages"), ("POST", "/messages"),
                         ("GET", "/events?wait=0"), ("POST", "/handoff")):
        response = client.request(method, f"{theirs}{path}", headers=my_token,
                                  json={"text": "hi"})
        assert response.status_code == 401, (method, path)
        assert response.json()["code"] == "conversation_token_invalid"
    assert client.get(f"{theirs}/messages").status_code == 401  # no token at all
    assert client.get(f"{BASE}/conversations/999999", headers=my_token).status_code == 401
    assert client.get(f"{mine}/messages", headers=my_token).status_code == 200


def test_a_customer_cannot_claim_a_tier(client: TestClient, db: Session,
                                        hotline: Hotline) -> None:
    response = client.post(f"{BASE}/conversations", json={"tier": "VIP"})
    assert response.status_code == 403
    trusted = client.post(f"{BASE}/conversations", json={"tier": "VIP", "customer_ref": "c1"},
                          headers=bearer(db, hotline.world, "admin"))
    assert trusted.status_code == 201


@pytest.mark.parametrize(("text", "code"), [
    ("", "empty_message"), ("   \n ", "empty_message"), ("\x00\x01\x1b", "empty_message"),
    ("话" * 10_000, "message_too_long"), ("话" * 2001, "message_too_long"),
])
def test_bad_input_gets_a_clear_reply(client: TestClient, hotline: Hotline, text: str,
                                      code: str) -> None:
    url, token = _start(client)
    response = client.post(f"{url}/messages", headers=token, json={"text": text})
    assert response.status_code == 422
    assert response.json()["code"] == code and response.json()["detail"]
    # Nothing broke: the conversation goes on.
    assert client.post(f"{url}/messages", headers=token,
                       json={"text": "出国了手机还能用不"}).status_code == 201


@pytest.mark.parametrize("text", [
    "<script>alert('x')</script>", "<img src=x onerror=alert(1)>话费怎么查",
    "👍👍👍", "🙂 出国了手机还能用不 🙏", "\x00\x07流量\x1b包", "' OR 1=1; DROP TABLE users; --",
])
def test_odd_input_is_stored_and_answered(client: TestClient, hotline: Hotline,
                                          text: str) -> None:
    url, token = _start(client)
    # ASCII-escaped JSON, control characters included, as a broken client might send it.
    response = client.post(f"{url}/messages", content=json.dumps({"text": text}),
                           headers=token | {"Content-Type": "application/json"})
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["replies"], "the assistant always says something"
    for reply in body["replies"]:
        assert "<script" not in (reply["html"] or "") and "onerror" not in (reply["html"] or "")
    assert "\x00" not in body["message"]["text"]


def test_binary_bodies_are_refused_cleanly(client: TestClient, hotline: Hotline) -> None:
    url, token = _start(client)
    response = client.post(f"{url}/messages", content=b"\xff\xfe\x00\x81binary",
                           headers=token | {"Content-Type": "application/json"})
    assert response.status_code == 422
    assert response.json()["code"] == "validation_failed"
    surrogate = client.post(f"{url}/messages", content='{"text": "\\ud800话费"}',
                            headers=token | {"Content-Type": "application/json"})
    assert surrogate.status_code == 422
    assert client.post(f"{url}/messages", headers=token,
                       json={"text": "话费怎么查"}).status_code == 201


def test_the_stream_replays_after_last_event_id(client: TestClient, hotline: Hotline) -> None:
    url, token = _start(client)
    client.post(f"{url}/messages", headers=token, json={"text": "出国了手机还能用不"})
    client.post(f"{url}/messages", headers=token, json={"text": "转人工"})
    everything = client.get(f"{url}/events", headers=token, params={"wait": 0})
    assert everything.headers["content-type"].startswith("text/event-stream")
    ids = [int(line[4:]) for line in everything.text.splitlines() if line.startswith("id: ")]
    assert ids == [1, 2, 3, 4, 5]
    resumed = client.get(f"{url}/events", params={"wait": 0, "token": token[
        "X-Conversation-Token"]}, headers={"Last-Event-ID": "3"})
    assert [int(line[4:]) for line in resumed.text.splitlines()
            if line.startswith("id: ")] == [4, 5]
    assert '"kind": "handoff"' in resumed.text


def test_a_closed_conversation_stream_ends(client: TestClient, hotline: Hotline) -> None:
    url, token = _start(client)
    assert client.post(f"{url}/end", headers=token).json()["kind"] == "closed"
    stream = client.get(f"{url}/events", headers=token)  # full wait: ends because closed
    assert "event: end" in stream.text
    assert client.post(f"{url}/rating", headers=token, json={"score": 5}).json()[
        "satisfaction"] == 5
    assert client.post(f"{url}/rating", headers=token, json={"score": 6}).status_code == 422


def test_hand_off_to_agent_and_back_over_the_api(client: TestClient, db: Session,
                                                 hotline: Hotline) -> None:
    url, token = _start(client)
    client.post(f"{url}/messages", headers=token, json={"text": "家里断网了怎么办"})
    handoff = client.post(f"{url}/handoff", headers=token).json()
    assert handoff[0]["kind"] == "handoff" and handoff[0]["data"]["queue"] == "数据专席"
    state = client.get(url, headers=token).json()
    assert state["status"] == "waiting" and state["waiting"]["position"] == 1
    agent = bearer(db, hotline.world, "agent_data")
    inbox = client.get(f"{BASE}/inbox", headers=agent).json()
    [item] = inbox["waiting"]
    assert item["handoff_reason"] == "explicit_request"
    assert item["topic"] == "家庭业务 / 宽带" or "宽带" in item["topic"]
    assert item["candidates"][0]["code"] == "KD-GZ"
    conversation_id = item["conversation_id"]
    agent_url = f"{BASE}/agent/conversations/{conversation_id}"
    assert client.post(f"{agent_url}/accept", headers=agent).json()["status"] == "with_agent"
    assert client.post(f"{agent_url}/messages", headers=agent,
                       json={"text": "您好，请重启光猫"}).status_code == 201
    internal = hotline.articles["MY-JM"].id
    refused = client.post(f"{agent_url}/articles", headers=agent,
                          json={"article_id": internal})
    assert refused.status_code == 409 and refused.json()["code"] == "internal_article"
    assist = client.get(f"{agent_url}/assist", headers=agent).json()
    assert assist and assist[0]["code"] == "KD-GZ"
    closed = client.post(f"{agent_url}/close", headers=agent, json={
        "resolved": True, "category": "宽带故障", "first_contact_resolved": True}).json()
    assert closed["status"] == "closed" and closed["first_contact_resolved"] is True
    messages = client.get(f"{url}/messages", headers=token).json()
    assert [m["kind"] for m in messages][-3:] == ["accepted", "text", "closed"]
    assert client.post(f"{url}/rating", headers=token, json={"score": 4}).status_code == 200


def test_the_agent_names_the_question_an_article_answers(client: TestClient, db: Session,
                                                         hotline: Hotline) -> None:
    url, token = _start(client)
    client.post(f"{url}/messages", headers=token, json={"text": "家里断网了怎么办"})
    client.post(f"{url}/handoff", headers=token)
    client.post(f"{url}/messages", headers=token, json={"text": "光猫灯一直闪红"})
    transcript = client.get(f"{url}/messages", headers=token).json()
    handed_over_with, asked_of_agent = [m for m in transcript if m["role"] == "customer"]
    first_text, later = handed_over_with["text"], asked_of_agent["seq"]
    bot = next(m["seq"] for m in transcript if m["role"] == "bot")
    agent = bearer(db, hotline.world, "agent_data")
    [item] = client.get(f"{BASE}/inbox", headers=agent).json()["waiting"]
    agent_url = f"{BASE}/agent/conversations/{item['conversation_id']}"
    accepted = client.post(f"{agent_url}/accept", headers=agent).json()
    assert accepted["handed_over_with"] == handed_over_with["seq"]
    fault = hotline.articles["KD-GZ"].id
    for body, code in [({"article_id": fault, "answers": bot}, "not_a_customer_question"),
                       ({"article_id": fault, "answers": 999}, "not_a_customer_question"),
                       ({"answers": later}, "answers_without_article")]:
        refused = client.post(f"{agent_url}/messages", headers=agent,
                              json={"text": "请重启光猫", **body})
        assert refused.status_code == 422 and refused.json()["code"] == code
    for beyond in (0, 2**31, 10**30):
        assert client.post(f"{agent_url}/articles", headers=agent,
                           json={"article_id": fault, "answers": beyond}).status_code == 422
    sent = client.post(f"{agent_url}/messages", headers=agent,
                       json={"text": "请重启光猫", "article_id": fault, "answers": later})
    assert sent.status_code == 201
    learnt = set(opened_after(db))
    assert ("光猫灯一直闪红", fault) in learnt and (first_text, fault) not in learnt


def test_call_back_over_the_api_masks_the_number(client: TestClient, db: Session,
                                                 hotline: Hotline) -> None:
    url, token = _start(client)
    client.post(f"{url}/messages", headers=token, json={"text": "转人工"})
    bad = client.post(f"{url}/callback", headers=token, json={"phone": "12345"})
    assert bad.status_code == 422 and bad.json()["code"] == "bad_phone_number"
    left = client.post(f"{url}/callback", headers=token, json={"phone": "13912345678"})
    assert left.status_code == 201 and left.json()["phone"] == "139****5678"
    agent = bearer(db, hotline.world, "agent")  # queue A
    [listed] = client.get(f"{BASE}/callbacks", headers=agent).json()
    assert listed["phone"] == "139****5678"
    claimed = client.post(f"{BASE}/callbacks/{listed['id']}/claim", headers=agent).json()
    assert claimed["phone"] == "13912345678"


@pytest.mark.parametrize(("method", "path", "allowed"), [
    ("GET", "/inbox", {"agent", "supervisor"}),
    ("GET", "/callbacks", {"agent", "supervisor"}),
    ("GET", "/rules", {"manager", "admin"}),
    ("PUT", "/queues/VIP/hours", {"manager", "admin"}),
])
def test_agent_and_configuration_endpoints_check_permissions(
        client: TestClient, db: Session, hotline: Hotline, method: str, path: str,
        allowed: set[str]) -> None:
    for role in ("agent", "editor", "reviewer", "manager", "supervisor", "trainer", "analyst",
                 "admin"):
        status = client.request(method, f"{BASE}{path}", headers=bearer(db, hotline.world,
                                                                          role),
                                json=[]).status_code
        assert (status == 200) == (role in allowed), (role, status)
        assert status in {200, 403}


def test_queue_hours_close_a_queue_and_offer_a_call_back(client: TestClient, db: Session,
                                                         hotline: Hotline) -> None:
    manager = bearer(db, hotline.world, "manager")
    # Open one minute a week, at a time that is surely not now.
    hours = client.put(f"{BASE}/queues/A/hours", headers=manager,
                       json=[{"weekday": 0, "opens": "03:00", "closes": "03:01"}])
    assert hours.status_code == 200
    url, token = _start(client)
    reply = client.post(f"{url}/messages", headers=token, json={"text": "转人工"}).json()
    data = reply["replies"][0]["data"]
    if data["open"]:  # pragma: no cover - the test ran on a Monday at 03:00
        pytest.skip("ran within the one open minute")
    assert data["callback_offered"] is True
    assert client.get(url, headers=token).json()["waiting"]["opens_at"]


def test_rules_are_edited_over_the_api(client: TestClient, db: Session,
                                       hotline: Hotline) -> None:
    manager = bearer(db, hotline.world, "manager")
    created = client.post(f"{BASE}/rules", headers=manager, json={
        "kind": "keyword", "pattern": "携号转网", "reason": "explicit_request",
        "target_queue": "A+", "priority": 1})
    assert created.status_code == 201, created.text
    unknown = client.post(f"{BASE}/rules", headers=manager, json={
        "kind": "keyword", "pattern": "x", "target_queue": "NOPE"})
    assert unknown.status_code == 422 and unknown.json()["code"] == "unknown_queue"
    url, token = _start(client)
    reply = client.post(f"{url}/messages", headers=token, json={"text": "我想携号转网"}).json()
    assert reply["replies"][0]["data"]["queue"] == "A+"
    rule = created.json()
    assert rule["answer_first"] is False
    disabled = client.put(f"{BASE}/rules/{rule['id']}", headers=manager,
                          json={**rule, "enabled": False, "answer_first": True})
    assert disabled.json()["enabled"] is False and disabled.json()["answer_first"] is True


def test_the_routes_are_in_the_openapi_schema(client: TestClient) -> None:
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    for path in ("/api/v1/assistant/conversations",
                 "/api/v1/assistant/conversations/{conversation_id}/messages",
                 "/api/v1/assistant/conversations/{conversation_id}/events",
                 "/api/v1/assistant/inbox",
                 "/api/v1/assistant/agent/conversations/{conversation_id}/accept"):
        assert path in paths
    send = paths["/api/v1/assistant/conversations/{conversation_id}/messages"]["post"]
    assert {"401", "409", "422"} <= set(send["responses"])
