"""Two server processes on one database (the production set-up): what is published, retired
or re-worded in one is what search answers in the other, on the very next request."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from seci.accounts import service as accounts
from tests.factories import World, build_world

STARTUP_SECONDS = 60.0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _start(url: str, data_dir: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    env = os.environ | {"SECI_DATABASE_URL": url, "SECI_DATA_DIR": str(data_dir)}
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "seci.asgi:app", "--host", "127.0.0.1",
         "--port", str(port), "--log-level", "warning"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    return process, f"http://127.0.0.1:{port}"


def _call(method: str, url: str, headers: dict[str, str] | None = None,
          body: dict[str, Any] | None = None, params: dict[str, str] | None = None
          ) -> tuple[int, Any]:
    """One HTTP request with the standard library; (status, parsed JSON body or text)."""
    if params:
        url += "?" + urllib.parse.urlencode(params)
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method, headers={
        **(headers or {}), "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            status, raw = response.status, response.read()
    except urllib.error.HTTPError as error:
        status, raw = error.code, error.read()
    try:
        return status, json.loads(raw) if raw else None
    except ValueError:
        return status, raw.decode(errors="replace")


def _wait_ready(process: subprocess.Popen[bytes], base: str) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(process.stderr.read().decode() if process.stderr else "")
        try:
            if _call("GET", base + "/login")[0] == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise TimeoutError(f"server at {base} did not start")


@pytest.fixture
def two_servers(committed_engine: Engine, tmp_path: Path
                ) -> Iterator[tuple[str, str, World, dict[str, dict[str, str]]]]:
    with Session(committed_engine, expire_on_commit=False) as db:
        world = build_world(db)
        tokens = {name: {"Authorization": "Bearer " + accounts.issue_api_token(
            db, user=world[name], name="two-process test")}
            for name in ("editor", "reviewer", "manager", "agent")}
        db.commit()
    url = committed_engine.url.render_as_string(hide_password=False)
    started = [_start(url, tmp_path / name) for name in ("one", "two")]
    try:
        for process, base in started:
            _wait_ready(process, base)
        yield started[0][1], started[1][1], world, tokens
    finally:
        for process, _ in started:
            process.terminate()
            process.wait(timeout=20)


def _codes(base: str, headers: dict[str, str], query: str) -> list[str]:
    status, body = _call("GET", base + "/api/v1/search", headers, params={"q": query})
    assert status == 200, body
    return [hit["code"] for hit in body["hits"]]


def test_a_change_in_one_process_is_searchable_in_the_other(two_servers: tuple[
        str, str, World, dict[str, dict[str, str]]]) -> None:
    one, two, world, tokens = two_servers
    agent = tokens["agent"]
    assert _codes(two, agent, "国际漫游开通") == []  # process two has built its index
    status, created = _call("POST", one + "/api/v1/articles", tokens["editor"], {
        "code": "MY-TWO", "title": "国际漫游开通", "body": "出国前发送 KTMY 开通。",
        "module_id": world.modules["资费套餐"].id, "queues": ["A"], "tags": [],
        "similar_questions": ["出国了手机还能用不"], "audience": "customer"})
    assert status == 201, created
    article_id = created["id"]
    _call("POST", f"{one}/api/v1/articles/{article_id}/submit", tokens["editor"])
    status, approved = _call("POST", f"{one}/api/v1/articles/{article_id}/review",
                             tokens["reviewer"], {"decision": "approve", "comment": "OK"})
    assert status == 200, approved
    assert _codes(two, agent, "出国漫游怎么开")[:1] == ["MY-TWO"]

    status, rule = _call("POST", one + "/api/v1/search/synonyms", tokens["manager"],
                         {"canonical": "国际漫游", "variants": ["海外用机"]})
    assert status == 201, rule
    assert _codes(two, agent, "海外用机")[:1] == ["MY-TWO"]

    status, retired = _call("POST", f"{one}/api/v1/articles/{article_id}/retire",
                            tokens["manager"], {"reason": "业务下线"})
    assert status == 200, retired
    assert _codes(two, agent, "国际漫游开通") == []
