"""Real server processes, end to end: a customer's stream on one process receives what is
sent through another (Redis), and a server that crashes mid-conversation loses nothing."""

from __future__ import annotations

import http.client
import json
import socket
import threading
import time
import urllib.parse
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from seci.accounts import service as accounts
from tests.assistant.conftest import build_hotline, create_agent
from tests.factories import build_world
from tests.servers import Server, call

BASE = "/api/v1/assistant"
# Streams in these servers last an hour and never look by themselves: a message reaches an
# open stream only if the bus woke it (here: through Redis). Run before the app is imported.
ONLY_NOTICES = """
import seci.assistant.stream as stream
stream.POLL_SECONDS = stream.HEALTHY_POLL_SECONDS = 3600.0
_events = stream.conversation_events
def _long_stream(*args, **kwargs):
    return _events(*args, **{**kwargs, "duration": 3600.0})
stream.conversation_events = _long_stream
"""
# A bound so that a broken stream fails the test instead of hanging it; not a speed target.
PATIENCE_SECONDS = 60.0


class EventStream:
    """One connection to a conversation's event stream, read in a thread, as a browser's
    EventSource does (``Last-Event-ID`` on a reconnect; the reconnect is the caller's)."""

    def __init__(self, base: str, conversation_id: int, token: str,
                 last_event_id: int | None = None) -> None:
        self.events: list[tuple[int, dict[str, Any]]] = []
        self.ended = False
        self._changed = threading.Condition()
        url = urllib.parse.urlsplit(base)
        self._connection = http.client.HTTPConnection(url.hostname or "127.0.0.1", url.port,
                                                      timeout=PATIENCE_SECONDS)
        headers = {"Accept": "text/event-stream"}
        if last_event_id is not None:
            headers["Last-Event-ID"] = str(last_event_id)
        query = urllib.parse.urlencode({"token": token, "wait": 30})
        self._connection.request(
            "GET", f"{BASE}/conversations/{conversation_id}/events?{query}", headers=headers)
        response = self._connection.getresponse()
        assert response.status == 200, response.read()
        self._thread = threading.Thread(target=self._read, args=(response,), daemon=True)
        self._thread.start()

    @property
    def seqs(self) -> list[int]:
        return [seq for seq, _ in self.events]

    def _read(self, response: http.client.HTTPResponse) -> None:
        fields: dict[str, str] = {}
        try:
            while line := response.readline():
                text = line.decode().rstrip("\r\n")
                if text:
                    name, _, value = text.partition(":")
                    fields[name] = value.removeprefix(" ")
                    continue
                if fields.get("event") == "message":
                    with self._changed:
                        self.events.append((int(fields["id"]), json.loads(fields["data"])))
                        self._changed.notify_all()
                fields = {}
        except OSError:
            pass  # the server went away, or close() cut the connection
        finally:
            with self._changed:
                self.ended = True
                self._changed.notify_all()

    def wait_for(self, seq: int) -> bool:
        """Whether message ``seq`` arrived on this connection (before it ended)."""
        with self._changed:
            self._changed.wait_for(lambda: self.ended or (self.seqs or [0])[-1] >= seq,
                                   PATIENCE_SECONDS)
            return (self.seqs or [0])[-1] >= seq

    def wait_until_ended(self) -> None:
        with self._changed:
            self._changed.wait_for(lambda: self.ended, PATIENCE_SECONDS)

    def close(self) -> None:
        if self._connection.sock is not None:
            self._connection.sock.shutdown(socket.SHUT_RDWR)
        self._thread.join(timeout=10)
        self._connection.close()


@dataclass
class Setup:
    database_url: str
    agent: dict[str, str]  # an agent of every queue: whatever the routing picks


@pytest.fixture
def setup(committed_engine: Engine) -> Setup:
    with Session(committed_engine, expire_on_commit=False) as db:
        world = build_world(db)
        build_hotline(db, world)
        agent = create_agent(db, "desk", list(world.queues), world)
        token = accounts.issue_api_token(db, user=agent, name="process test")
        db.commit()
    return Setup(committed_engine.url.render_as_string(hide_password=False),
                 {"Authorization": f"Bearer {token}"})


@pytest.fixture
def servers(setup: Setup, tmp_path: Path) -> Iterator[list[Server]]:
    started: list[Server] = []
    yield started
    for server in started:
        server.stop()


@dataclass
class Customer:
    conversation_id: int
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"X-Conversation-Token": self.token}

    def url(self, server: Server, path: str = "") -> str:
        return f"{server.base}{BASE}/conversations/{self.conversation_id}{path}"


def start_chat(server: Server) -> Customer:
    status, started = call("POST", f"{server.base}{BASE}/conversations", body={})
    assert status == 201, started
    return Customer(started["conversation"]["id"], started["token"])


def send(server: Server, customer: Customer, text: str, key: str | None = None
         ) -> dict[str, Any]:
    status, turn = call("POST", customer.url(server, "/messages"), customer.headers,
                        {"text": text, "client_key": key or uuid.uuid4().hex})
    assert status == 201, turn
    return dict(turn)


def take_over(server: Server, setup: Setup, customer: Customer, reply: str) -> None:
    """The agent finds the conversation in the inbox, accepts it and answers."""
    status, inbox = call("GET", f"{server.base}{BASE}/inbox", setup.agent)
    assert status == 200, inbox
    assert customer.conversation_id in [i["conversation_id"] for i in inbox["waiting"]]
    agent_url = f"{server.base}{BASE}/agent/conversations/{customer.conversation_id}"
    status, accepted = call("POST", f"{agent_url}/accept", setup.agent)
    assert status == 200, accepted
    status, sent = call("POST", f"{agent_url}/messages", setup.agent, {"text": reply})
    assert status == 201, sent


def transcript(server: Server, customer: Customer) -> list[dict[str, Any]]:
    status, messages = call("GET", customer.url(server, "/messages"), customer.headers)
    assert status == 200, messages
    return list(messages)


def assert_complete(messages: list[dict[str, Any]], events: list[tuple[int, dict[str, Any]]],
                    customer_texts: list[str], agent_text: str) -> None:
    """Every message once, in order, on the stream as in the transcript; every customer
    message stored once."""
    seqs = [m["seq"] for m in messages]
    assert seqs == list(range(1, len(messages) + 1))
    assert [seq for seq, _ in events] == seqs
    assert [e["text"] for _, e in events] == [m["text"] for m in messages]
    assert [m["text"] for m in messages if m["role"] == "customer"] == customer_texts
    assert [m["text"] for m in messages if m["role"] == "agent"] == [agent_text]


def _warm(server: Server, setup: Setup) -> None:
    """Wait until the new process has built its index and trained its matcher in the
    background (as a server does after a start): then it answers as in production."""
    deadline = time.monotonic() + PATIENCE_SECONDS
    while time.monotonic() < deadline:
        status, body = call("GET", f"{server.base}/api/v1/search", setup.agent,
                            params={"q": "出国了手机还能用不"})
        assert status == 200, body
        if body["confident"] and body["hits"][0]["code"] == "MY-KT":
            return
        time.sleep(0.2)
    raise TimeoutError(f"{server.base} did not become ready")


def test_a_stream_on_one_process_receives_what_another_process_stored(
        setup: Setup, servers: list[Server], tmp_path: Path, redis_url: str) -> None:
    env = {"SECI_REDIS_URL": redis_url}
    for name in ("a", "b"):
        servers.append(Server(setup.database_url, tmp_path / name, env=env,
                              prelude=ONLY_NOTICES).start())
        _warm(servers[-1], setup)
    holder, writer = servers
    customer = start_chat(writer)
    stream = EventStream(holder.base, customer.conversation_id, customer.token)
    try:
        assert stream.wait_for(1)  # the greeting, replayed; the stream now listens
        questions = ["出国了手机还能用不", "转人工"]
        for text in questions:
            send(writer, customer, text)
        take_over(writer, setup, customer, "您好，我是客服小王，我来帮您开通。")
        messages = transcript(writer, customer)
        # One connection, opened before anything was sent, and no polling: only a notice
        # through Redis could bring these messages to it.
        assert stream.wait_for(messages[-1]["seq"]), stream.seqs
    finally:
        stream.close()
    assert not any(e["internal"] for _, e in stream.events)
    assert_complete(messages, stream.events, questions, "您好，我是客服小王，我来帮您开通。")


def test_a_server_crash_mid_conversation_loses_nothing(
        setup: Setup, servers: list[Server], tmp_path: Path) -> None:
    # The embedded default: one process, no Redis.
    server = Server(setup.database_url, tmp_path / "one").start()
    servers.append(server)
    _warm(server, setup)
    customer = start_chat(server)
    before = EventStream(server.base, customer.conversation_id, customer.token)
    turn = send(server, customer, "出国了手机还能用不", key="first")
    assert [r["data"].get("code") for r in turn["replies"]] == ["MY-KT"]
    assert before.wait_for(turn["conversation"]["last_seq"])

    server.kill()  # acknowledged means stored: the crash takes nothing with it
    before.wait_until_ended()
    server.start()
    _warm(server, setup)
    # The browser reconnects with the last id it saw.
    after = EventStream(server.base, customer.conversation_id, customer.token,
                        last_event_id=before.seqs[-1])
    try:
        # The client never saw the acknowledgement and retries: stored once.
        status, retried = call("POST", customer.url(server, "/messages"), customer.headers,
                               {"text": "出国了手机还能用不", "client_key": "first"})
        assert status == 200 and retried["duplicate"] is True
        # A follow-up: read with the topic, which survived the crash.
        [answer] = send(server, customer, "要多少钱")["replies"]
        assert answer["kind"] == "answer" and answer["data"]["code"] == "MY-KT"
        send(server, customer, "转人工")
        take_over(server, setup, customer, "您好，漫游资费我帮您查。")
        messages = transcript(server, customer)
        assert after.wait_for(messages[-1]["seq"]), after.seqs
    finally:
        after.close()
        before.close()
    status, state = call("GET", customer.url(server), customer.headers)
    assert status == 200 and state["status"] == "with_agent"
    assert_complete(messages, before.events + after.events,
                    ["出国了手机还能用不", "要多少钱", "转人工"], "您好，漫游资费我帮您查。")


def test_a_customer_and_an_agent_writing_at_once_get_no_error(
        setup: Setup, servers: list[Server], tmp_path: Path) -> None:
    """Truly parallel writers in the same conversations (PostgreSQL: the seq counter
    must come from the locked row, not a stale copy; SQLite: writers queue): 100 posts
    across 5 conversations, customer and agent at once, every one stored once, seqs
    without gaps or repeats."""
    server = Server(setup.database_url, tmp_path / "one").start()
    servers.append(server)
    customers = [start_chat(server) for _ in range(5)]
    for customer in customers:
        status, handed = call("POST", customer.url(server, "/handoff"), customer.headers)
        assert status == 200, handed
        take_over(server, setup, customer, "您好，我来帮您。")

    def post(job: tuple[Customer, int]) -> int:
        customer, i = job
        if i % 2 == 0:
            status, _ = call("POST", customer.url(server, "/messages"), customer.headers,
                             {"text": f"第{i}条：宽带还是连不上", "client_key": uuid.uuid4().hex})
        else:
            status, _ = call(
                "POST",
                f"{server.base}{BASE}/agent/conversations/{customer.conversation_id}/messages",
                setup.agent, {"text": f"第{i}条：请重启光猫试试"})
        return status

    jobs = [(customer, i) for i in range(20) for customer in customers]
    with ThreadPoolExecutor(max_workers=16) as pool:
        statuses = list(pool.map(post, jobs))
    assert statuses == [201] * len(jobs)
    for customer in customers:
        seqs = [m["seq"] for m in transcript(server, customer)]
        assert seqs == list(range(1, len(seqs) + 1))
        texts = [m["text"] for m in transcript(server, customer)]
        assert sum(1 for t in texts if t.startswith("第")) == 20
