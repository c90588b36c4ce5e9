"""The smart assistant under 200 concurrent customer conversations, against the real server.

A fresh database gets the demo hotline (59 articles, 45 of them customer-visible) and an
agent of every queue. ``uvicorn seci.asgi:app`` runs as a separate process — SQLite with
one worker (in-process bus), PostgreSQL with several workers and Redis — and this process
plays ``--conversations`` customers at once on loopback (one ``httpx.AsyncClient``), each
with its own event stream open, plus the agent who takes the hand-offs:

1. a routine question (a dev-set paraphrase of a customer article, ``evaluation/dev``);
2. a follow-up (要多少钱, 怎么办理 …);
3. ``1`` when the assistant offered choices, else another question (some out of scope);
4. thanks and the end of the chat, or — for ``--handoff-share`` of them, and whenever the
   assistant handed over by itself — 转人工: the agent accepts, writes, the customer
   answers, the agent closes, the customer rates.

Customers pause ``--think`` seconds between messages (people type) and start spread over
``--ramp`` seconds. Reply latency = send → the assistant's last reply of the turn visible:
in the POST response, and on the customer's event stream. Afterwards every conversation's
transcript is checked against what was sent and what the stream delivered: nothing lost,
nothing twice, nothing out of order.

    .venv/bin/python -m benchmarks.bench_assistant --db all
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import functools
import json
import os
import random
import ssl
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

from benchmarks.bench_pages import Server, _postgres_backends, classify_errors
from benchmarks.common import (
    DB_CHOICES,
    DEFAULT_PG_URL,
    ROOT,
    BenchDatabase,
    CpuMeter,
    bench_database,
    databases,
    load_average,
    markdown_table,
    write_json,
)

BASE = "/api/v1/assistant"
TARGET_P95_MS = 300.0
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"
QUERIES = ROOT / "evaluation" / "dev" / "queries.jsonl"
FOLLOW_UPS = ("要多少钱", "怎么办理", "多久生效", "那怎么取消", "有什么条件")
THANKS = ("谢谢", "好的谢谢", "解决了")
OUT_OF_SCOPE_SHARE = 0.15
# A reply or agent message not on the stream this long after it was stored is "missing";
# a hand-off nobody answered this long is an error. Bounds, not targets.
PATIENCE_S = 30.0
AGENT_PATIENCE_S = 90.0
AGENT_POLL_S = 0.5
# Generous timeouts: a slow answer is measured, not cut off. Idle connections are dropped
# before uvicorn's keep-alive timeout (5 s) closes them: otherwise a send may race the
# server's close and fail, which no browser shows.
CLIENT_TIMEOUT = httpx.Timeout(60.0, pool=120.0)
BROWSER_LIMITS = httpx.Limits(max_connections=2, max_keepalive_connections=2,
                              keepalive_expiry=2.0)
AGENT_LIMITS = httpx.Limits(max_connections=40, max_keepalive_connections=40,
                            keepalive_expiry=2.0)
AGENT_TEXT = "您好，我是人工客服，请问还有什么可以帮您？"


@dataclass(frozen=True)
class Plan:
    conversations: int
    think: tuple[float, float]
    ramp: float
    handoff_share: float
    max_seconds: float
    seed: int


@dataclass
class Chat:
    """One customer's conversation as this client saw it."""

    number: int
    conversation_id: int = 0
    token: str = ""
    sent: list[str] = field(default_factory=list)  # customer texts, in order
    acknowledged: dict[int, str] = field(default_factory=dict)  # seq → customer text
    posted: dict[int, str] = field(default_factory=dict)  # seq → reply text, from POSTs
    seen: dict[int, dict[str, Any]] = field(default_factory=dict)  # seq → stream event
    stream_duplicates: int = 0
    stream_out_of_order: int = 0
    stream_missing: int = 0
    stream_ended: bool = False
    post_ms: list[float] = field(default_factory=list)
    stream_ms: list[float] = field(default_factory=list)
    agent_ms: list[float] = field(default_factory=list)
    kinds: Counter[str] = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)
    status: str = "bot"
    handed_off: bool = False
    completed: bool = False
    arrivals: dict[int, float] = field(default_factory=dict)
    changed: asyncio.Condition = field(default_factory=asyncio.Condition)

    @property
    def headers(self) -> dict[str, str]:
        return {"X-Conversation-Token": self.token}

    @property
    def path(self) -> str:
        return f"{BASE}/conversations/{self.conversation_id}"

    @property
    def last_seen(self) -> int:
        return max(self.seen, default=0)


@dataclass
class Handoff:
    agent_sent_at: float = 0.0  # when the agent's message was sent (perf_counter)
    customer_answered: asyncio.Event = field(default_factory=asyncio.Event)


@dataclass
class Desk:
    """The agent's side, shared with the customers of this run (only to know when a
    customer has answered, so the agent does not close under their fingers)."""

    headers: dict[str, str]
    handoffs: dict[int, Handoff] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    tasks: set[asyncio.Task[None]] = field(default_factory=set)


# --- preparation ---------------------------------------------------------------------------


def prepare(db: BenchDatabase) -> dict[str, Any]:
    """Migrate, load the demo hotline, add an agent of every queue with an API token."""
    from seci.accounts import service as accounts
    from seci.accounts.roles import Role
    from seci.core.db import build_engine
    from seci.core.migrate import upgrade
    from seci.demo.loader import load_demo

    upgrade(db.url)
    engine = build_engine(db.url)
    try:
        with Session(engine) as session:
            load_demo(session)
            queues = [q.id for q in accounts.list_queues(session)]
            agent = accounts.create_user(session, username="bench_desk",
                                         password="bench-desk-1234", roles=[Role.AGENT],
                                         queue_ids=queues)
            token = accounts.issue_api_token(session, user=agent, name="assistant bench")
            session.commit()
    finally:
        engine.dispose()
    return {"agent_token": token, "queues": len(queues)}


def load_questions() -> tuple[list[str], list[str]]:
    """Dev-set queries: those whose expected article customers may read, and those out of
    scope (``expected: null``). Queries expecting internal articles are left out."""
    customer_codes = {row["code"] for row in _jsonl(ROOT / "src/seci/demo/articles.jsonl")
                      if row.get("audience", "customer") == "customer"}
    rows = _jsonl(QUERIES)
    in_scope = [r["query"] for r in rows if r.get("expected") in customer_codes]
    out_of_scope = [r["query"] for r in rows if r.get("expected") is None]
    return in_scope, out_of_scope


def _jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def warm_up(base: str, agent: dict[str, str], workers: int) -> None:
    """Wait until every worker has built its index and trained its matcher (a server does
    this in the background after a start); new connections reach different workers."""
    deadline = time.monotonic() + 120
    confident_in_row = 0
    while confident_in_row < 10 * workers:
        if time.monotonic() > deadline:
            raise RuntimeError("the server did not become ready within 120 s")
        response = httpx.get(f"{base}/api/v1/search", headers=agent, timeout=30,
                             params={"q": "5G套餐有哪些啊"})
        response.raise_for_status()
        confident_in_row = confident_in_row + 1 if response.json()["confident"] else 0
        if not confident_in_row:
            time.sleep(0.3)


# --- the event stream -----------------------------------------------------------------------


async def sse_events(lines: AsyncIterator[str]) -> AsyncIterator[dict[str, str]]:
    fields: dict[str, str] = {}
    async for line in lines:
        if line:
            if not line.startswith(":"):
                name, _, value = line.partition(":")
                fields[name] = value.removeprefix(" ")
            continue
        if fields:
            yield fields
        fields = {}


async def follow(client: httpx.AsyncClient, chat: Chat) -> None:
    """The customer's stream, reconnecting with Last-Event-ID (at once; a browser waits
    the 1 s the stream asks for) until the conversation ends."""
    while not chat.stream_ended:
        headers = {"Last-Event-ID": str(chat.last_seen)} if chat.last_seen else {}
        try:
            async with client.stream("GET", f"{chat.path}/events", headers=headers,
                                     params={"token": chat.token}) as response:
                if response.status_code != 200:
                    chat.errors.append(f"stream HTTP {response.status_code}")
                    await asyncio.sleep(1)
                    continue
                async for event in sse_events(response.aiter_lines()):
                    await _receive(chat, event)
        except httpx.HTTPError as error:
            chat.errors.append(f"stream {type(error).__name__}")
            await asyncio.sleep(1)


async def _receive(chat: Chat, event: dict[str, str]) -> None:
    now = time.perf_counter()
    if event.get("event") == "end":
        chat.stream_ended = True
    elif event.get("event") == "message":
        seq = int(event["id"])
        if seq in chat.seen:
            chat.stream_duplicates += 1
        elif seq < chat.last_seen:
            chat.stream_out_of_order += 1
        chat.seen[seq] = json.loads(event["data"])
        chat.arrivals.setdefault(seq, now)
    else:
        return
    async with chat.changed:
        chat.changed.notify_all()


async def arrival(chat: Chat, seq: int, patience: float = PATIENCE_S) -> float | None:
    """When message ``seq`` arrived on the stream; None if not within ``patience``."""
    try:
        async with chat.changed:
            await asyncio.wait_for(chat.changed.wait_for(lambda: seq in chat.seen), patience)
    except TimeoutError:
        return None
    return chat.arrivals[seq]


# --- a customer -----------------------------------------------------------------------------


async def send(client: httpx.AsyncClient, chat: Chat, text: str) -> list[dict[str, Any]]:
    """One customer message; records the POST and stream latency of the replies."""
    started = time.perf_counter()
    response = await client.post(f"{chat.path}/messages", headers=chat.headers,
                                 json={"text": text,
                                       "client_key": f"{chat.number}-{len(chat.sent)}"})
    answered = time.perf_counter()
    chat.sent.append(text)
    if response.status_code != 201:
        chat.errors.append(f"send HTTP {response.status_code}")
        return []
    turn = response.json()
    chat.status = turn["conversation"]["status"]
    replies: list[dict[str, Any]] = turn["replies"]
    chat.acknowledged[turn["message"]["seq"]] = turn["message"]["text"]
    chat.posted.update((r["seq"], r["text"]) for r in replies)
    if not replies:
        return replies
    chat.kinds.update(r["kind"] for r in replies)
    chat.post_ms.append((answered - started) * 1000)
    seen_at = await arrival(chat, replies[-1]["seq"])
    if seen_at is None:
        chat.stream_missing += 1
    else:
        chat.stream_ms.append((seen_at - started) * 1000)
    return replies


async def customer(base: str, chat: Chat, plan: Plan, desk: Desk,
                   questions: tuple[list[str], list[str]]) -> None:
    """One customer with a browser of their own: a client with two connections, one for
    the event stream and one for sending (a shared pool of hundreds of connections would
    make the load generator, not the server, the bottleneck)."""
    async with httpx.AsyncClient(base_url=base, timeout=CLIENT_TIMEOUT,
                                 limits=BROWSER_LIMITS, verify=_tls_context()) as client:
        await _customer(client, chat, plan, desk, questions)


@functools.lru_cache(maxsize=1)
def _tls_context() -> ssl.SSLContext:
    """One for all customers: a client builds its own by default, loading the CA bundle
    (~35 ms each), which froze this event loop for seconds when 200 customers started."""
    return ssl.create_default_context()


async def _customer(client: httpx.AsyncClient, chat: Chat, plan: Plan, desk: Desk,
                    questions: tuple[list[str], list[str]]) -> None:
    rng = random.Random(plan.seed * 100_003 + chat.number)
    in_scope, out_of_scope = questions

    async def pause() -> None:
        await asyncio.sleep(rng.uniform(*plan.think))

    await asyncio.sleep(rng.uniform(0, plan.ramp))
    response = await client.post(f"{BASE}/conversations", json={})
    if response.status_code != 201:
        chat.errors.append(f"start HTTP {response.status_code}")
        return
    started = response.json()
    chat.conversation_id, chat.token = started["conversation"]["id"], started["token"]
    stream = asyncio.create_task(follow(client, chat))
    try:
        await pause()
        replies = await send(client, chat, rng.choice(in_scope))
        if chat.status == "bot":
            await pause()
            replies = await send(client, chat, rng.choice(FOLLOW_UPS))
        if chat.status == "bot":
            await pause()
            third = ("1" if replies and replies[-1]["kind"] == "choices"
                     else rng.choice(out_of_scope if rng.random() < OUT_OF_SCOPE_SHARE
                                     else in_scope))
            await send(client, chat, third)
        await pause()
        wants_person = rng.random() < plan.handoff_share
        if chat.status == "bot" and not wants_person:
            await send(client, chat, rng.choice(THANKS))
        if chat.status == "bot" and not wants_person:
            await _end(client, chat)
        else:  # asked for a person, or the assistant handed over by itself
            await _with_agent(client, chat, desk, pause)
        chat.completed = not chat.errors
    finally:
        await _until_stream_ended(chat)
        stream.cancel()


async def _end(client: httpx.AsyncClient, chat: Chat) -> None:
    response = await client.post(f"{chat.path}/end", headers=chat.headers)
    if response.status_code != 200:
        chat.errors.append(f"end HTTP {response.status_code}")


async def _with_agent(client: httpx.AsyncClient, chat: Chat, desk: Desk,
                      pause: Callable[[], Awaitable[None]]) -> None:
    """转人工 (unless the assistant already handed over), wait for the agent's message on
    the stream, answer it, wait for the close, rate."""
    handoff = desk.handoffs.setdefault(chat.conversation_id, Handoff())
    if chat.status == "bot":
        await send(client, chat, "转人工")
    chat.handed_off = True
    try:
        async with chat.changed:
            await asyncio.wait_for(chat.changed.wait_for(
                lambda: any(e["role"] == "agent" for e in chat.seen.values())),
                AGENT_PATIENCE_S)
    except TimeoutError:
        chat.errors.append("no agent message on the stream")
        return
    agent_seq = min(s for s, e in chat.seen.items() if e["role"] == "agent")
    if handoff.agent_sent_at:
        chat.agent_ms.append((chat.arrivals[agent_seq] - handoff.agent_sent_at) * 1000)
    await pause()
    await send(client, chat, "好的，谢谢")
    handoff.customer_answered.set()
    try:
        async with chat.changed:
            await asyncio.wait_for(chat.changed.wait_for(lambda: chat.stream_ended),
                                   AGENT_PATIENCE_S)
    except TimeoutError:
        chat.errors.append("the agent did not close")
        return
    response = await client.post(f"{chat.path}/rating", headers=chat.headers,
                                 json={"score": 5})
    if response.status_code != 200:
        chat.errors.append(f"rating HTTP {response.status_code}")


async def _until_stream_ended(chat: Chat) -> None:
    if chat.conversation_id and not chat.errors:
        try:
            async with chat.changed:
                await asyncio.wait_for(chat.changed.wait_for(lambda: chat.stream_ended),
                                       PATIENCE_S)
        except TimeoutError:
            chat.errors.append("the stream did not end after the close")


# --- the agent ------------------------------------------------------------------------------


async def agent(client: httpx.AsyncClient, desk: Desk, stop: asyncio.Event) -> None:
    """Polls the inbox like the agent's page; takes every waiting conversation."""
    taken: set[int] = set()
    while not stop.is_set():
        response = await client.get(f"{BASE}/inbox", headers=desk.headers)
        if response.status_code != 200:
            desk.errors.append(f"inbox HTTP {response.status_code}")
        else:
            for item in response.json()["waiting"]:
                conversation_id = item["conversation_id"]
                if conversation_id not in taken:
                    taken.add(conversation_id)
                    task = asyncio.create_task(_serve(client, desk, conversation_id))
                    desk.tasks.add(task)
                    task.add_done_callback(desk.tasks.discard)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), AGENT_POLL_S)


async def _serve(client: httpx.AsyncClient, desk: Desk, conversation_id: int) -> None:
    path = f"{BASE}/agent/conversations/{conversation_id}"
    handoff = desk.handoffs.setdefault(conversation_id, Handoff())
    response = await client.post(f"{path}/accept", headers=desk.headers)
    if response.status_code != 200:
        desk.errors.append(f"accept HTTP {response.status_code}")
        return
    handoff.agent_sent_at = time.perf_counter()
    response = await client.post(f"{path}/messages", headers=desk.headers,
                                 json={"text": AGENT_TEXT})
    if response.status_code != 201:
        desk.errors.append(f"agent message HTTP {response.status_code}")
        return
    try:
        await asyncio.wait_for(handoff.customer_answered.wait(), AGENT_PATIENCE_S)
    except TimeoutError:
        desk.errors.append("the customer did not answer the agent")
    response = await client.post(f"{path}/close", headers=desk.headers, json={
        "resolved": True, "category": "资费咨询", "first_contact_resolved": True})
    if response.status_code != 200:
        desk.errors.append(f"close HTTP {response.status_code}")


# --- checking the transcripts -----------------------------------------------------------------


@dataclass
class Check:
    lost: int = 0  # customer messages acknowledged but not in the transcript as sent
    duplicated: int = 0  # customer messages stored that no acknowledgement accounts for
    reply_mismatch: int = 0  # a reply the POST returned that the transcript lacks
    stream_missing: int = 0  # transcript messages the stream never delivered
    stream_duplicates: int = 0
    stream_out_of_order: int = 0


async def check(client: httpx.AsyncClient, chats: list[Chat]) -> Check:
    result = Check()
    for chat in chats:
        if not chat.conversation_id:
            continue
        response = await client.get(f"{chat.path}/messages", headers=chat.headers)
        response.raise_for_status()
        transcript = {m["seq"]: m for m in response.json()}
        result.lost += sum(1 for s, text in chat.acknowledged.items()
                           if transcript.get(s, {}).get("text") != text)
        result.duplicated += sum(1 for s, m in transcript.items()
                                 if m["role"] == "customer" and s not in chat.acknowledged)
        result.reply_mismatch += sum(1 for s, text in chat.posted.items()
                                     if transcript.get(s, {}).get("text") != text)
        result.stream_missing += sum(1 for s in transcript if s not in chat.seen)
        result.stream_duplicates += chat.stream_duplicates
        result.stream_out_of_order += chat.stream_out_of_order
    return result


# --- one run ----------------------------------------------------------------------------------


async def drive(base: str, plan: Plan, agent_headers: dict[str, str]
                ) -> tuple[list[Chat], Desk, Check, float, list[float]]:
    questions = load_questions()
    async with httpx.AsyncClient(base_url=base, limits=AGENT_LIMITS,
                                 timeout=CLIENT_TIMEOUT) as client:
        desk = Desk(agent_headers)
        stop = asyncio.Event()
        lags: list[float] = []
        lag_task = asyncio.create_task(loop_lag(lags, stop))
        agent_task = asyncio.create_task(agent(client, desk, stop))
        chats = [Chat(number) for number in range(plan.conversations)]
        started = time.perf_counter()
        tasks = [asyncio.create_task(customer(base, chat, plan, desk, questions))
                 for chat in chats]
        done, pending = await asyncio.wait(tasks, timeout=plan.max_seconds)
        for task in pending:
            chats[tasks.index(task)].errors.append("cut off (--max-seconds)")
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
        for task in done:
            if task.exception() is not None:
                chats[tasks.index(task)].errors.append(repr(task.exception()))
        elapsed = time.perf_counter() - started
        stop.set()
        await agent_task
        await lag_task
        for task in list(desk.tasks):
            task.cancel()
        return chats, desk, await check(client, chats), elapsed, lags


async def loop_lag(lags: list[float], stop: asyncio.Event, tick: float = 0.05) -> None:
    """How late this process's event loop wakes up (ms): when it is busy, latencies it
    measures include its own delay, and the load generator is the bottleneck."""
    while not stop.is_set():
        started = time.perf_counter()
        await asyncio.sleep(tick)
        lags.append((time.perf_counter() - started - tick) * 1000)


def percentile(values: list[float], share: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def _summary(values: list[float]) -> dict[str, float | None]:
    return {"p50": percentile(values, 0.50), "p95": percentile(values, 0.95),
            "p99": percentile(values, 0.99), "max": max(values, default=None),
            "mean": statistics.fmean(values) if values else None, "n": len(values)}


def measure(db: BenchDatabase, *, workers: int, redis_url: str | None, plan: Plan,
            workdir: Path) -> dict[str, Any]:
    prepared = prepare(db)
    agent_headers = {"Authorization": f"Bearer {prepared['agent_token']}"}
    env = {"SECI_REDIS_URL": redis_url} if redis_url else {}
    server = Server(db, workers=workers, env=env,
                    log=workdir / f"server-{db.kind}-{workers}.log")
    backends = _postgres_backends(db)
    try:
        warm_up(server.base, agent_headers, workers)
        # The bench process alone (the server is its child, accounted as "server").
        meter = CpuMeter({"server": server.pids, "db": backends,
                          "bench": lambda: [os.getpid()]})
        log_offset = len(server.log_lines())
        sessions = pg_sessions(db)
        meter.start()
        chats, desk, checked, elapsed, lags = asyncio.run(
            drive(server.base, plan, agent_headers))
        cpu: dict[str, Any] = dict(meter.stop())
        cpu["db_connections_opened"] = pg_sessions(db) - sessions
        failures = classify_errors(server.log_lines()[log_offset:])
    finally:
        server.stop()
    cpu["client_lag_ms"] = _summary(lags)
    return _result(db, workers, redis_url, plan, chats, desk, checked, elapsed, cpu,
                   failures)


def pg_sessions(db: BenchDatabase) -> float:
    """Connections ever opened to the bench database (PostgreSQL ≥ 14; 0 on SQLite)."""
    if db.kind != "postgres":
        return 0.0
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    admin = create_engine(DEFAULT_PG_URL, poolclass=NullPool)
    try:
        with admin.connect() as conn:
            found = conn.scalar(text("SELECT sessions FROM pg_stat_database "
                                     "WHERE datname = :n"),
                                {"n": make_url(db.url).database})
    finally:
        admin.dispose()
    return float(found or 0)


def _result(db: BenchDatabase, workers: int, redis_url: str | None, plan: Plan,
            chats: list[Chat], desk: Desk, checked: Check, elapsed: float,
            cpu: dict[str, Any], failures: dict[str, int]) -> dict[str, Any]:
    errors = Counter(e for chat in chats for e in chat.errors) + Counter(desk.errors)
    kinds: Counter[str] = Counter()
    for chat in chats:
        kinds.update(chat.kinds)
    customer_messages = sum(len(chat.sent) for chat in chats)
    result: dict[str, Any] = {
        "db": db.kind, "workers": workers, "bus": "redis" if redis_url else "in-process",
        "conversations": plan.conversations,
        "completed": sum(chat.completed for chat in chats),
        "handed_off": sum(chat.handed_off for chat in chats),
        "customer_messages": customer_messages,
        "replies": dict(kinds), "seconds": elapsed,
        "messages_per_s": customer_messages / elapsed if elapsed else 0.0,
        "post_ms": _summary([v for chat in chats for v in chat.post_ms]),
        "stream_ms": _summary([v for chat in chats for v in chat.stream_ms]),
        "agent_ms": _summary([v for chat in chats for v in chat.agent_ms]),
        "reply_not_on_stream": sum(chat.stream_missing for chat in chats),
        "check": vars(checked), "errors": dict(errors),
        "server_failures": failures, **cpu,
    }
    print(f"{db.kind:8} workers={workers} bus={result['bus']:10} "
          f"completed={result['completed']}/{plan.conversations} "
          f"msgs={customer_messages} ({result['messages_per_s']:.1f}/s) "
          f"post p95={_fmt(result['post_ms']['p95'])} "
          f"stream p95={_fmt(result['stream_ms']['p95'])} ms check={vars(checked)} "
          f"errors={dict(errors)} failures={failures} "
          f"server={cpu['server_cores']:.2f} db={cpu['db_cores']:.2f} "
          f"bench={cpu['bench_cores']:.2f} other={cpu['other_cores']:.2f} cores "
          f"client loop lag p95={_fmt(cpu['client_lag_ms']['p95'])} ms",
          file=sys.stderr, flush=True)
    return result


def _fmt(value: float | None) -> str:
    return "–" if value is None else f"{value:,.0f}"


# --- verdict and table --------------------------------------------------------------------------


def flawless(result: dict[str, Any]) -> bool:
    """Every conversation finished, nothing lost, twice or out of order, no error."""
    checked = result["check"]
    return (result["completed"] == result["conversations"] and not result["errors"]
            and result["reply_not_on_stream"] == 0
            and result["server_failures"].get("failed requests", 0) == 0
            and all(v == 0 for v in checked.values()))


def verdict(result: dict[str, Any]) -> str:
    if "skipped" in result:
        return "–"
    fast = all(result[key]["p95"] is not None and result[key]["p95"] < TARGET_P95_MS
               for key in ("post_ms", "stream_ms"))
    return "PASS" if fast and flawless(result) else "FAIL"


def _latency(summary: dict[str, float | None]) -> str:
    return " / ".join(_fmt(summary[k]) for k in ("p50", "p95", "p99"))


def _integrity(result: dict[str, Any]) -> str:
    c = result["check"]
    return (f"{c['lost']} / {c['duplicated']} / {c['reply_mismatch']} · stream "
            f"{c['stream_missing'] + result['reply_not_on_stream']} / "
            f"{c['stream_duplicates']} / {c['stream_out_of_order']}")


def _errors(result: dict[str, Any]) -> str:
    errors = {**result["errors"]}
    failed = result["server_failures"].get("failed requests", 0)
    if failed:
        errors["server-side failures"] = failed
    return "0" if not errors else "; ".join(f"{n}× {kind}" for kind, n in errors.items())


def table(results: list[dict[str, Any]]) -> str:
    rows = []
    for r in results:
        if "skipped" in r:
            rows.append((r["db"], r["workers"], r["bus"], "–", "–", "–", "–", "–", "–", "–",
                         "–", f"not run: {r['skipped']}", "–", "–"))
            continue
        replies = ", ".join(f"{kind} {n}" for kind, n in sorted(r["replies"].items()))
        rows.append((
            r["db"], r["workers"], r["bus"],
            f"{r['completed']} / {r['conversations']} ({r['handed_off']} handed off)",
            f"{r['customer_messages']:,} ({r['messages_per_s']:.1f}/s)", replies,
            _latency(r["post_ms"]), _latency(r["stream_ms"]), _latency(r["agent_ms"]),
            _integrity(r), _errors(r),
            f"{r['server_cores']:.2f} / {r['db_cores']:.2f} / {r['bench_cores']:.2f} / "
            f"{r['other_cores']:.2f}", f"{r['seconds']:.0f}", verdict(r)))
    return markdown_table(
        ("Database", "Workers", "Bus", "Conversations completed", "Customer messages",
         "Assistant replies", "POST reply ms p50 / p95 / p99",
         "Stream reply ms p50 / p95 / p99", "Agent → customer stream ms p50 / p95 / p99",
         "Lost / duplicated / reply mismatch · stream missing / twice / out of order",
         "Errors", "CPU server / DB / bench / other", "Run s", "Result"), rows)


# --- command line -------------------------------------------------------------------------------


def redis_reachable(url: str) -> str | None:
    """None when Redis answers, else why not."""
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except Exception as error:
        return f"no Redis at {url} ({type(error).__name__})"
    return None


def run(kind: str, *, plan: Plan, pg_workers: int, pg_url: str, redis_url: str
        ) -> dict[str, Any]:
    workers = 1 if kind == "sqlite" else pg_workers
    bus = None if kind == "sqlite" else (redis_url or None)
    if bus is not None and (reason := redis_reachable(bus)):
        return {"db": kind, "workers": workers, "bus": "redis", "skipped": reason}
    workdir = Path(tempfile.mkdtemp(prefix="seci_bench_assistant_"))
    with bench_database(kind, pg_url=pg_url) as db:
        return measure(db, workers=workers, redis_url=bus, plan=plan, workdir=workdir)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--db", choices=DB_CHOICES, default="all")
    parser.add_argument("--conversations", type=int, default=200)
    parser.add_argument("--think", default="2,6",
                        help="seconds a customer pauses between messages: min,max")
    parser.add_argument("--ramp", type=float, default=10.0,
                        help="customers start spread over this many seconds")
    parser.add_argument("--handoff-share", type=float, default=0.2,
                        help="share of customers who ask for a person at the end")
    parser.add_argument("--max-seconds", type=float, default=240.0,
                        help="conversations still running after this are cut off (fail)")
    parser.add_argument("--pg-workers", type=int, default=2,
                        help="uvicorn workers on PostgreSQL (with Redis)")
    parser.add_argument("--pg-url", default=DEFAULT_PG_URL)
    parser.add_argument("--redis-url", default=DEFAULT_REDIS_URL,
                        help="Redis of the PostgreSQL run; '' = in-process bus (one worker "
                             "only: with several, streams would see other workers' messages "
                             "only by polling)")
    parser.add_argument("--seed", type=int, default=20261124)
    parser.add_argument("--json-out")
    args = parser.parse_args(argv)
    low, high = (float(v) for v in args.think.split(","))
    plan = Plan(args.conversations, (low, high), args.ramp, args.handoff_share,
                args.max_seconds, args.seed)
    load_before = load_average()
    results = [run(kind, plan=plan, pg_workers=args.pg_workers, pg_url=args.pg_url,
                   redis_url=args.redis_url) for kind in databases(args.db)]
    print(table(results))
    write_json(args.json_out, {
        "conversations": plan.conversations, "think_s": list(plan.think), "ramp_s": plan.ramp,
        "handoff_share": plan.handoff_share, "max_seconds": plan.max_seconds,
        "seed": plan.seed, "target_p95_ms": TARGET_P95_MS, "results": results,
        "load_before": load_before, "load_after": load_average()})
    return 0 if all(verdict(r) in ("PASS", "–") for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
