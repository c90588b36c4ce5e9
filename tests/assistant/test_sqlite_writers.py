"""On SQLite the assistant's writes queue as writers (seci.core.db.begin_writing); a
request that fails, for whatever reason, must not keep the queue's lock."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import sessionmaker

from seci.app import create_app
from seci.core import db as db_module
from seci.core import migrate
from seci.core.db import build_engine

BASE = "/api/v1/assistant/conversations"


@pytest.fixture
def sqlite_client(tmp_path: Path) -> Iterator[TestClient]:
    url = f"sqlite:///{tmp_path / 'chat.db'}"
    migrate.upgrade(url)
    engine = build_engine(url)
    app = create_app(sessionmaker(bind=engine, expire_on_commit=False), background=False)
    with TestClient(app) as client:
        yield client
    engine.dispose()


def test_failed_writes_release_the_writer_queue(sqlite_client: TestClient) -> None:
    started = sqlite_client.post(BASE, json={}).json()
    url = f"{BASE}/{started['conversation']['id']}/messages"
    token = {"X-Conversation-Token": started["token"]}
    for headers, body, status in (
            (token, {"content": b"\xff not json"}, 422),
            (token, {"json": {"text": " "}}, 422),
            ({"X-Conversation-Token": "wrong"}, {"json": {"text": "宽带断网了"}}, 401),
            (token, {"json": {"text": "宽带断网了"}}, 201)):
        response = sqlite_client.post(url, headers=headers, **body)  # type: ignore[arg-type]
        assert response.status_code == status, response.text
        assert not db_module._SQLITE_WRITER.locked()
