"""/healthz answers without the database; /readyz checks the database, the migrations and
Redis (when configured), and names what is not ready with 503."""

from __future__ import annotations

from pathlib import Path

import pytest
import redis
from fastapi.testclient import TestClient
from sqlalchemy import create_engine
from sqlalchemy.orm import sessionmaker

from seci.core.config import Settings
from seci.ops import health, routes


@pytest.fixture(autouse=True)
def _no_redis(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(routes, "get_settings", lambda: Settings(redis_url=""))


def test_healthz_answers_without_the_database(client: TestClient) -> None:
    client.app.state.sessionmaker = None  # type: ignore[attr-defined]
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert response.headers["cache-control"] == "no-store"


def test_readyz_is_ready_on_a_migrated_database(client: TestClient) -> None:
    response = client.get("/readyz")
    assert response.status_code == 200, response.text
    assert response.json() == {"status": "ok", "not_ready": [],
                               "checks": {"database": "ok", "migrations": "ok"}}


def test_readyz_names_pending_migrations(client: TestClient,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(health, "code_heads", lambda: ("9999",))
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "not_ready" and body["not_ready"] == ["migrations"]
    assert "code expects 9999" in body["checks"]["migrations"]
    assert "seci db upgrade" in body["checks"]["migrations"]


def test_readyz_names_an_unreachable_redis(client: TestClient,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(routes, "get_settings",
                        lambda: Settings(redis_url="redis://127.0.0.1:1/0"))
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["not_ready"] == ["redis"] and body["checks"]["database"] == "ok"
    assert body["checks"]["redis"].startswith("unreachable: ")


def test_an_unreachable_database_is_not_ready(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'missing' / 'dir' / 'seci.db'}")
    try:
        checks = health.readiness(sessionmaker(bind=engine), redis_url="")
    finally:
        engine.dispose()
    assert checks["database"].startswith("unreachable: OperationalError")
    assert checks["migrations"].startswith("unknown")


def test_a_reachable_redis_is_ready() -> None:
    url = "redis://127.0.0.1:6379/0"
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except (redis.RedisError, OSError):
        pytest.skip("no Redis at 127.0.0.1:6379")
    assert health.check_redis(url) == "ok"
