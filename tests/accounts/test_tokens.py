"""API tokens may expire, and record when they were last used — cheaply (issue 12)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from seci.accounts import service as accounts
from seci.accounts.models import ApiToken
from seci.core import http
from seci.core.clock import utcnow
from tests.conftest import csrf_of
from tests.factories import PASSWORD, World, web_login


def _last_used(db: Session, raw: str) -> datetime | None:
    return db.scalars(select(ApiToken.last_used_at).where(ApiToken.prefix == raw[:12])).one()


def test_an_expired_token_is_refused(client: TestClient, db: Session, world: World) -> None:
    live = accounts.issue_api_token(db, user=world["agent"], name="live",
                                    expires_at=utcnow() + timedelta(days=1))
    dead = accounts.issue_api_token(db, user=world["agent"], name="dead",
                                    expires_at=utcnow() - timedelta(seconds=1))
    db.commit()
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {live}"}
                      ).status_code == 200
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {dead}"}
                      ).status_code == 401
    assert accounts.resolve_api_token(db, token=dead) is None


def test_the_token_endpoint_takes_a_lifetime(client: TestClient, world: World) -> None:
    issued = client.post("/api/v1/auth/token", json={
        "username": "agent", "password": PASSWORD, "expires_in_days": 30})
    assert issued.status_code == 200
    expires = datetime.fromisoformat(issued.json()["expires_at"])
    assert expires.utcoffset() == timedelta(0)  # API timestamps carry their UTC offset
    assert timedelta(days=29) < expires - utcnow().replace(tzinfo=UTC) <= timedelta(days=30)
    forever = client.post("/api/v1/auth/token", json={"username": "agent",
                                                      "password": PASSWORD})
    assert forever.json()["expires_at"] is None


def test_last_use_is_written_at_most_once_a_minute(client: TestClient, db: Session,
                                                   world: World,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    raw = accounts.issue_api_token(db, user=world["agent"], name="script")
    db.commit()
    headers = {"Authorization": f"Bearer {raw}"}
    t0 = datetime(2026, 12, 8, 9, 0)
    now = [t0]
    monkeypatch.setattr(http, "utcnow", lambda: now[0])
    assert client.get("/api/v1/me", headers=headers).status_code == 200  # a reading request
    assert _last_used(db, raw) == t0
    now[0] = t0 + timedelta(seconds=30)
    client.get("/api/v1/me", headers=headers)
    assert _last_used(db, raw) == t0  # not rewritten within the minute
    now[0] = t0 + timedelta(seconds=61)
    client.post("/api/v1/me/password", headers=headers,  # a writing request
                json={"current_password": "wrong", "new_password": "x"})
    assert _last_used(db, raw) == t0 + timedelta(seconds=61)


def test_the_account_page_shows_expiry_and_last_use(client: TestClient, db: Session,
                                                    world: World) -> None:
    web_login(client, "agent")
    page = client.get("/account")
    created = client.post("/account/tokens", data={
        "csrf_token": csrf_of(page.text), "name": "报表脚本", "days": "30"})
    assert created.status_code == 200 and "seci_" in created.text
    row = db.scalars(select(ApiToken).where(ApiToken.name == "报表脚本")).one()
    assert row.expires_at is not None
    assert timedelta(days=29) < row.expires_at - utcnow() <= timedelta(days=30)
    client.get("/api/v1/me", headers={"Authorization": "Bearer " + created.text.split(
        '<code class="token">')[1].split("<")[0]})
    page = client.get("/account")
    assert "最近使用" in page.text and "到期时间" in page.text
    assert "从未" not in page.text  # the new token has been used
