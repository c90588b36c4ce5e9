"""Browser tests: a live SECI server with the demo hotline, driven by Debian's chromium.

One server per test session (per xdist worker): a fresh database (SQLite in a temporary
directory, or a new database on the PostgreSQL server named by SECI_TEST_DATABASE_URL),
migrated and loaded with the demo data, served by uvicorn in a background thread on a free
127.0.0.1 port. Every test gets a new browser context (own cookies) at 1366x768, zh-CN.

Tests share that database, so each one works on articles it creates itself (unique titles
and codes) and never depends on what another test did.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
import urllib.request
from collections.abc import Callable, Generator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from playwright.sync_api import (
    Browser,
    BrowserContext,
    Page,
    Playwright,
    ViewportSize,
    expect,
    sync_playwright,
)
from sqlalchemy.orm import Session, sessionmaker

from seci.app import create_app
from seci.core import migrate
from seci.core.db import build_engine
from seci.demo.loader import load_demo
from seci.retrieval.engine import SearchEngine
from tests.conftest import create_database

CHROMIUM = os.environ.get("SECI_CHROMIUM", "/usr/lib/chromium/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-quic",
]
VIEWPORT: ViewportSize = {"width": 1366, "height": 768}
STARTUP_SECONDS = 30.0

# Auto-waiting assertions: generous for a loaded CI machine, never a fixed sleep.
expect.set_options(timeout=15_000)


def _chromium_missing() -> bool:
    return not Path(CHROMIUM).exists() and shutil.which("chromium") is None


@dataclass
class LiveServer:
    url: str
    # The server's own sessions: tests that need data the demo lacks write it here.
    factory: sessionmaker[Session] | None = None

    def __call__(self, path: str = "/") -> str:
        return self.url + path


class _ThreadedServer(uvicorn.Server):
    def install_signal_handlers(self) -> None:  # the main thread belongs to pytest
        pass


def _free_socket() -> socket.socket:
    """A listening socket on a free port, handed to uvicorn (no race for the port)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


def _wait_until_up(url: str, server: _ThreadedServer, thread: threading.Thread) -> None:
    """Poll until the server answers; fail fast if its thread died."""
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if not thread.is_alive():
            raise RuntimeError("the test server stopped during start-up")
        if server.started:
            try:
                with urllib.request.urlopen(url + "/login", timeout=5) as response:
                    if response.status == 200:
                        return
            except OSError:
                pass
        time.sleep(0.05)
    raise RuntimeError(f"the test server did not answer at {url} within {STARTUP_SECONDS}s")


def _index_and_train(engine: SearchEngine, factory: sessionmaker[Session]) -> None:
    """What BackgroundSync does in production before the first customer asks: without a
    trained matcher the assistant is never confident enough to answer."""
    with factory() as session:
        engine.sync(session)
    engine.train_matcher()


@contextmanager
def serve_app(factory: sessionmaker[Session], *, name: str) -> Iterator[LiveServer]:
    """The app on a free port in a background thread, trained and with its job runner
    started; stopped when the block ends."""
    sock = _free_socket()
    port = sock.getsockname()[1]
    app = create_app(factory)
    _index_and_train(app.state.search_engine, factory)
    # lifespan="off" below: start what the lifespan would (imports run as background jobs).
    app.state.job_runner.start()
    config = uvicorn.Config(app, host="127.0.0.1", port=port,
                            log_level="warning", lifespan="off", ws="none",
                            access_log=False)
    server = _ThreadedServer(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name=name,
                              daemon=True)
    thread.start()
    address = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(address, server, thread)
        yield LiveServer(address, factory)
    finally:
        app.state.job_runner.stop()
        server.should_exit = True
        thread.join(timeout=STARTUP_SECONDS)
        sock.close()


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    root = tmp_path_factory.mktemp("browser-db")
    base_url = os.environ.get("SECI_TEST_DATABASE_URL") or f"sqlite:///{root / 'seci.db'}"
    url, drop = create_database(base_url, root)
    migrate.upgrade(url)
    engine = build_engine(url)
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    with factory() as session:
        load_demo(session)
        session.commit()

    try:
        with serve_app(factory, name="seci-live-server") as server:
            yield server
    finally:
        engine.dispose()
        drop()  # type: ignore[operator]


@pytest.fixture(scope="session")
def playwright_instance() -> Iterator[Playwright]:
    if _chromium_missing():
        pytest.skip("chromium is not installed (apt-get install chromium fonts-noto-cjk)")
    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def browser(playwright_instance: Playwright) -> Iterator[Browser]:
    executable = CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium")
    browser = playwright_instance.chromium.launch(executable_path=executable,
                                                  args=CHROMIUM_ARGS)
    yield browser
    browser.close()


_FAILED = pytest.StashKey[bool]()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]
                              ) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    if report.when == "call":
        item.stash[_FAILED] = report.failed
    return report


@pytest.fixture
def new_context(browser: Browser, live_server: LiveServer, request: pytest.FixtureRequest,
                tmp_path: Path) -> Iterator[Callable[..., BrowserContext]]:
    """Factory for extra, independent browser sessions (e.g. two editors at once);
    options go to ``Browser.new_context`` (e.g. a phone's viewport).

    When the test fails, every open page is saved as a screenshot in its tmp_path (or in
    the directory SECI_BROWSER_ARTIFACTS names).
    """
    contexts: list[BrowserContext] = []

    def make(**options: Any) -> BrowserContext:
        options = {"viewport": VIEWPORT, "locale": "zh-CN",
                   "timezone_id": "Asia/Shanghai"} | options
        context = browser.new_context(base_url=live_server.url, **options)
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context

    yield make
    failed = request.node.stash.get(_FAILED, False)
    for number, context in enumerate(contexts):
        if failed:
            for index, open_page in enumerate(context.pages):
                folder = Path(os.environ.get("SECI_BROWSER_ARTIFACTS") or tmp_path)
                folder.mkdir(parents=True, exist_ok=True)
                shot = folder / f"{request.node.name}-{number}-{index}.png"
                open_page.screenshot(path=shot, full_page=True)
                print(f"screenshot of {open_page.url}: {shot}")
        context.close()


@pytest.fixture
def page(new_context: Callable[..., BrowserContext]) -> Page:
    return new_context().new_page()
