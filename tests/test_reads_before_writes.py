"""On SQLite a writer holds the database's one write lock until it commits: requests that
spend long on something else must not be writers meanwhile. A call-records upload (up to
4 GiB) is copied to disk before the request becomes a writer; an export reads as a reader
and writes its audit entry in a short writer session of its own."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, event, select, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from seci.accounts import service as accounts
from seci.app import create_app
from seci.audit.models import AuditEvent
from seci.calls import routes as call_routes
from seci.core import db as db_module
from seci.core.config import get_settings
from seci.core.http import write_aside
from seci.web.pages import calls as call_pages
from tests.calls.helpers import call
from tests.conftest import csrf_of
from tests.factories import World, build_world, make_article, web_login


@dataclass
class Centre:
    client: TestClient
    engine: Engine
    world: World
    analyst: dict[str, str]  # bearer header


@pytest.fixture
def centre(committed_engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
           ) -> Iterator[Centre]:
    monkeypatch.setenv("SECI_DATA_DIR", str(tmp_path / "data"))
    get_settings.cache_clear()
    with Session(committed_engine, expire_on_commit=False) as db:
        world = build_world(db)
        make_article(db, world, code="EX-1", title="国际漫游开通说明")
        token = accounts.issue_api_token(db, user=world["analyst"], name="test")
        db.commit()
    app = create_app(sessionmaker(bind=committed_engine, expire_on_commit=False),
                     background=False)
    try:
        with TestClient(app, base_url="http://testserver") as client:
            yield Centre(client, committed_engine, world, {"Authorization": f"Bearer {token}"})
    finally:
        get_settings.cache_clear()


def _another_writer_gets_in(engine: Engine) -> bool:
    """Whether a write from another connection gets SQLite's write lock at once."""
    with Session(engine) as other:
        other.connection().exec_driver_sql("PRAGMA busy_timeout=0")
        try:
            other.execute(text("UPDATE jobs SET id = id WHERE 1 = 0"))  # takes the lock
            other.commit()
        except OperationalError:
            return False
    return True


CALLS = (json.dumps(call("UP-1"), ensure_ascii=False) + "\n").encode()


@pytest.mark.parametrize("way", ["page", "api"])
def test_others_write_while_an_upload_is_copied(centre: Centre, way: str,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    if centre.engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL has no database-wide write lock (row locks do the work)")
    module: Any = call_pages if way == "page" else call_routes
    copying = module.save_stream
    others_could_write: list[bool] = []

    def save_and_look(source: Any, target: Path, limit: int) -> int:
        others_could_write.append(_another_writer_gets_in(centre.engine))
        return int(copying(source, target, limit))

    monkeypatch.setattr(module, "save_stream", save_and_look)
    files = {"file": ("calls.jsonl", CALLS)}
    if way == "page":
        web_login(centre.client, "analyst")
        page = centre.client.get("/calls/import")
        response = centre.client.post("/calls/import", data={"csrf_token": csrf_of(page.text)},
                                      files=files, follow_redirects=False)
        assert response.status_code == 303, response.text
    else:
        response = centre.client.post("/api/v1/calls/imports", headers=centre.analyst,
                                      files=files)
        assert response.status_code == 202, response.text
    assert others_could_write == [True]


def test_an_agent_upload_is_refused_before_it_is_copied(centre: Centre,
                                                        monkeypatch: pytest.MonkeyPatch
                                                        ) -> None:
    copied: list[Path] = []
    monkeypatch.setattr(call_routes, "save_stream",
                        lambda _source, target, _limit: copied.append(target) or 0)
    headers = {"Authorization": "Bearer " + _token(centre, "agent")}
    response = centre.client.post("/api/v1/calls/imports", headers=headers,
                                  files={"file": ("calls.jsonl", CALLS)})
    assert response.status_code == 403
    assert copied == []


def _token(centre: Centre, name: str) -> str:
    with Session(centre.engine) as db:
        token = accounts.issue_api_token(db, user=db.merge(centre.world[name]), name="t")
        db.commit()
    return token


@pytest.mark.parametrize("path", ["/api/v1/export?format=csv",
                                  "/kb/export?format=csv"])
def test_an_export_reads_without_the_write_lock_and_is_audited(centre: Centre,
                                                              path: str) -> None:
    held_while_reading: list[bool] = []

    def watch(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT") and "article_versions" in statement:
            held_while_reading.append(db_module._SQLITE_WRITER.locked())

    event.listen(centre.engine, "before_cursor_execute", watch)
    try:
        if path.startswith("/api"):
            headers = {"Authorization": "Bearer " + _token(centre, "manager")}
            response = centre.client.get(path, headers=headers)
        else:
            web_login(centre.client, "manager")
            response = centre.client.get(path)
    finally:
        event.remove(centre.engine, "before_cursor_execute", watch)
    assert response.status_code == 200, response.text
    assert "EX-1" in response.text
    assert held_while_reading and not any(held_while_reading)
    with Session(centre.engine) as db:
        audited = db.scalars(select(AuditEvent).where(AuditEvent.action == "kb.export")).all()
    assert [(e.actor_name, e.after) for e in audited] == [
        ("manager", {"format": "csv", "count": 1})]


def test_a_required_write_aside_is_not_skipped_when_the_database_is_busy(
        committed_engine: Engine) -> None:
    """A search log may be skipped under load; an export's audit entry may not."""
    factory = sessionmaker(bind=committed_engine)
    request: Any = SimpleNamespace(method="GET", state=SimpleNamespace(),
                                   app=SimpleNamespace(state=SimpleNamespace(
                                       sessionmaker=factory)))

    def busy(_session: Session) -> None:
        raise OperationalError("INSERT", {}, Exception("database is locked"))

    with factory() as db:
        if db.get_bind().dialect.name != "sqlite":
            pytest.skip("SQLite's write lock only")
        write_aside(request, db, busy, "search log")  # skipped, logged
        with pytest.raises(OperationalError):
            write_aside(request, db, busy, "export audit", required=True)
