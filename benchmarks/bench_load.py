"""A shift under load: agents searching and opening articles while customers chat.

The production set-up against the real processes, on loopback, for a bounded time:
``seci serve --workers N`` (PostgreSQL, ``SECI_REDIS_URL``) plus one ``seci worker``, and
the same at a lower level on the SQLite default (``seci serve``, one process, in-process
bus). One client process (asyncio + httpx) plays:

* ``--agents`` agents, sharing ``--users`` agent logins (each login once, ``POST /login``,
  and an API token made up front). Loop: a realistic Chinese query (the demo knowledge
  base's similar questions and the dev-set paraphrases of articles in the agent's
  queues) — on the search page (``/kb/search``, then ``/kb/search/open`` → 303 →
  ``/kb/articles/{id}``) or through the API (``/api/v1/search``, then
  ``/api/v1/articles/{id}``) — opening one hit, with think time before and after;
* ``--chats`` customer lines, each running chat after chat with the assistant (the
  customer of ``bench_assistant``: event stream, 3–5 messages with think time, sometimes
  转人工 answered by an agent desk polling the inbox), every transcript checked afterwards.

Every request is timed per route (method + path with ids as ``{id}``) from send to the
last byte of the body (event streams: to the response headers); every non-2xx/3xx answer,
unexpected redirect and connection error is counted and classified, and the server log is
read for failed requests and warnings. The RSS of every server process (and the
``seci worker``) is sampled every ``--sample`` seconds: memory is flat when each ends
within 15 % of its RSS after the first minute. CPU of the server, the worker, PostgreSQL,
this client and everything else on the machine is reported.

    .venv/bin/python -m benchmarks.bench_load --db all          # ~20 minutes
    .venv/bin/python -m benchmarks.bench_load --quick --db all  # harness check, ~4 minutes
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

from benchmarks.bench_assistant import (
    BROWSER_LIMITS,
    CLIENT_TIMEOUT,
    Chat,
    Desk,
    Plan,
    _customer,
    _tls_context,
    agent,
    check,
    load_questions,
    loop_lag,
    percentile,
    redis_reachable,
    warm_up,
)
from benchmarks.bench_pages import VENV_BIN, _free_port, classify_errors
from benchmarks.common import (
    DB_CHOICES,
    ROOT,
    BenchDatabase,
    CpuMeter,
    bench_database,
    databases,
    load_average,
    markdown_table,
    process_tree,
    write_json,
)

# The scratch databases are made from the server's maintenance database, never `test`.
DEFAULT_PG_ADMIN_URL = os.environ.get("SECI_BENCH_LOAD_POSTGRES_URL",
                                      "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
# rq's keys in a Redis database of their own, so that this run's `seci worker` takes no
# other benchmark's jobs (pub/sub channels are server-wide: do not run bench_assistant at
# the same time).
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/10"
PASSWORD = "bench-load-1234"
QUERIES = ROOT / "evaluation" / "dev" / "queries.jsonl"
DEMO_ARTICLES = ROOT / "src" / "seci" / "demo" / "articles.jsonl"
# The queue sets of the demo's three agents; bench agents take them in turn.
QUEUE_SETS: tuple[tuple[str, ...], ...] = (("A", "话费专席"), ("B", "数据专席"),
                                           ("VIP", "全球通", "投诉专席"))
PAGE_SHARE = 0.6  # agents' loops on the web pages; the rest through the API (CTI plug-in)
AGENT_LIMITS = httpx.Limits(max_connections=4, max_keepalive_connections=4,
                            keepalive_expiry=3.0)  # below uvicorn's 5 s keep-alive
OPEN_RESULT = re.compile(r'href="/kb/search/open\?article=(\d+)')
RSS_GROWTH_LIMIT = 0.15
CHAT_LIMIT_S = 240.0  # one conversation longer than this is cut off (an error)
DRAIN_LIMIT_S = 300.0
_ID_SEGMENT = re.compile(r"/\d+(?=/|$)")
_ACCESS_LINE = re.compile(r'"([A-Z]+) (\S+) HTTP/[\d.]+" (\d{3})')
_DIGITS = re.compile(r"\d+")
_CHILD_DIED = re.compile(r"Child process \[\d+\] died")
_INFO_RECORD = re.compile(r"\bINFO\b")


def route_of(method: str, path: str) -> str:
    """``GET /kb/articles/{id}`` for ``GET /kb/articles/17?x=1``."""
    return f"{method} {_ID_SEGMENT.sub('/{id}', path.split('?', 1)[0])}"


# --- what the client saw, per route -----------------------------------------------------------


@dataclass
class Recorder:
    started: float = field(default_factory=time.perf_counter)
    latency: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    statuses: dict[str, Counter[int]] = field(default_factory=lambda: defaultdict(Counter))
    errors: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    # (second since start, ms, failed) of every request, for the per-minute timeline
    events: list[tuple[float, float, bool]] = field(default_factory=list)
    bytes_in: int = 0
    enabled: bool = True

    def done(self, route: str, began: float, status: int | None, error: str | None,
             size: int = 0) -> None:
        if not self.enabled:
            return
        now = time.perf_counter()
        ms = (now - began) * 1000
        failed = error is not None or (status is not None and status >= 400)
        if status is not None:
            self.statuses[route][status] += 1
            self.latency[route].append(ms)
            if status >= 400:
                self.errors[route][f"HTTP {status}"] += 1
        if error is not None:
            self.errors[route][error] += 1
        self.bytes_in += size
        self.events.append((now - self.started, ms, failed))

    def flag(self, route: str, what: str) -> None:
        """An answer with a 2xx/3xx status that is still wrong (e.g. a redirect to /login)."""
        if self.enabled:
            self.errors[route][what] += 1
            self.events.append((time.perf_counter() - self.started, 0.0, True))


class RecordingTransport(httpx.AsyncBaseTransport):
    """Times every request to the end of its body (event streams: to the headers)."""

    def __init__(self, recorder: Recorder, limits: httpx.Limits) -> None:
        self.recorder = recorder
        self.inner = httpx.AsyncHTTPTransport(verify=_tls_context(), limits=limits)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        route = route_of(request.method, request.url.path)
        began = time.perf_counter()
        try:
            response = await self.inner.handle_async_request(request)
            if request.url.path.endswith("/events"):
                self.recorder.done(route, began, response.status_code, None)
                return response
            try:  # the body as sent (still encoded): the client decodes it
                body = b"".join([chunk async for chunk in response.aiter_raw()])
            finally:
                await response.aclose()
        except (httpx.HTTPError, OSError) as error:
            self.recorder.done(route, began, None, type(error).__name__)
            raise
        self.recorder.done(route, began, response.status_code, None, len(body))
        return httpx.Response(response.status_code, headers=response.headers, content=body,
                              extensions=response.extensions, request=request)

    async def aclose(self) -> None:
        await self.inner.aclose()


def client(base: str, recorder: Recorder, limits: httpx.Limits, **kwargs: Any
           ) -> httpx.AsyncClient:
    return httpx.AsyncClient(base_url=base, timeout=CLIENT_TIMEOUT,
                             transport=RecordingTransport(recorder, limits), **kwargs)


# --- preparation ------------------------------------------------------------------------------


@dataclass(frozen=True)
class AgentUser:
    username: str
    token: str
    queue_set: int


def prepare(db: BenchDatabase, *, users: int) -> tuple[list[AgentUser], str]:
    """Migrate, load the demo hotline, add ``users`` agents (the demo agents' queue sets in
    turn) with an API token each, and a desk agent of every queue for the hand-offs."""
    from seci.accounts import service as accounts
    from seci.accounts.roles import Role
    from seci.core.db import build_engine
    from seci.core.migrate import upgrade
    from seci.demo.loader import load_demo

    upgrade(db.url)
    engine = build_engine(db.url)
    made: list[AgentUser] = []
    try:
        with Session(engine) as session:
            load_demo(session)
            queues = {q.code: q.id for q in accounts.list_queues(session)}
            for number in range(users):
                queue_set = number % len(QUEUE_SETS)
                user = accounts.create_user(
                    session, username=f"bench_agent_{number:03d}", password=PASSWORD,
                    roles=[Role.AGENT], queue_ids=[queues[c] for c in QUEUE_SETS[queue_set]])
                made.append(AgentUser(user.username, accounts.issue_api_token(
                    session, user=user, name="load bench"), queue_set))
            desk = accounts.create_user(session, username="bench_desk", password=PASSWORD,
                                        roles=[Role.AGENT], queue_ids=list(queues.values()))
            desk_token = accounts.issue_api_token(session, user=desk, name="load bench desk")
            session.commit()
    finally:
        engine.dispose()
    return made, desk_token


def agent_queries() -> list[list[str]]:
    """Per queue set: the similar questions of the demo articles in those queues and the
    dev-set queries (paraphrases, keywords, typos, traditional characters) expecting one."""
    articles = [json.loads(line) for line in DEMO_ARTICLES.read_text().splitlines()
                if line.strip()]
    dev = [json.loads(line) for line in QUERIES.read_text().splitlines() if line.strip()]
    pools: list[list[str]] = []
    for codes in QUEUE_SETS:
        mine = {a["code"]: a for a in articles if set(a.get("queues", [])) & set(codes)}
        pool = [q for a in mine.values() for q in a.get("similar_questions", [])]
        pool += [row["query"] for row in dev if row.get("expected") in mine]
        pools.append(pool)
    return pools


# --- the processes under test -----------------------------------------------------------------


class Process:
    """A ``seci`` command in its own process group, its output in a log file."""

    def __init__(self, args: list[str], *, db: BenchDatabase, env: dict[str, str],
                 log: Path) -> None:
        environment = dict(os.environ, SECI_DATA_DIR=str(db.data_dir),
                           SECI_DATABASE_URL=db.url, **env)
        environment.pop("SECI_LOG_FORMAT", None)
        self.log = log
        self._log_file = log.open("w")
        # cwd = the data dir, so that no stray .env of the checkout is read.
        self.process = subprocess.Popen([str(VENV_BIN / "seci"), *args], cwd=db.data_dir,
                                        env=environment, stdout=self._log_file,
                                        stderr=subprocess.STDOUT, start_new_session=True)

    def pids(self) -> list[int]:
        return process_tree(self.process.pid) if self.process.poll() is None else []

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self._log_file.close()

    def log_lines(self) -> list[str]:
        return self.log.read_text(errors="replace").splitlines()


def start_server(db: BenchDatabase, *, workers: int, env: dict[str, str], log: Path
                 ) -> tuple[Process, str]:
    port = _free_port()
    server = Process(["serve", "--workers", str(workers), "--host", "127.0.0.1",
                      "--port", str(port)], db=db, env=env, log=log)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"server exited: {log.read_text()[-2000:]}")
        started = sum("Application startup complete" in line for line in server.log_lines())
        try:
            if httpx.get(f"{base}/login", timeout=2).status_code == 200 and (
                    workers == 1 or started >= workers):
                return server, base
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    server.stop()
    raise RuntimeError(f"server did not start within 180 s: {log.read_text()[-2000:]}")


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(
            errors="replace")
    except OSError:
        return ""


def server_processes(server: Process) -> dict[int, str]:
    """pid → role: the ``seci serve`` process (uvicorn's supervisor with several workers)
    and its worker processes (uvicorn spawns them via multiprocessing)."""
    found: dict[int, str] = {}
    for pid in server.pids():
        if pid == server.process.pid:
            found[pid] = "seci serve"
        elif "resource_tracker" in _cmdline(pid):
            found[pid] = "resource tracker"
        else:
            found[pid] = "uvicorn worker"
    return found


def rss_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


class RssSampler(threading.Thread):
    """RSS of the server's processes and the worker every ``every`` seconds (a thread, so
    that a busy event loop does not delay the samples)."""

    def __init__(self, sources: Callable[[], dict[int, str]], every: float) -> None:
        super().__init__(daemon=True)
        self.sources = sources
        self.every = every
        self.samples: list[dict[str, Any]] = []
        self.roles: dict[int, str] = {}
        self._halt = threading.Event()
        self._t0 = time.perf_counter()

    def sample(self) -> None:
        processes = self.sources()
        self.roles.update(processes)
        rss = {pid: value for pid in processes if (value := rss_mb(pid)) is not None}
        self.samples.append({"t": time.perf_counter() - self._t0, "rss_mb": rss,
                             "load": load_average()})

    def run(self) -> None:
        self._t0 = time.perf_counter()
        self.sample()
        while not self._halt.wait(self.every):
            self.sample()

    def finish(self) -> None:
        self._halt.set()
        self.join()
        self.sample()


# --- the simulated people ---------------------------------------------------------------------


@dataclass(frozen=True)
class Load:
    agents: int
    chats: int
    duration: float
    ramp: float
    think: tuple[float, float]
    chat_think: tuple[float, float]
    handoff_share: float
    seed: int


@dataclass
class Shared:
    base: str
    load: Load
    recorder: Recorder
    users: list[AgentUser]
    pools: list[list[str]]
    deadline: float  # time.monotonic() when no new search or chat starts
    sessions: dict[str, asyncio.Task[str | None]] = field(default_factory=dict)
    loops: Counter[str] = field(default_factory=Counter)
    agent_errors: Counter[str] = field(default_factory=Counter)
    chats: list[Chat] = field(default_factory=list)


async def _login(shared: Shared, user: AgentUser) -> str | None:
    """The agent logs in on the login page once; its simulated colleagues share it."""
    async with client(shared.base, shared.recorder, AGENT_LIMITS) as browser:
        try:
            response = await browser.post("/login", data={"username": user.username,
                                                          "password": PASSWORD})
        except httpx.HTTPError:
            return None
        cookie = response.cookies.get("seci_session")
        if response.status_code != 303 or not cookie:
            if response.status_code < 400:
                shared.recorder.flag("POST /login", f"no session ({response.status_code})")
            return None
        return cookie


async def agent_loop(number: int, shared: Shared) -> None:
    rng = random.Random(shared.load.seed * 7919 + number)
    user = shared.users[number % len(shared.users)]
    pool = shared.pools[user.queue_set]
    await asyncio.sleep(rng.uniform(0, shared.load.ramp))
    if user.username not in shared.sessions:
        shared.sessions[user.username] = asyncio.create_task(_login(shared, user))
    cookie = await shared.sessions[user.username]
    if cookie is None:
        shared.loops["agent without a session"] += 1
        return
    bearer = {"Authorization": f"Bearer {user.token}"}

    async def think() -> None:
        await asyncio.sleep(rng.uniform(*shared.load.think))

    async with client(shared.base, shared.recorder, AGENT_LIMITS,
                      cookies={"seci_session": cookie},
                      headers={"Accept-Language": "zh-CN"}) as browser:
        while time.monotonic() < shared.deadline:
            query = rng.choice(pool)
            try:
                if rng.random() < PAGE_SHARE:
                    await _page_loop(browser, shared, rng, query, think)
                else:
                    await _api_loop(browser, shared, rng, query, bearer, think)
            except httpx.HTTPError:  # recorded by the transport; the agent carries on
                shared.loops["loops broken by a connection error"] += 1
            except (ValueError, KeyError, TypeError) as error:  # e.g. a malformed answer
                shared.agent_errors[f"{type(error).__name__}: {str(error)[:80]}"] += 1
            await think()


def _pick(rng: random.Random, ids: list[int]) -> int:
    return ids[0] if rng.random() < 0.7 or len(ids) == 1 else rng.choice(ids[:3])


async def _page_loop(browser: httpx.AsyncClient, shared: Shared, rng: random.Random,
                     query: str, think: Callable[[], Any]) -> None:
    response = await browser.get("/kb/search", params={"q": query})
    if response.status_code != 200:
        _unexpected(shared, "GET /kb/search", response)
        return
    ids = [int(i) for i in dict.fromkeys(OPEN_RESULT.findall(response.text))]
    shared.loops["page searches"] += 1
    if not ids:
        shared.loops["page searches without a hit"] += 1
        return
    await think()
    if time.monotonic() >= shared.deadline:
        return
    response = await browser.get("/kb/search/open", params={"article": _pick(rng, ids),
                                                            "q": query})
    location = response.headers.get("location", "")
    if response.status_code != 303 or not location.startswith("/kb/articles/"):
        _unexpected(shared, "GET /kb/search/open", response)
        return
    response = await browser.get(location)
    if response.status_code != 200 or 'name="password"' in response.text:
        _unexpected(shared, "GET /kb/articles/{id}", response)
        return
    shared.loops["page articles opened"] += 1


async def _api_loop(browser: httpx.AsyncClient, shared: Shared, rng: random.Random,
                    query: str, bearer: dict[str, str], think: Callable[[], Any]) -> None:
    response = await browser.get("/api/v1/search", params={"q": query}, headers=bearer)
    if response.status_code != 200:
        _unexpected(shared, "GET /api/v1/search", response)
        return
    ids = [hit["article_id"] for hit in response.json()["hits"]]
    shared.loops["API searches"] += 1
    if not ids:
        shared.loops["API searches without a hit"] += 1
        return
    await think()
    if time.monotonic() >= shared.deadline:
        return
    response = await browser.get(f"/api/v1/articles/{_pick(rng, ids)}", headers=bearer)
    if response.status_code != 200:
        _unexpected(shared, "GET /api/v1/articles/{id}", response)
        return
    shared.loops["API articles opened"] += 1


def _unexpected(shared: Shared, route: str, response: httpx.Response) -> None:
    if response.status_code < 400:  # 4xx/5xx are counted by the transport already
        where = response.headers.get("location", "")
        shared.recorder.flag(route, f"unexpected {response.status_code}"
                             + (f" → {where.split('?')[0]}" if where else ""))


async def customer_line(number: int, shared: Shared, desk: Desk,
                        questions: tuple[list[str], list[str]]) -> None:
    """One chat line: customer after customer until the deadline; each chat is the
    conversation of bench_assistant (its stream open throughout, checked afterwards)."""
    load = shared.load
    chat_number = 0
    while time.monotonic() < shared.deadline:
        # The first customer of each line arrives within the ramp, the next one 0–3 s
        # after the previous chat ended.
        plan = Plan(1, load.chat_think, load.ramp if chat_number == 0 else 3.0,
                    load.handoff_share, CHAT_LIMIT_S, load.seed)
        chat = Chat(number * 10_000 + chat_number)
        shared.chats.append(chat)
        chat_number += 1
        async with client(shared.base, shared.recorder, BROWSER_LIMITS) as browser:
            try:
                await asyncio.wait_for(_customer(browser, chat, plan, desk, questions),
                                       CHAT_LIMIT_S)
            except TimeoutError:
                chat.errors.append(f"conversation cut off after {CHAT_LIMIT_S:.0f} s")
            except httpx.HTTPError as error:  # recorded by the transport too
                chat.errors.append(f"conversation broken: {type(error).__name__}")
            except Exception as error:  # e.g. a malformed answer: counted, the line goes on
                chat.errors.append(f"conversation broken: {type(error).__name__}: "
                                   f"{str(error)[:80]}")


async def drive(base: str, load: Load, users: list[AgentUser], desk_token: str,
                sampler: RssSampler) -> dict[str, Any]:
    recorder = Recorder()
    started = time.monotonic()
    shared = Shared(base, load, recorder, users, agent_queries(),
                    deadline=started + load.duration)
    questions = load_questions()
    stop = asyncio.Event()
    lags: list[float] = []
    lag_task = asyncio.create_task(loop_lag(lags, stop))
    sampler.start()
    async with client(base, recorder, httpx.Limits(max_connections=40,
                                                   max_keepalive_connections=40,
                                                   keepalive_expiry=2.0)) as desk_client:
        desk = Desk({"Authorization": f"Bearer {desk_token}"})
        desk_task = asyncio.create_task(agent(desk_client, desk, stop))
        tasks = [asyncio.create_task(agent_loop(n, shared)) for n in range(load.agents)]
        tasks += [asyncio.create_task(customer_line(n, shared, desk, questions))
                  for n in range(load.chats)]
        done, pending = await asyncio.wait(tasks, timeout=load.duration + DRAIN_LIMIT_S)
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
        crashed = Counter(repr(task.exception())[:120] for task in done
                          if task.exception() is not None)
        load_seconds = time.monotonic() - started
        stop.set()
        await desk_task
        for task in list(desk.tasks):
            task.cancel()
        await asyncio.gather(*desk.tasks, return_exceptions=True)
    await lag_task
    sampler.finish()
    recorder.enabled = False
    checked = await _check_all(base, shared.chats)
    return {"recorder": recorder, "shared": shared, "desk": desk, "checked": checked,
            "seconds": load_seconds, "lags": lags, "crashed": crashed,
            "cut_off": len(pending)}


async def _check_all(base: str, chats: list[Chat], parallel: int = 8) -> dict[str, int]:
    """bench_assistant's transcript check, in ``parallel`` slices (not measured)."""
    async with httpx.AsyncClient(base_url=base, timeout=CLIENT_TIMEOUT) as checker:
        found = await asyncio.gather(*(check(checker, chats[i::parallel])
                                       for i in range(parallel)))
    total: Counter[str] = Counter()
    for result in found:
        total.update(vars(result))
    return {key: total.get(key, 0) for key in vars(found[0])}


# --- one run ----------------------------------------------------------------------------------


def wait_for_quiet(limit: float, minutes: float) -> dict[str, Any]:
    """Wait (checking every minute) until the 1-minute load average is at most ``limit``,
    for at most ``minutes``; then run anyway."""
    waited = 0.0
    first = load_average()
    while float(load_average().split()[0]) > limit and waited < minutes * 60:
        print(f"load average {load_average()} > {limit:g}: waiting "
              f"({waited / 60:.0f} of {minutes:g} min)", file=sys.stderr, flush=True)
        time.sleep(60)
        waited += 60
    return {"load_first_seen": first, "waited_s": waited}


def _pg_backends(db: BenchDatabase, admin_url: str) -> Callable[[], list[int]]:
    if db.kind != "postgres":
        return lambda: []
    name = make_url(db.url).database
    admin = create_engine(admin_url, poolclass=NullPool)

    def pids() -> list[int]:
        with admin.connect() as conn:
            rows = conn.execute(text("SELECT pid FROM pg_stat_activity WHERE datname = :n"),
                                {"n": name})
            return [int(r[0]) for r in rows]

    return pids


def _clear_rq(redis_url: str) -> None:
    import redis

    connection = redis.Redis.from_url(redis_url)
    keys = list(connection.scan_iter("rq:*"))
    if keys:
        connection.delete(*keys)


def measure(db: BenchDatabase, *, load: Load, workers: int, redis_url: str | None,
            users: int, sample_every: float, admin_url: str, workdir: Path,
            quiet: dict[str, Any]) -> dict[str, Any]:
    prep_started = time.monotonic()
    agent_users, desk_token = prepare(db, users=users)
    prepared_s = time.monotonic() - prep_started
    env = {"SECI_REDIS_URL": redis_url} if redis_url else {}
    if redis_url:
        _clear_rq(redis_url)
    server, base = start_server(db, workers=workers, env=env,
                                log=workdir / f"server-{db.kind}.log")
    worker = (Process(["worker"], db=db, env=env, log=workdir / f"worker-{db.kind}.log")
              if redis_url else None)
    backends = _pg_backends(db, admin_url)
    try:
        warm_up(base, {"Authorization": f"Bearer {agent_users[0].token}"}, workers)

        def watched() -> dict[int, str]:
            found = server_processes(server)
            if worker is not None:
                found.update({pid: "seci worker" for pid in worker.pids()})
            return found

        sampler = RssSampler(watched, sample_every)
        meter = CpuMeter({"server": server.pids,
                          "worker": worker.pids if worker else (lambda: []),
                          "db": backends, "client": lambda: [os.getpid()]})
        log_offset = len(server.log_lines())
        load_before = load_average()
        meter.start()
        outcome = asyncio.run(drive(base, load, agent_users, desk_token, sampler))
        cpu = meter.stop()
        load_after = load_average()
        server_log = server.log_lines()[log_offset:]
        startup_deaths = server_log_summary(server.log_lines()[:log_offset])["workers_died"]
        worker_log = worker.log_lines() if worker else []
        alive = server.process.poll() is None and (
            worker is None or worker.process.poll() is None)
    finally:
        server.stop()
        if worker is not None:
            worker.stop()
        if redis_url:
            _clear_rq(redis_url)
    return summarise(db.kind, load=load, workers=workers, redis=bool(redis_url),
                     users=users, outcome=outcome, cpu=cpu, sampler=sampler,
                     server_log=server_log, worker_log=worker_log, alive=alive,
                     prepared_s=prepared_s, load_before=load_before, load_after=load_after,
                     quiet=quiet, workdir=workdir, startup_deaths=startup_deaths)


# --- figures ----------------------------------------------------------------------------------


def _stats(values: list[float]) -> dict[str, float | None]:
    return {"n": len(values), "p50": percentile(values, 0.50),
            "p95": percentile(values, 0.95), "p99": percentile(values, 0.99),
            "max": max(values, default=None)}


def server_log_summary(lines: list[str]) -> dict[str, Any]:
    """Failed requests (tracebacks), answers ≥ 400 from the access log by route, and any
    other warning or error line (digits folded), from a server or worker log."""
    statuses: dict[str, Counter[str]] = defaultdict(Counter)
    notes: Counter[str] = Counter()
    in_traceback = False
    died = 0
    for line in lines:
        if _CHILD_DIED.search(line):  # uvicorn's supervisor killed an unresponsive worker
            died += 1
            continue
        access = _ACCESS_LINE.search(line)
        if access and line.startswith("INFO:"):
            status = int(access.group(3))
            if status >= 400:
                statuses[route_of(access.group(1), access.group(2))][str(status)] += 1
            continue
        if line.startswith(("Traceback", "ERROR:    Exception in ASGI")):
            in_traceback = True
            continue
        if in_traceback and (line.startswith((" ", "During handling", "The above"))
                             or not line.strip()):
            continue
        if in_traceback:  # the exception line ends the traceback
            in_traceback = False
            continue
        if line.startswith("INFO:") or _INFO_RECORD.search(line[:40]) or not line.strip():
            continue
        notes[_DIGITS.sub("N", line.strip())[:160]] += 1
    failures = classify_errors(lines)
    return {"failed_requests": failures.pop("failed requests", 0), "exceptions": failures,
            "status_by_route": {r: dict(c) for r, c in statuses.items()},
            "workers_died": died, "notes": dict(notes.most_common(12))}


def rss_summary(sampler: RssSampler, baseline_t: float) -> list[dict[str, Any]]:
    """Per process: RSS at the start, after the first minute (baseline), at the end, the
    maximum, and the slope after the baseline (least squares, MB per minute)."""
    rows = []
    for pid, role in sorted(sampler.roles.items(), key=lambda item: (item[1], item[0])):
        points = [(s["t"], s["rss_mb"][pid]) for s in sampler.samples if pid in s["rss_mb"]]
        if not points:
            continue
        base_point = next((p for p in points if p[0] >= baseline_t - 1), points[-1])
        later = [p for p in points if p[0] >= base_point[0]]
        rows.append({
            "pid": pid, "role": role, "start_mb": points[0][1], "baseline_mb": base_point[1],
            "baseline_s": base_point[0], "end_mb": points[-1][1],
            "max_mb": max(v for _, v in points), "samples": len(points),
            "slope_mb_per_min": _slope(later) * 60,
            "growth": points[-1][1] / base_point[1] - 1 if base_point[1] else 0.0,
            "present_at_end": pid in sampler.samples[-1]["rss_mb"],
            "present_at_start": pid in sampler.samples[0]["rss_mb"],
        })
    return rows


def _slope(points: list[tuple[float, float]]) -> float:
    if len(points) < 2:
        return 0.0
    mean_t = sum(t for t, _ in points) / len(points)
    mean_v = sum(v for _, v in points) / len(points)
    spread = sum((t - mean_t) ** 2 for t, _ in points)
    return sum((t - mean_t) * (v - mean_v) for t, v in points) / spread if spread else 0.0


def timeline(events: list[tuple[float, float, bool]], seconds: float, step: float = 60.0
             ) -> list[dict[str, Any]]:
    rows = []
    start = 0.0
    while start < seconds:
        inside = [e for e in events if start <= e[0] < start + step]
        width = min(step, seconds - start)
        ms = [e[1] for e in inside if e[1]]
        rows.append({"from_s": start, "to_s": start + width, "requests": len(inside),
                     "per_s": len(inside) / width if width else 0.0,
                     "p50": percentile(ms, 0.5), "p95": percentile(ms, 0.95),
                     "failed": sum(1 for e in inside if e[2])})
        start += step
    return rows


def offered_rate(load: Load) -> float:
    """Requests per second the simulated people would send if every answer were instant."""
    think = sum(load.think) / 2
    # A loop: search, think, open (pages: open → article), think.
    agents = load.agents * (PAGE_SHARE * 3 + (1 - PAGE_SHARE) * 2) / (2 * think)
    chat_think = sum(load.chat_think) / 2
    # A chat: start, stream, 4 messages, the end (or rating): ~7 requests, 4 pauses, then
    # 0–3 s until the next customer; the desk polls its inbox twice a second.
    chats = load.chats * 7 / (4 * chat_think + 1.5) + 2
    return agents + chats


def summarise(kind: str, *, load: Load, workers: int, redis: bool, users: int,
              outcome: dict[str, Any], cpu: dict[str, float], sampler: RssSampler,
              server_log: list[str], worker_log: list[str], alive: bool, prepared_s: float,
              load_before: str, load_after: str, quiet: dict[str, Any], workdir: Path,
              startup_deaths: int) -> dict[str, Any]:
    recorder: Recorder = outcome["recorder"]
    shared: Shared = outcome["shared"]
    desk: Desk = outcome["desk"]
    seconds: float = outcome["seconds"]
    routes: dict[str, dict[str, Any]] = {}
    for route in sorted(set(recorder.statuses) | set(recorder.errors)):
        values = recorder.latency.get(route, [])
        routes[route] = {**_stats(values), "per_s": len(values) / seconds,
                         "statuses": {str(s): n for s, n in
                                      sorted(recorder.statuses.get(route, Counter()).items())},
                         "errors": dict(recorder.errors.get(route, Counter()))}
    chats: list[Chat] = shared.chats
    conversation_errors = Counter(e for chat in chats for e in chat.errors)
    conversation_errors.update(desk.errors)
    conversation_errors.update({f"agent: {k}": n for k, n in shared.agent_errors.items()})
    conversation_errors.update({f"client task crashed: {k}": n
                                for k, n in outcome["crashed"].items()})
    if outcome["cut_off"]:
        conversation_errors[f"tasks still running after the {DRAIN_LIMIT_S:.0f} s drain"] += (
            outcome["cut_off"])
    stream_ms = [v for chat in chats for v in chat.stream_ms]
    agent_ms = [v for chat in chats for v in chat.agent_ms]
    baseline_t = min(60.0, load.duration / 2)
    server_side = server_log_summary(server_log)
    total_requests = sum(r["n"] for r in routes.values())
    result: dict[str, Any] = {
        "db": kind, "workers": workers, "bus": "redis" if redis else "in-process",
        "seci_worker": redis, "agents": load.agents, "users": users, "chats": load.chats,
        "duration_s": load.duration, "ramp_s": load.ramp, "think_s": list(load.think),
        "chat_think_s": list(load.chat_think), "handoff_share": load.handoff_share,
        "prepared_s": prepared_s, "seconds": seconds,
        "offered_per_s": offered_rate(load),
        "requests": total_requests, "per_s": total_requests / seconds,
        "received_mb": recorder.bytes_in / 1e6,
        "routes": routes, "loops": dict(shared.loops),
        "conversations": len(chats),
        "conversations_completed": sum(chat.completed for chat in chats),
        "conversations_handed_off": sum(chat.handed_off for chat in chats),
        "customer_messages": sum(len(chat.sent) for chat in chats),
        "reply_on_stream_ms": _stats(stream_ms), "agent_to_customer_ms": _stats(agent_ms),
        "reply_not_on_stream": sum(chat.stream_missing for chat in chats),
        "check": outcome["checked"], "conversation_errors": dict(conversation_errors),
        "server_log": server_side, "worker_log": server_log_summary(worker_log),
        "processes_alive_at_end": alive, "workers_died_at_startup": startup_deaths,
        "rss": rss_summary(sampler, baseline_t), "rss_samples": sampler.samples,
        "rss_baseline_s": baseline_t, "sample_every_s": sampler.every,
        "timeline": timeline(recorder.events, seconds),
        "client_lag_ms": _stats(outcome["lags"]), **cpu,
        "load_before": load_before, "load_after": load_after, **quiet,
        "logs": str(workdir),
    }
    result["errors"] = error_count(result)
    result["memory_flat"] = memory_flat(result)
    print(f"{kind:8} workers={workers} agents={load.agents} chats={load.chats} "
          f"requests={total_requests} ({result['per_s']:.0f}/s, offered "
          f"~{result['offered_per_s']:.0f}/s) errors={result['errors']} "
          f"memory flat={result['memory_flat']} server={cpu['server_cores']:.2f} "
          f"worker={cpu['worker_cores']:.2f} db={cpu['db_cores']:.2f} "
          f"client={cpu['client_cores']:.2f} other={cpu['other_cores']:.2f} cores; "
          f"logs in {workdir}", file=sys.stderr, flush=True)
    return result


def error_count(result: dict[str, Any]) -> int:
    """Everything that went wrong: answers ≥ 400, connection errors and unexpected
    answers (client), conversation errors and transcript faults, failed requests in the
    server log, server workers killed and restarted during the run, and processes that
    had exited at the end."""
    client = sum(sum(r["errors"].values()) for r in result["routes"].values())
    conversations = sum(result["conversation_errors"].values())
    integrity = sum(result["check"].values()) + result["reply_not_on_stream"]
    server = (result["server_log"]["failed_requests"] + result["worker_log"]["failed_requests"]
              + result["server_log"]["workers_died"])
    return int(client + conversations + integrity + server
               + (0 if result["processes_alive_at_end"] else 1))


def memory_flat(result: dict[str, Any]) -> bool:
    rows = [r for r in result["rss"] if r["role"] != "resource tracker"]
    return bool(rows) and all(r["present_at_end"] and r["growth"] <= RSS_GROWTH_LIMIT
                              for r in rows)


def verdict(result: dict[str, Any]) -> str:
    if "skipped" in result:
        return "–"
    return "PASS" if result["errors"] == 0 and result["memory_flat"] else "FAIL"


# --- tables -----------------------------------------------------------------------------------


def _fmt(value: float | None, digits: int = 0) -> str:
    return "–" if value is None else f"{value:,.{digits}f}"


def summary_table(results: list[dict[str, Any]]) -> str:
    rows = []
    for r in results:
        if "skipped" in r:
            rows.append((r["db"], f"not run: {r['skipped']}", *("–",) * 9))
            continue
        rows.append((
            r["db"],
            f"{r['workers']} worker(s), {r['bus']} bus"
            + (", 1 `seci worker`" if r["seci_worker"] else ""),
            f"{r['agents']} agents ({r['users']} logins) + {r['chats']} chat lines, "
            f"{r['duration_s'] / 60:g} min",
            f"{r['requests']:,} in {r['seconds']:.0f} s",
            f"{r['per_s']:.0f} (offered ~{r['offered_per_s']:.0f})",
            f"{r['conversations_completed']:,} / {r['conversations']:,} "
            f"({r['conversations_handed_off']} handed off)",
            str(r["errors"]),
            "yes" if r["memory_flat"] else "no",
            f"{r['server_cores']:.2f} / {r['worker_cores']:.2f} / {r['db_cores']:.2f} / "
            f"{r['client_cores']:.2f} / {r['other_cores']:.2f}",
            f"{r['load_before']} → {r['load_after']}",
            verdict(r)))
    return markdown_table(("Database", "Server", "Load", "Requests", "Requests/s",
                           "Chats completed", "Errors", "Memory flat",
                           "CPU server / worker / DB / client / other", "Load average",
                           "Result"), rows)


def route_table(result: dict[str, Any]) -> str:
    rows = []
    for route, r in result["routes"].items():
        errors = "; ".join(f"{n}× {k}" for k, n in r["errors"].items()) or "0"
        statuses = ", ".join(f"{s}: {n:,}" for s, n in r["statuses"].items())
        rows.append((f"`{route}`", f"{r['n']:,}", f"{r['per_s']:.1f}",
                     f"{_fmt(r['p50'])} / {_fmt(r['p95'])} / {_fmt(r['p99'])}",
                     _fmt(r["max"]), statuses, errors))
    for label, key in (("assistant reply on the customer's stream", "reply_on_stream_ms"),
                       ("agent's message on the customer's stream", "agent_to_customer_ms")):
        s = result[key]
        rows.append((f"*{label}*", f"{s['n']:,}", "–",
                     f"{_fmt(s['p50'])} / {_fmt(s['p95'])} / {_fmt(s['p99'])}",
                     _fmt(s["max"]), "–", "–"))
    return markdown_table(("Route", "Requests", "Per s", "ms p50 / p95 / p99", "Max ms",
                           "Statuses", "Errors"), rows)


def rss_table(result: dict[str, Any]) -> str:
    rows = []
    for r in result["rss"]:
        rows.append((f"{r['role']} ({r['pid']})", _fmt(r["start_mb"]),
                     f"{_fmt(r['baseline_mb'])} ({r['baseline_s']:.0f} s)", _fmt(r["end_mb"]),
                     _fmt(r["max_mb"]), f"{r['growth']:+.1%}",
                     f"{r['slope_mb_per_min']:+.2f}",
                     "" if r["present_at_end"] else "gone before the end"))
    return markdown_table(("Process", "RSS start MB", "After the first minute MB",
                           "End MB", "Max MB", "End vs first minute",
                           "Slope MB/min (after the first minute)", "Note"), rows)


def timeline_table(result: dict[str, Any]) -> str:
    rows = [(f"{t['from_s'] / 60:.0f}–{t['to_s'] / 60:.1f}", f"{t['requests']:,}",
             f"{t['per_s']:.0f}", f"{_fmt(t['p50'])} / {_fmt(t['p95'])}", t["failed"])
            for t in result["timeline"]]
    return markdown_table(("Minute", "Requests", "Per s", "ms p50 / p95 (all routes)",
                           "Failed"), rows)


def problems(result: dict[str, Any]) -> list[str]:
    """Sentences about everything that went wrong (empty when nothing did)."""
    lines = []
    for route, r in result["routes"].items():
        for kind, n in r["errors"].items():
            lines.append(f"`{route}`: {n}× {kind} (client)")
    for kind, n in result["conversation_errors"].items():
        lines.append(f"conversations: {n}× {kind}")
    bad = {k: v for k, v in result["check"].items() if v}
    if bad or result["reply_not_on_stream"]:
        lines.append(f"transcripts: {bad}, replies not on the stream: "
                     f"{result['reply_not_on_stream']}")
    for name in ("server_log", "worker_log"):
        log = result[name]
        who = "server" if name == "server_log" else "`seci worker`"
        if log["failed_requests"]:
            lines.append(f"{who} log: {log['failed_requests']} failed request(s): "
                         + "; ".join(f"{n}× {k}" for k, n in log["exceptions"].items()))
        for route, statuses in log["status_by_route"].items():
            lines.append(f"{who} access log: `{route}` "
                         + ", ".join(f"{n}× {s}" for s, n in statuses.items()))
        for note, n in log["notes"].items():
            lines.append(f"{who} log: {n}× `{note}`")
    if result["server_log"]["workers_died"]:
        lines.append(f"server: {result['server_log']['workers_died']} uvicorn worker(s) killed "
                     "and restarted by uvicorn's supervisor during the run (\"Child process "
                     "[…] died\": no answer to its health check within 5 s)")
    if result.get("workers_died_at_startup"):
        lines.append(f"server start-up: {result['workers_died_at_startup']} uvicorn worker(s) "
                     "killed and restarted by the supervisor before the run (not counted as "
                     "errors)")
    if not result["processes_alive_at_end"]:
        lines.append("a server or worker process had exited before the end")
    for r in result["rss"]:
        if not r["present_at_start"]:
            lines.append(f"{r['role']} {r['pid']} appeared during the run (a restart?)")
    return lines


def section(data: dict[str, Any]) -> list[str]:
    """The Markdown section of ``python -m benchmarks`` (``--only load``)."""
    results = data["results"]
    verdicts = [verdict(r) for r in results if "skipped" not in r]
    overall = "PASS" if verdicts and all(v == "PASS" for v in verdicts) else "FAIL"
    lines = [
        f"### Load: agents searching and opening articles while customers chat — zero errors "
        f"and memory flat: {overall} ({verdicts.count('PASS')} of {len(verdicts)} runs pass)",
        "",
        "One client process (asyncio + httpx) on loopback against the production processes: "
        "`seci serve --workers N` (PostgreSQL, `SECI_REDIS_URL`) plus one `seci worker`, and "
        "`seci serve` alone on the SQLite default (one process, in-process bus); each on a "
        "fresh database with the demo hotline (migrations, `load_demo`), agent logins (the "
        "demo agents' queue sets in turn) with API tokens, and a desk agent of every queue. "
        "**Agents** (sharing the logins; each login once through `POST /login`) loop: a "
        "query from the demo articles' similar questions and the dev-set paraphrases of "
        "articles in their queues — "
        f"{data['page_share']:.0%} on the search page (`/kb/search`, then "
        "`/kb/search/open` → 303 → `/kb/articles/{id}`), the rest through the API "
        "(`/api/v1/search`, then `/api/v1/articles/{id}`) — opening one hit, with think "
        "time before and after. **Customer lines** run chat after chat: the customer of "
        "the assistant benchmark (event stream open, 3–5 messages with pauses, 20 % ask for "
        "a person, whom the desk agent, polling the inbox, accepts, answers and closes), "
        "every transcript checked afterwards. Agents and first customers start within the "
        "ramp; after the duration no new search or chat starts and running chats finish. "
        "Latency per route = send → last byte of the body (event streams: → headers), ms. "
        "Errors = every answer ≥ 400, connection error and unexpected answer (e.g. a "
        "redirect to the login page) the client saw, conversation faults (lost, "
        "duplicated, missing on the stream, not finished), failed requests in the server "
        "log and server workers killed during the run. *Offered* = requests/s the simulated "
        "people would send if every answer were instant. Memory flat = every server "
        "process's (and the worker's) RSS at the end within "
        f"{data['rss_growth_limit']:.0%} of its RSS after the first minute (sampled every "
        f"{results[0].get('sample_every_s', 30) if results else 30:g} s). CPU in cores: "
        "`seci serve` (all processes) / `seci worker` / PostgreSQL backends / this client / "
        "everything else on the machine (other engineers' jobs). Load average before and "
        f"after each run; the run waits (up to its limit) while the load is above "
        f"{data['max_load']:g}.",
        "",
        summary_table(results),
        "",
    ]
    for r in results:
        if "skipped" in r:
            continue
        waited = (f"waited {r['waited_s'] / 60:.0f} min for a quieter machine (load "
                  f"{r['load_first_seen']} when first checked); " if r.get("waited_s") else "")
        lines += [
            f"**{r['db']}**, {r['workers']} server worker(s): {r['agents']} agents + "
            f"{r['chats']} chat lines for {r['duration_s'] / 60:g} min (ramp "
            f"{r['ramp_s']:g} s, agent think {r['think_s'][0]:g}–{r['think_s'][1]:g} s, "
            f"customer {r['chat_think_s'][0]:g}–{r['chat_think_s'][1]:g} s); "
            f"{waited}load {r['load_before']} → {r['load_after']}; "
            f"{r['per_s']:.0f} requests/s (offered ~{r['offered_per_s']:.0f}); "
            f"{r['customer_messages']:,} customer messages; agents' loops: "
            + ", ".join(f"{k} {v:,}" for k, v in sorted(r["loops"].items()))
            + f"; client event-loop lag p95 {_fmt(r['client_lag_ms']['p95'])} ms.",
            "",
            route_table(r),
            "",
            rss_table(r),
            "",
            timeline_table(r),
            "",
        ]
        found = problems(r)
        lines += ([f"Problems ({r['db']}):", ""] + [f"* {line}" for line in found]
                  if found else [f"No problems found ({r['db']})."])
        lines.append("")
    return lines


# --- command line -----------------------------------------------------------------------------


def run(kind: str, *, load: Load, workers: int, users: int, redis_url: str, admin_url: str,
        sample_every: float, quiet: dict[str, Any]) -> dict[str, Any]:
    bus = None if kind == "sqlite" else (redis_url or None)
    if kind == "sqlite":
        workers = 1
    if bus is not None and (reason := redis_reachable(bus)):
        return {"db": kind, "workers": workers, "skipped": reason}
    workdir = Path(tempfile.mkdtemp(prefix=f"seci_bench_load_{kind}_"))
    with bench_database(kind, pg_url=admin_url) as db:
        result = measure(db, load=load, workers=workers, redis_url=bus, users=users,
                         sample_every=sample_every, admin_url=admin_url, workdir=workdir,
                         quiet=quiet)
    write_json(str(workdir / "result.json"), result)  # next to the logs, with every sample
    return result


def _pair(value: str) -> tuple[float, float]:
    low, high = (float(v) for v in value.split(","))
    return low, high


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--db", choices=DB_CHOICES, default="all")
    parser.add_argument("--pg-agents", type=int, default=500)
    parser.add_argument("--pg-chats", type=int, default=200)
    parser.add_argument("--pg-duration", type=float, default=600.0, help="seconds")
    parser.add_argument("--pg-workers", type=int, default=2,
                        help="`seci serve --workers` on PostgreSQL (with Redis)")
    parser.add_argument("--sqlite-agents", type=int, default=100)
    parser.add_argument("--sqlite-chats", type=int, default=40)
    parser.add_argument("--sqlite-duration", type=float, default=300.0, help="seconds")
    parser.add_argument("--users", type=int, default=40,
                        help="agent logins the simulated agents share")
    parser.add_argument("--think", default="2,5",
                        help="seconds an agent reads before opening a hit and after: min,max")
    parser.add_argument("--chat-think", default="2,6",
                        help="seconds a customer pauses between messages: min,max")
    parser.add_argument("--ramp", type=float, default=30.0,
                        help="agents and the first customers start spread over this")
    parser.add_argument("--handoff-share", type=float, default=0.2)
    parser.add_argument("--sample", type=float, default=30.0, help="RSS sample interval, s")
    parser.add_argument("--max-load", type=float, default=4.0,
                        help="wait while the 1-minute load average is above this")
    parser.add_argument("--max-wait", type=float, default=20.0,
                        help="minutes to wait for a quieter machine before running anyway "
                             "(for all runs together)")
    parser.add_argument("--pg-url", default=DEFAULT_PG_ADMIN_URL,
                        help="PostgreSQL server (its maintenance database) for the scratch "
                             "database")
    parser.add_argument("--redis-url", default=DEFAULT_REDIS_URL)
    parser.add_argument("--quick", action="store_true",
                        help="50 agents + 20 chats for 60 s on each database, 10 s samples, "
                             "no waiting for a quiet machine: checks the harness")
    parser.add_argument("--seed", type=int, default=20261125)
    parser.add_argument("--json-out")
    args = parser.parse_args(argv)
    if args.quick:
        args.pg_agents = args.sqlite_agents = 50
        args.pg_chats = args.sqlite_chats = 20
        args.pg_duration = args.sqlite_duration = 60.0
        args.ramp, args.sample, args.users, args.max_wait = 10.0, 10.0, 10, 0.0
    think, chat_think = _pair(args.think), _pair(args.chat_think)
    sizes = {"postgres": (args.pg_agents, args.pg_chats, args.pg_duration),
             "sqlite": (args.sqlite_agents, args.sqlite_chats, args.sqlite_duration)}
    load_before = load_average()
    results = []
    wait_budget = args.max_wait  # minutes, for all runs together
    for kind in (["postgres", "sqlite"] if args.db == "all" else databases(args.db)):
        agents, chats, duration = sizes[kind]
        load = Load(agents, chats, duration, args.ramp, think, chat_think,
                    args.handoff_share, args.seed)
        quiet = wait_for_quiet(args.max_load, wait_budget)
        wait_budget = max(0.0, wait_budget - quiet["waited_s"] / 60)
        results.append(run(kind, load=load, workers=args.pg_workers, users=args.users,
                           redis_url=args.redis_url, admin_url=args.pg_url,
                           sample_every=args.sample, quiet=quiet))
    print(summary_table(results))
    for r in results:
        if "skipped" not in r:
            print(f"\n{r['db']}\n\n{route_table(r)}\n\n{rss_table(r)}\n\n{timeline_table(r)}")
            for line in problems(r):
                print(f"* {line}")
    write_json(args.json_out, {
        "quick": args.quick, "seed": args.seed, "page_share": PAGE_SHARE,
        "rss_growth_limit": RSS_GROWTH_LIMIT, "max_load": args.max_load,
        "results": results, "load_before": load_before, "load_after": load_average()})
    return 0 if all(verdict(r) in ("PASS", "–") for r in results) else 1


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        sys.exit(main())
