"""The concurrency limit keeps a burst of clients from exhausting threads and connections."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any

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
