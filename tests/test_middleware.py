"""The concurrency limit keeps a burst of clients from exhausting threads and connections."""

from __future__ import annotations

import asyncio
import json
import logging
import re
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from fastapi.testclient import TestClient

from seci.ops.logs import REQUEST_ID, JsonFormatter, RequestIdFilter
from seci.web.middleware import ConcurrencyLimit


def run_in_own_loop(coroutine: Coroutine[Any, Any, None]) -> None:
    """asyncio.run in a thread of its own: the browser tests' Playwright keeps an event
    loop running in this worker's main thread."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(asyncio.run, coroutine).result()


def test_no_more_than_the_limit_run_at_once() -> None:
    inside = 0
    most = 0

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        nonlocal inside, most
        inside += 1
        most = max(most, inside)
        await asyncio.sleep(0)  # let the other requests try to enter
        await asyncio.sleep(0)
        inside -= 1

    limited = ConcurrencyLimit(app, limit=3)

    async def burst() -> None:
        await asyncio.gather(*(limited({"type": "http", "path": "/kb"}, None, None)
                               for _ in range(20)))

    run_in_own_loop(burst())
    assert most == 3
    assert inside == 0


def test_static_files_bypass_the_line() -> None:
    entered: list[str] = []

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        entered.append(scope["path"])

    limited = ConcurrencyLimit(app, limit=1)

    async def run() -> None:
        assert limited._semaphore is None
        await limited({"type": "http", "path": "/static/seci.css"}, None, None)
        assert limited._semaphore is None  # never queued

    run_in_own_loop(run())
    assert entered == ["/static/seci.css"]


def test_health_probes_bypass_the_line() -> None:
    """A busy process still answers its load balancer and systemd."""
    entered: list[str] = []

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        entered.append(scope["path"])

    limited = ConcurrencyLimit(app, limit=1)

    async def run() -> None:
        await limited({"type": "http", "path": "/readyz"}, None, None)
        await limited({"type": "http", "path": "/healthz"}, None, None)
        assert limited._semaphore is None  # never queued

    run_in_own_loop(run())
    assert entered == ["/readyz", "/healthz"]


def test_every_log_line_and_response_carries_the_request_id(client: TestClient) -> None:
    """The proxy's id is kept when well formed; a client's junk is replaced; the log lines
    written while serving the request carry it (seci.ops.logs.RequestIdFilter)."""
    kept = client.get("/healthz", headers={"X-Request-ID": "nginx-0123456789abcdef"})
    assert kept.headers["x-request-id"] == "nginx-0123456789abcdef"
    replaced = client.get("/healthz", headers={"X-Request-ID": "evil\nline"})
    assert re.fullmatch(r"[0-9a-f]{32}", replaced.headers["x-request-id"])
    assert client.get("/healthz").headers["x-request-id"] != replaced.headers["x-request-id"]

    record = logging.LogRecord("seci.web", logging.INFO, __file__, 1, "hello", None, None)
    token = REQUEST_ID.set("req-12345678")
    try:
        RequestIdFilter().filter(record)
    finally:
        REQUEST_ID.reset(token)
    assert json.loads(JsonFormatter().format(record))["request_id"] == "req-12345678"
