"""On SQLite a search (a reading request) records itself in a short writer session of its
own: a reader's transaction cannot turn into a write once someone else has committed
("database is locked"), which under load refused 56 % of result clicks with 503 and
dropped most search-log entries."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session, sessionmaker

from seci.app import create_app
from seci.core import http, migrate
from seci.core.db import build_engine
from seci.retrieval.models import SearchLog
from tests.factories import World, bearer, build_world, make_article


@pytest.fixture
def sqlite_app(tmp_path: Path) -> Iterator[tuple[TestClient, Engine, World]]:
    url = f"sqlite:///{tmp_path / 'search.db'}"
    migrate.upgrade(url)
    engine = build_engine(url)
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    with factory() as db:
        world = build_world(db)
        make_article(db, world, code="KD-1", title="宽带报修流程")
        db.commit()
    app = create_app(factory, background=False)
    with TestClient(app) as client:
        yield client, engine, world
    engine.dispose()


def _someone_commits_after(engine: Engine, real: Any) -> Any:
    """Wrap the request's first read (the token lookup): another connection commits right
    after it — what a busy server does all the time between a request's read and its
    write."""
    def wrapped(session: Session, **kwargs: Any) -> Any:
        found = real(session, **kwargs)
        with engine.begin() as other:
            other.execute(text("UPDATE articles SET view_count = view_count + 1"))
        return found
    return wrapped


def test_an_opened_result_is_recorded_although_others_wrote_meanwhile(
        sqlite_app: tuple[TestClient, Engine, World], monkeypatch: pytest.MonkeyPatch) -> None:
    client, engine, world = sqlite_app
    with Session(engine) as db:
        headers = bearer(db, world, "agent")
        article_id = db.scalar(text("SELECT id FROM articles"))
    monkeypatch.setattr(http, "active_api_token", _someone_commits_after(
        engine, http.active_api_token))
    searched = client.get("/api/v1/search", params={"q": "宽带坏了怎么报修"}, headers=headers)
    assert searched.status_code == 200
    opened = client.get("/kb/search/open", params={"article": article_id, "q": "宽带坏了怎么报修"},
                        headers=headers, follow_redirects=False)
    assert opened.status_code == 303
    with Session(engine) as db:
        entries = db.scalars(select(SearchLog)).all()
        assert len(entries) == 1  # the search, then the click on one of its results
        assert entries[0].opened_article_id == article_id
