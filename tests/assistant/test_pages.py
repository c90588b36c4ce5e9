"""The assistant's pages: who may open the inbox, what it lists, the public chat page that
other sites may frame (and no other page), the widget script, masked call-back numbers."""

from __future__ import annotations

import json
import re

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from seci.assistant.handoff import request_callback
from seci.assistant.models import Conversation
from seci.web.middleware import embed_csp
from tests.assistant.conftest import Hotline, create_agent, new_conversation, say
from tests.conftest import csrf_of
from tests.factories import web_login

STAFF_PAGES = ("/assistant/inbox", "/assistant/inbox/1", "/assistant/callbacks")


def _waiting(db: Session, hotline: Hotline) -> Conversation:
    """A customer asked about their balance, then for a person: queue 话费专席."""
    conversation = new_conversation(db)
    say(db, hotline, conversation, "我还剩多少钱")
    say(db, hotline, conversation, "转人工")
    return conversation


def test_anonymous_visitors_and_customers_get_the_login_page(client: TestClient,
                                                              hotline: Hotline) -> None:
    started = client.post("/api/v1/assistant/conversations", json={}).json()
    customer = {"X-Conversation-Token": started["token"]}  # a customer's only credential
    for path in STAFF_PAGES:
        for headers in ({}, customer):
            response = client.get(path, headers=headers, follow_redirects=False)
            assert response.status_code == 303, path
            assert response.headers["location"] == f"/login?next={path}"


def test_staff_without_the_assistant_permission_cannot_open_the_inbox(
        client: TestClient, hotline: Hotline) -> None:
    web_login(client, "editor")
    for path in STAFF_PAGES:
        assert client.get(path).status_code == 403, path
    assert "/assistant/inbox" not in client.get("/kb").text  # no nav link either
    client.cookies.clear()
    web_login(client, "agent")
    assert 'href="/assistant/inbox"' in client.get("/kb").text


def test_the_inbox_lists_hand_offs_of_the_agents_queues_only(
        client: TestClient, db: Session, hotline: Hotline) -> None:
    conversation = _waiting(db, hotline)
    create_agent(db, "billing", ["话费专席"], hotline.world)
    web_login(client, "billing")
    page = client.get("/assistant/inbox")
    assert page.status_code == 200
    assert f'href="/assistant/inbox/{conversation.id}"' in page.text
    assert "客户要求转人工" in page.text and "话费余额与账单查询" in page.text
    fragment = client.get("/assistant/inbox?partial=1&queue=话费专席")
    assert "<html" not in fragment.text and f"/assistant/inbox/{conversation.id}" in fragment.text
    workspace = client.get(f"/assistant/inbox/{conversation.id}")
    assert workspace.status_code == 200
    assert f'data-api="/api/v1/assistant/agent/conversations/{conversation.id}"' in \
        workspace.text
    assert "接入" in workspace.text

    client.cookies.clear()
    web_login(client, "agent_data")  # 数据专席 only
    assert f"/assistant/inbox/{conversation.id}" not in client.get("/assistant/inbox").text
    other = client.get(f"/assistant/inbox/{conversation.id}")
    assert other.status_code == 404
    assert "不在您的队列" in other.text


def test_only_the_chat_page_may_be_framed(client: TestClient) -> None:
    chat = client.get("/chat?embed=1")
    assert chat.status_code == 200
    assert "frame-ancestors *" in chat.headers["content-security-policy"]
    assert "x-frame-options" not in chat.headers
    assert "script-src 'self'" in chat.headers["content-security-policy"]
    for path in ("/login", "/api/v1/openapi.json"):
        response = client.get(path)
        assert response.headers["x-frame-options"] == "DENY"
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"]


def test_the_embedding_origins_are_taken_as_origins_only() -> None:
    policy = embed_csp("http://portal.example https://oa.example:8443 "
                       "evil;script-src 'unsafe-inline'")
    assert policy.endswith("frame-ancestors http://portal.example https://oa.example:8443")
    assert embed_csp("").endswith("frame-ancestors 'none'")
    assert embed_csp("javascript:alert(1)").endswith("frame-ancestors 'none'")


def test_the_chat_page_speaks_the_chosen_language(client: TestClient) -> None:
    chinese = client.get("/chat")
    assert "在线客服" in chinese.text and 'data-locale="zh_CN"' in chinese.text
    english = client.get("/chat?lang=en&embed=1")
    assert "Online service" in english.text and 'data-locale="en"' in english.text
    assert 'href="/chat?lang=zh_CN&amp;channel=web&amp;embed=1"' in english.text


def test_the_widget_script_is_served_with_both_languages(client: TestClient) -> None:
    response = client.get("/assistant/widget.js")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/javascript")
    found = re.search(r"var LABELS = (.*);", response.text)
    assert found is not None
    labels = json.loads(found.group(1))
    assert labels["zh_CN"]["open"] == "在线客服" and labels["en"]["open"] == "Online service"
    assert '"/chat?"' in response.text


def test_call_back_numbers_are_masked_until_claimed(client: TestClient, db: Session,
                                                    hotline: Hotline) -> None:
    conversation = _waiting(db, hotline)
    request_callback(db, conversation=conversation, phone="138 1234 5678", note="下午")
    db.commit()
    create_agent(db, "billing", ["话费专席"], hotline.world)
    web_login(client, "billing")
    listing = client.get("/assistant/callbacks")
    assert "138****5678" in listing.text and "13812345678" not in listing.text
    claim = client.post(f"/assistant/callbacks/{_callback_id(listing.text)}/claim",
                        data={"csrf_token": csrf_of(listing.text)}, follow_redirects=False)
    assert claim.status_code == 303
    assert "13812345678" in client.get(claim.headers["location"]).text


def _callback_id(html: str) -> str:
    marker = 'action="/assistant/callbacks/'
    start = html.index(marker) + len(marker)
    return html[start:html.index("/", start)]
