"""Many people writing at once on one server process — the embedded default's everyday
load: logins, article editing, module and user administration, feedback, votes, views,
suggestions, synonyms and customer chats, all in parallel. Every request either succeeds
or is refused for a reason of its own (a wrong password); none fails for another's write.

On SQLite a transaction that read and then writes fails at once with "database is
locked" when someone else committed in between: before every unsafe request became a
writer from its first statement, this load got 500s in most families."""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from seci.accounts import service as accounts
from tests.factories import PASSWORD, World, build_world, make_article
from tests.servers import Server, call

API = "/api/v1"
ROUNDS = 6
CLIENTS = 16


@dataclass
class Center:
    base: str
    world: World
    bearer: dict[str, dict[str, str]]
    article_id: int


@pytest.fixture
def center(committed_engine: Engine, tmp_path: Path) -> Iterator[Center]:
    with Session(committed_engine, expire_on_commit=False) as db:
        world = build_world(db)
        article = make_article(db, world, code="CW-BASE", title="宽带报修流程")
        bearer = {name: {"Authorization": "Bearer " + accounts.issue_api_token(
            db, user=world[name], name="concurrency test")}
            for name in ("editor", "manager", "admin", "agent")}
        db.commit()
    url = committed_engine.url.render_as_string(hide_password=False)
    server = Server(url, tmp_path / "data").start()
    try:
        yield Center(server.base, world, bearer, article.id)
    finally:
        server.stop()


Outcome = tuple[str, int, Any]


def _login(c: Center, i: int) -> list[Outcome]:
    password = PASSWORD if i % 2 == 0 else "wrong-password"
    status, body = call("POST", f"{c.base}{API}/auth/token",
                        body={"username": "agent", "password": password})
    return [("login", status, body)]


def _article(c: Center, i: int) -> list[Outcome]:
    editor = c.bearer["editor"]
    content = {"title": f"并发测试知识{i}", "body": "办理方式：营业厅办理。",
               "module_id": c.world.modules["资费套餐"].id, "queues": ["A"], "tags": [],
               "similar_questions": [], "audience": "internal"}
    status, created = call("POST", f"{c.base}{API}/articles", editor,
                           {**content, "code": f"CW-{i}"})
    outcomes: list[Outcome] = [("article.create", status, created)]
    if status != 201:
        return outcomes
    status, edited = call("PUT", f"{c.base}{API}/articles/{created['id']}", editor,
                          {**content, "body": "办理方式：营业厅或网上营业厅办理。",
                           "lock_version": created["lock_version"]})
    outcomes.append(("article.edit", status, edited))
    status, submitted = call("POST", f"{c.base}{API}/articles/{created['id']}/submit", editor)
    outcomes.append(("article.submit", status, submitted))
    return outcomes


def _module(c: Center, i: int) -> list[Outcome]:
    manager = c.bearer["manager"]
    status, created = call("POST", f"{c.base}{API}/modules", manager,
                           {"name": f"并发模块{i}", "parent_id": None})
    outcomes: list[Outcome] = [("module.create", status, created)]
    if status == 201:
        status, renamed = call("PATCH", f"{c.base}{API}/modules/{created['id']}", manager,
                               {"name": f"并发模块{i}（改名）"})
        outcomes.append(("module.rename", status, renamed))
    return outcomes


def _user(c: Center, i: int) -> list[Outcome]:
    status, body = call("PATCH", f"{c.base}{API}/users/{c.world['trainer'].id}",
                        c.bearer["admin"], {"display_name": f"培训师{i}"})
    return [("user.edit", status, body)]


def _feedback_vote_view(c: Center, i: int) -> list[Outcome]:
    agent, article = c.bearer["agent"], f"{c.base}{API}/articles/{c.article_id}"
    outcomes: list[Outcome] = []
    status, body = call("GET", article, agent)
    outcomes.append(("article.view", status, body))
    status, body = call("POST", f"{article}/vote", agent, {"helpful": i % 2 == 0})
    outcomes.append(("article.vote", status, body))
    status, body = call("POST", f"{article}/feedback", agent,
                        {"kind": "unclear", "comment": f"第{i}步没写清楚"})
    outcomes.append(("article.feedback", status, body))
    return outcomes


def _suggestion(c: Center, i: int) -> list[Outcome]:
    status, body = call("POST", f"{c.base}{API}/suggestions", c.bearer["agent"],
                        {"title": f"建议{i}：简化报修登记", "body": "报修登记要填的项目太多。",
                         "category": "process"})
    return [("suggestion", status, body)]


def _synonym(c: Center, i: int) -> list[Outcome]:
    status, body = call("POST", f"{c.base}{API}/search/synonyms", c.bearer["manager"],
                        {"canonical": f"宽带报修{i}", "variants": [f"网坏了{i}"]})
    return [("synonym", status, body)]


def _chat(c: Center, i: int) -> list[Outcome]:
    status, started = call("POST", f"{c.base}{API}/assistant/conversations", body={})
    outcomes: list[Outcome] = [("chat.start", status, started)]
    if status == 201:
        conversation = started["conversation"]["id"]
        status, body = call("POST",
                            f"{c.base}{API}/assistant/conversations/{conversation}/messages",
                            {"X-Conversation-Token": started["token"]},
                            {"text": f"家里宽带断网了{i}"})
        outcomes.append(("chat.message", status, body))
    return outcomes


FAMILIES: list[Callable[[Center, int], list[Outcome]]] = [
    _login, _article, _module, _user, _feedback_vote_view, _suggestion, _synonym, _chat]

EXPECTED = {
    "login": {200, 401}, "article.create": {201}, "article.edit": {200},
    "article.submit": {200}, "module.create": {201}, "module.rename": {200},
    "user.edit": {200}, "article.view": {200}, "article.vote": {200},
    "article.feedback": {201}, "suggestion": {201}, "synonym": {201},
    "chat.start": {201}, "chat.message": {201},
}


def test_parallel_writers_of_every_family_all_succeed(center: Center) -> None:
    work = list(itertools.product(range(ROUNDS), FAMILIES))
    with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
        results = list(pool.map(lambda job: job[1](center, job[0]), work))
    outcomes = [outcome for result in results for outcome in result]
    unexpected = [(name, status, body) for name, status, body in outcomes
                  if status not in EXPECTED[name]]
    assert unexpected == [], Counter((name, status) for name, status, _ in unexpected)
    done = Counter(name for name, _, _ in outcomes)
    # Every family ran to its end: each step's successor ran ROUNDS times.
    assert {name: done[name] for name in EXPECTED if name != "login"} == {
        name: ROUNDS for name in EXPECTED if name != "login"}
    statuses = Counter(status for name, status, _ in outcomes if name == "login")
    assert statuses == {200: ROUNDS // 2, 401: ROUNDS - ROUNDS // 2}


def test_one_agent_voting_again_and_again_at_once_keeps_one_vote(center: Center) -> None:
    """Votes of one user on one article at the same moment (a double click, two tabs):
    every request succeeds and the counts hold that user's one vote. On PostgreSQL two of
    them once both found no vote yet and both inserted one (a 500 for the second)."""
    article = f"{center.base}{API}/articles/{center.article_id}"
    agent = center.bearer["agent"]

    def vote(i: int) -> tuple[int, Any]:
        return call("POST", f"{article}/vote", agent, {"helpful": i % 2 == 0})

    with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
        results = list(pool.map(vote, range(4 * CLIENTS)))
    assert Counter(status for status, _ in results) == {200: 4 * CLIENTS}
    status, body = call("GET", article, agent)
    assert status == 200
    assert body["helpful_count"] + body["unhelpful_count"] == 1
