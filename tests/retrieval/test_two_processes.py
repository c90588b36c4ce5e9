"""Two server processes on one database (the production set-up): what is published, retired
or re-worded in one is what search answers in the other, on the very next request."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from seci.accounts import service as accounts
from tests.factories import World, build_world
from tests.servers import Server, call


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
    servers = [Server(url, tmp_path / name) for name in ("one", "two")]
    try:
        for server in servers:
            server.start()
        yield servers[0].base, servers[1].base, world, tokens
    finally:
        for server in servers:
            server.stop()


def _codes(base: str, headers: dict[str, str], query: str) -> list[str]:
    status, body = call("GET", base + "/api/v1/search", headers, params={"q": query})
    assert status == 200, body
    return [hit["code"] for hit in body["hits"]]


def test_a_change_in_one_process_is_searchable_in_the_other(two_servers: tuple[
        str, str, World, dict[str, dict[str, str]]]) -> None:
    one, two, world, tokens = two_servers
    agent = tokens["agent"]
    assert _codes(two, agent, "国际漫游开通") == []  # process two has built its index
    status, created = call("POST", one + "/api/v1/articles", tokens["editor"], {
        "code": "MY-TWO", "title": "国际漫游开通", "body": "出国前发送 KTMY 开通。",
        "module_id": world.modules["资费套餐"].id, "queues": ["A"], "tags": [],
        "similar_questions": ["出国了手机还能用不"], "audience": "customer"})
    assert status == 201, created
    article_id = created["id"]
    call("POST", f"{one}/api/v1/articles/{article_id}/submit", tokens["editor"])
    status, approved = call("POST", f"{one}/api/v1/articles/{article_id}/review",
                             tokens["reviewer"], {"decision": "approve", "comment": "OK"})
    assert status == 200, approved
    assert _codes(two, agent, "出国漫游怎么开")[:1] == ["MY-TWO"]

    status, rule = call("POST", one + "/api/v1/search/synonyms", tokens["manager"],
                         {"canonical": "国际漫游", "variants": ["海外用机"]})
    assert status == 201, rule
    assert _codes(two, agent, "海外用机")[:1] == ["MY-TWO"]

    status, retired = call("POST", f"{one}/api/v1/articles/{article_id}/retire",
                            tokens["manager"], {"reason": "业务下线"})
    assert status == 200, retired
    assert _codes(two, agent, "国际漫游开通") == []
