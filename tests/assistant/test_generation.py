"""Optional generation: a chat model phrases answers from customer-visible articles only,
and whatever it does wrong, the customer gets the article's own text (or, when it finds no
answer, "no good answer" and a person). The endpoint is a small server in this process
that speaks the chat-completions API; nothing leaves the machine."""

from __future__ import annotations

import json
import logging
import re
import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from seci.assistant.dialogue import CustomerArticle, Turn, send_customer_message
from seci.assistant.generation import (
    REFUSAL_MARKER,
    AnswerWriter,
    GenerationConfigError,
    Verdict,
    build_messages,
    check_reply,
    mask_mobiles,
    writer_from_settings,
)
from seci.assistant.models import Conversation, Kind, Status
from seci.core.config import Settings
from tests.assistant.conftest import SECRET, Hotline, new_conversation, say
from tests.assistant.test_leaks import PROBES

MODEL = "qwen-intranet"
API_KEY = "sk-test-only"
QUESTION_MARK = "The customer's question"
_SOURCE = re.compile(r"^code: (?P<code>.+)\ntitle: (?P<title>.+)$", re.MULTILINE)


@dataclass
class ChatServer:
    """Records every request; ``mode`` says how the next ones are answered."""

    url: str
    mode: str = "answer"
    requests: list[dict[str, Any]] = field(default_factory=list)
    headers: list[dict[str, str]] = field(default_factory=list)
    release: threading.Event = field(default_factory=threading.Event)
    # What a well-behaved model answers (default: an answer citing the first article).
    answer: Callable[[dict[str, Any]], str] | None = None

    def prompts(self) -> list[str]:
        return [m["content"] for r in self.requests for m in r["messages"]]


def _completion(content: str, finish_reason: str = "stop") -> bytes:
    return json.dumps({"id": "chatcmpl-1", "object": "chat.completion", "model": MODEL,
                       "choices": [{"index": 0, "finish_reason": finish_reason,
                                    "message": {"role": "assistant", "content": content}}]},
                      ensure_ascii=False).encode()


def _answer_from(request: dict[str, Any]) -> str:
    """A well-behaved model: answers from the first article and cites it."""
    source = _SOURCE.search(request["messages"][1]["content"])
    assert source is not None
    return (f"您好，根据资料：{source['title']}的办理方式如下，请按说明操作。\n"
            f"来源：{source['code']} {source['title']}")


def _reply(server: ChatServer, request: dict[str, Any]) -> tuple[int, bytes]:
    mode = server.mode
    if mode == "slow":
        server.release.wait(10)
        return 200, _completion(_answer_from(request))
    bodies: dict[str, Callable[[], tuple[int, bytes]]] = {
        "answer": lambda: (200, _completion((server.answer or _answer_from)(request))),
        "refuse": lambda: (200, _completion(f" {REFUSAL_MARKER} ")),
        "uncited": lambda: (200, _completion("您好，这个业务可以办理，请放心。")),
        "too_long": lambda: (200, _completion(_answer_from(request) + "好" * 5000)),
        "cut_off": lambda: (200, _completion(_answer_from(request), "length")),
        "garbage": lambda: (200, b"<html>\x00\xff not json"),
        "no_choices": lambda: (200, b'{"error": {"message": "model overloaded"}}'),
        "error": lambda: (500, b'{"error": {"message": "internal error"}}'),
    }
    return bodies[mode]()


@pytest.fixture
def chat_server() -> Iterator[ChatServer]:
    server_state: ChatServer | None = None

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            assert server_state is not None
            length = int(self.headers.get("Content-Length", "0"))
            request = json.loads(self.rfile.read(length))
            server_state.requests.append(request)
            server_state.headers.append({k.lower(): v for k, v in self.headers.items()})
            if self.path != "/v1/chat/completions":
                status, body = 404, b"{}"
            else:
                status, body = _reply(server_state, request)
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (the timeout tests): nothing to answer

        def log_message(self, format: str, *args: Any) -> None:
            pass  # keep the test output clean

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    server_state = ChatServer(url=f"http://127.0.0.1:{httpd.server_address[1]}")
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield server_state
    finally:
        server_state.release.set()
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture
def writer(chat_server: ChatServer) -> Iterator[AnswerWriter]:
    writer = AnswerWriter(chat_server.url, MODEL, api_key=API_KEY, timeout=10.0)
    yield writer
    writer.close()


def ask(db: Session, hotline: Hotline, conversation: Conversation, text: str,
        writer: AnswerWriter | None) -> Turn:
    turn = send_customer_message(db, engine=hotline.engine, conversation=conversation,
                                 text=text, writer=writer)
    db.commit()
    return turn


def _plain_answer(db: Session, hotline: Hotline, text: str) -> str:
    """What the assistant answers without generation."""
    [reply] = say(db, hotline, new_conversation(db), text).replies
    assert reply.kind == Kind.ANSWER
    return reply.text


# --- the reply's check, without a server --------------------------------------------------


ARTICLE = CustomerArticle(article_id=1, code="MY-KT", title="国际漫游开通与资费",
                          body="出国前发送 KTMY 到 10086 开通。", module_id=1, version_no=1)


@pytest.mark.parametrize(("content", "verdict"), [
    ("发送 KTMY 到 10086 即可开通。\n来源：MY-KT 国际漫游开通与资费", Verdict.PHRASED),
    ("发送 KTMY 即可。（依据：国际漫游开通与资费）", Verdict.PHRASED),  # by title
    ("发送 KTMY 即可。source: my-kt", Verdict.PHRASED),  # code, any case
    (REFUSAL_MARKER, Verdict.REFUSED),
    ("\n[no_answer]。", Verdict.REFUSED),
    ("NO_ANSWER", Verdict.REFUSED),
    (f"部分可以回答。{REFUSAL_MARKER} 来源：MY-KT", Verdict.FALLBACK),  # hedged
    ("", Verdict.FALLBACK),
    (" \x00\n ", Verdict.FALLBACK),
    ("发送 KTMY 即可开通。", Verdict.FALLBACK),  # cites nothing
    ("来源：MY-KT " + "很" * 2000, Verdict.FALLBACK),  # not a chat reply
])
def test_the_reply_is_checked(content: str, verdict: Verdict) -> None:
    phrasing = check_reply(content, [ARTICLE])
    assert phrasing.verdict == verdict
    assert (phrasing.cited == ("MY-KT",)) == (verdict == Verdict.PHRASED)


def test_the_prompt_holds_the_articles_the_rules_and_the_masked_question() -> None:
    system, user = build_messages(question="我的号码13812345678出国能用吗",
                                  articles=[ARTICLE], locale="zh_CN")
    assert system["role"] == "system" and user["role"] == "user"
    assert REFUSAL_MARKER in system["content"] and "来源：" in system["content"]
    assert "Simplified Chinese" in system["content"]
    assert "code: MY-KT\ntitle: 国际漫游开通与资费" in user["content"]
    assert "KTMY" in user["content"]
    assert "138****5678" in user["content"] and "13812345678" not in user["content"]
    [english, _] = build_messages(question="roaming?", articles=[ARTICLE], locale="en")
    assert "English" in english["content"] and "Source:" in english["content"]


def test_mobile_numbers_are_masked_but_other_numbers_kept() -> None:
    assert mask_mobiles("打13912345678或10086，订单2023123456789") == \
        "打139****5678或10086，订单2023123456789"


def test_without_the_setting_there_is_no_writer() -> None:
    assert writer_from_settings(Settings(generation_url="")) is None


@pytest.mark.parametrize("settings", [
    Settings(generation_url="http://10.0.0.5:8000"),  # no model name
    Settings(generation_url="10.0.0.5:8000", generation_model="m"),  # no scheme
])
def test_unusable_settings_stop_the_start(settings: Settings) -> None:
    with pytest.raises(GenerationConfigError):
        writer_from_settings(settings)


@pytest.mark.parametrize(("base", "endpoint"), [
    ("http://h:1", "http://h:1/v1/chat/completions"),
    ("http://h:1/v1/", "http://h:1/v1/chat/completions"),
    ("http://h:1/llm/v1/chat/completions", "http://h:1/llm/v1/chat/completions"),
])
def test_the_endpoint_is_found_from_its_root(base: str, endpoint: str) -> None:
    writer = writer_from_settings(Settings(generation_url=base, generation_model="m"))
    assert writer is not None
    assert writer.url == endpoint
    writer.close()


# --- against the local chat server ----------------------------------------------------------


def test_a_generated_answer_cites_the_article_and_is_marked(
        db: Session, hotline: Hotline, chat_server: ChatServer, writer: AnswerWriter) -> None:
    conversation = new_conversation(db)
    [reply] = ask(db, hotline, conversation, "出国了手机还能用不", writer).replies
    assert reply.kind == Kind.ANSWER
    assert reply.data["code"] == "MY-KT" and reply.data["generated"] is True
    assert "根据资料" in reply.text and "来源：MY-KT 国际漫游开通与资费" in reply.text
    assert reply.text.startswith("**国际漫游开通与资费**") and "是否解决" in reply.text
    [request] = chat_server.requests
    assert request["model"] == MODEL and request["temperature"] == 0
    assert chat_server.headers[0]["authorization"] == f"Bearer {API_KEY}"
    assert "出国了手机还能用不" in request["messages"][1]["content"]
    assert "话术参考" not in json.dumps(request, ensure_ascii=False)  # agents' section
    assert conversation.topic_article_id == hotline.articles["MY-KT"].id


def test_a_refusal_is_no_match_with_a_person_offered(
        db: Session, hotline: Hotline, chat_server: ChatServer, writer: AnswerWriter) -> None:
    chat_server.mode = "refuse"
    conversation = new_conversation(db)
    [reply] = ask(db, hotline, conversation, "出国了手机还能用不", writer).replies
    assert reply.kind == Kind.NO_MATCH
    assert reply.data == {"offer_human": True}
    assert conversation.failed_in_row == 1 and conversation.status == Status.BOT
    [second] = ask(db, hotline, conversation, "出国了手机还能用不", writer).replies
    assert second.kind == Kind.HANDOFF  # two failed answers in a row


@pytest.mark.parametrize("mode", ["uncited", "too_long", "cut_off", "garbage",
                                  "no_choices", "error"])
def test_an_unusable_reply_falls_back_to_the_article_text(
        db: Session, hotline: Hotline, chat_server: ChatServer, writer: AnswerWriter,
        mode: str, caplog: pytest.LogCaptureFixture) -> None:
    expected = _plain_answer(db, hotline, "出国了手机还能用不")
    chat_server.mode = mode
    with caplog.at_level(logging.WARNING, logger="seci.assistant"):
        [reply] = ask(db, hotline, new_conversation(db), "出国了手机还能用不",
                      writer).replies
    assert len(chat_server.requests) == 1
    assert reply.kind == Kind.ANSWER and reply.text == expected
    assert "generated" not in reply.data
    assert "fell back to the article text" in caplog.text


def test_a_slow_endpoint_times_out_to_the_article_text(
        db: Session, hotline: Hotline, chat_server: ChatServer) -> None:
    expected = _plain_answer(db, hotline, "出国了手机还能用不")
    chat_server.mode = "slow"
    impatient = AnswerWriter(chat_server.url, MODEL, timeout=0.2)
    try:
        [reply] = ask(db, hotline, new_conversation(db), "出国了手机还能用不",
                      impatient).replies
    finally:
        impatient.close()
        chat_server.release.set()
    assert len(chat_server.requests) == 1
    assert reply.kind == Kind.ANSWER and reply.text == expected


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.parametrize("where", ["wrong path", "nobody listening"])
def test_an_unreachable_endpoint_falls_back_to_the_article_text(
        db: Session, hotline: Hotline, chat_server: ChatServer, where: str) -> None:
    expected = _plain_answer(db, hotline, "出国了手机还能用不")
    base = (chat_server.url + "/nothing-here/v1" if where == "wrong path"  # HTTP 404
            else f"http://127.0.0.1:{_closed_port()}")
    nowhere = AnswerWriter(base, MODEL, timeout=5.0)
    try:
        [reply] = ask(db, hotline, new_conversation(db), "出国了手机还能用不",
                      nowhere).replies
    finally:
        nowhere.close()
    assert reply.kind == Kind.ANSWER and reply.text == expected


def test_a_picked_choice_is_phrased_too(
        db: Session, hotline: Hotline, chat_server: ChatServer, writer: AnswerWriter) -> None:
    from tests.assistant.test_dialogue import _offer_choices

    conversation = new_conversation(db)
    _offer_choices(db, hotline, conversation)
    [reply] = ask(db, hotline, conversation, "2", writer).replies
    assert reply.kind == Kind.ANSWER and reply.data["generated"] is True
    assert "来源：MY-LL 国际漫游流量包订购" in reply.text


def test_a_refused_pick_still_shows_the_chosen_article(
        db: Session, hotline: Hotline, chat_server: ChatServer, writer: AnswerWriter) -> None:
    from tests.assistant.test_dialogue import _offer_choices

    chat_server.mode = "refuse"
    conversation = new_conversation(db)
    _offer_choices(db, hotline, conversation)
    [reply] = ask(db, hotline, conversation, "2", writer).replies
    assert reply.kind == Kind.ANSWER and reply.data["code"] == "MY-LL"
    assert "7日包98元6GB" in reply.text and "generated" not in reply.data


def test_internal_articles_never_reach_the_prompt(
        db: Session, hotline: Hotline, chat_server: ChatServer, writer: AnswerWriter) -> None:
    internal = [hotline.articles[code] for code in ("ZW-TF", "MY-JM")]
    questions = [*PROBES, "出国了手机还能用不", "要多少钱", "加油包多少钱", "我还剩多少钱"]
    for probe in questions:
        conversation = new_conversation(db)
        for text in (probe, "1", "要多少钱", "那内部的呢"):
            if conversation.status != Status.BOT:
                break
            ask(db, hotline, conversation, text, writer)
    assert len(chat_server.requests) >= 4  # answers were phrased, so prompts were sent
    for request in chat_server.requests:
        system, user = (m["content"] for m in request["messages"])
        articles = system + user.split(QUESTION_MARK)[0]  # not the customer's own words
        sources = _SOURCE.findall(articles)
        assert sources
        for article in internal:
            assert (article.code, article.title) not in sources
            assert article.title not in articles
        assert SECRET not in articles and "一线可退" not in articles


def test_the_api_answers_with_the_generated_text(
        client: TestClient, hotline: Hotline, chat_server: ChatServer,
        writer: AnswerWriter) -> None:
    client.app.state.answer_writer = writer  # type: ignore[attr-defined]
    started = client.post("/api/v1/assistant/conversations", json={}).json()
    url = f"/api/v1/assistant/conversations/{started['conversation']['id']}"
    token = {"X-Conversation-Token": started["token"]}
    response = client.post(f"{url}/messages", headers=token, json={"text": "宽带连不上"})
    assert response.status_code == 201, response.text
    [reply] = response.json()["replies"]
    assert reply["kind"] == "answer" and reply["data"]["generated"] is True
    assert "来源：KD-GZ 宽带故障报修" in reply["text"]
    assert "来源" in reply["html"]
