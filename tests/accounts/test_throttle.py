"""Login throttling (issue 12): failed logins in a row lock the account name and the
client address for a growing delay, in the database, for the web form and the API."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from seci.accounts import service as accounts
from seci.accounts import throttle
from seci.accounts.errors import LoginFailed, LoginThrottled
from seci.audit.models import AuditEvent
from seci.core import security
from seci.core.db import build_engine
from tests.factories import PASSWORD, World, build_world

T0 = datetime(2026, 12, 8, 9, 0)
IP = "10.0.0.7"


@pytest.fixture(autouse=True)
def _cheap_dummy_hash(monkeypatch: pytest.MonkeyPatch) -> None:
    """Unknown names are checked against a hash of production cost; tests try many."""
    monkeypatch.setattr(security, "_DUMMY_HASH", security._hasher.hash("dummy"))


def fail(db: Session, username: str = "agent", *, at: datetime, ip: str = IP,
         times: int = 1) -> None:
    for _ in range(times):
        with pytest.raises(LoginFailed):
            accounts.authenticate(db, username=username, password="wrong-guess", ip=ip, now=at)


def test_forty_nine_wrong_passwords_then_the_right_one_is_refused(db: Session,
                                                                  world: World) -> None:
    """The probe's finding: 49 guesses in a row, then the right password got in."""
    at = T0
    for _ in range(49):
        with pytest.raises((LoginFailed, LoginThrottled)):
            accounts.authenticate(db, username="agent", password="wrong-guess", ip=IP, now=at)
        at += timedelta(seconds=1)
    with pytest.raises(LoginThrottled):
        accounts.authenticate(db, username="agent", password=PASSWORD, ip=IP, now=at)


def test_five_failures_lock_the_account_for_a_growing_delay(db: Session, world: World) -> None:
    fail(db, at=T0, times=4)
    assert accounts.authenticate(db, username="agent", password=PASSWORD, ip=IP,
                                 now=T0).username == "agent"  # four: not yet; success clears
    fail(db, at=T0, times=5)
    with pytest.raises(LoginThrottled) as first:
        accounts.authenticate(db, username="agent", password=PASSWORD, ip=IP, now=T0)
    assert first.value.retry_after == 60
    # the lock over, one more failure doubles it, and again
    fail(db, at=T0 + timedelta(seconds=60))
    with pytest.raises(LoginThrottled) as second:
        accounts.authenticate(db, username="agent", password=PASSWORD, ip=IP,
                              now=T0 + timedelta(seconds=60))
    assert second.value.retry_after == 120
    fail(db, at=T0 + timedelta(seconds=180))
    with pytest.raises(LoginThrottled) as third:
        accounts.authenticate(db, username="agent", password=PASSWORD, ip=IP,
                              now=T0 + timedelta(seconds=180))
    assert third.value.retry_after == 240
    # after the lock the right password works and clears the streak
    later = T0 + timedelta(seconds=420)
    assert accounts.authenticate(db, username="agent", password=PASSWORD, ip=IP, now=later)
    fail(db, at=later, times=4)
    accounts.authenticate(db, username="agent", password=PASSWORD, ip=IP, now=later)


def test_the_delay_is_capped_and_a_quiet_spell_forgets_the_streak(db: Session,
                                                                  world: World) -> None:
    limit = throttle.LIMITS[throttle.ACCOUNT]
    assert limit.lock_for(4) is None and limit.lock_for(5) == timedelta(minutes=1)
    assert limit.lock_for(60) == timedelta(hours=1)
    fail(db, at=T0, times=4)
    fail(db, at=T0 + timedelta(minutes=16))  # more than 15 quiet minutes: a new streak
    accounts.authenticate(db, username="agent", password=PASSWORD, ip=IP,
                          now=T0 + timedelta(minutes=16))


def test_unknown_names_are_throttled_alike_and_cost_a_password_check(
        db: Session, world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    checks: list[str] = []

    class CountingHasher:
        def __init__(self, inner: Any) -> None:
            self.inner = inner

        def verify(self, hashed: str, password: str) -> bool:
            checks.append(hashed)
            return bool(self.inner.verify(hashed, password))

    monkeypatch.setattr(security, "_hasher", CountingHasher(security._hasher))
    fail(db, "nobody", at=T0, times=5)
    assert checks == [security._DUMMY_HASH] * 5  # same work as for a real account
    with pytest.raises(LoginThrottled):
        accounts.authenticate(db, username="nobody", password="x", ip=IP, now=T0)


def test_one_address_guessing_at_many_accounts_is_throttled(db: Session, world: World) -> None:
    for i in range(throttle.LIMITS[throttle.ADDRESS].threshold):
        fail(db, f"guess{i}", at=T0)
    with pytest.raises(LoginThrottled):
        accounts.authenticate(db, username="agent", password=PASSWORD, ip=IP, now=T0)
    # the account itself is fine from elsewhere, and a success does not unlock the address
    accounts.authenticate(db, username="agent", password=PASSWORD, ip="10.0.0.8", now=T0)
    with pytest.raises(LoginThrottled):
        accounts.authenticate(db, username="editor", password=PASSWORD, ip=IP, now=T0)


def test_a_refusal_is_audited(db: Session, world: World) -> None:
    fail(db, at=T0, times=5)
    with pytest.raises(LoginThrottled):
        accounts.authenticate(db, username="agent", password=PASSWORD, ip=IP, now=T0)
    event = db.scalars(select(AuditEvent).where(
        AuditEvent.action == "auth.login_throttled")).one()
    assert (event.actor_name, event.ip, event.entity_id) == ("agent", IP, str(world["agent"].id))
    assert event.after == {"retry_after": 60}


@pytest.fixture
def frozen(monkeypatch: pytest.MonkeyPatch) -> list[datetime]:
    now = [T0]
    monkeypatch.setattr(accounts, "utcnow", lambda: now[0])
    return now


def test_the_api_answers_429_with_retry_after(client: TestClient, world: World,
                                              frozen: list[datetime]) -> None:
    for _ in range(5):
        wrong = client.post("/api/v1/auth/token", json={"username": "agent", "password": "x"})
        assert wrong.status_code == 401
    refused = client.post("/api/v1/auth/token",
                          json={"username": "agent", "password": PASSWORD})
    assert refused.status_code == 429
    assert refused.headers["retry-after"] == "60"
    assert refused.headers["content-type"] == "application/problem+json"
    body = refused.json()
    assert body["code"] == "login_throttled" and body["retry_after"] == 60
    assert body["detail"] == "登录失败次数过多，请 1 分钟后再试。"
    frozen[0] = T0 + timedelta(minutes=1)
    assert client.post("/api/v1/auth/token",
                       json={"username": "agent", "password": PASSWORD}).status_code == 200


def test_the_login_form_says_so_in_chinese_and_english(client: TestClient, world: World,
                                                        frozen: list[datetime]) -> None:
    for _ in range(5):
        client.post("/login", data={"username": "agent", "password": "x"})
    page = client.post("/login", data={"username": "agent", "password": PASSWORD})
    assert page.status_code == 429 and page.headers["retry-after"] == "60"
    assert "登录失败次数过多，请 1 分钟后再试。" in page.text
    client.cookies.set("seci_lang", "en")
    page = client.post("/login", data={"username": "agent", "password": PASSWORD})
    assert "Too many failed logins; try again in 1 min." in page.text


def test_the_counters_are_shared_by_processes(committed_engine: Engine) -> None:
    """Two engines stand for two server processes: failures one counts lock the other."""
    with Session(committed_engine) as db:
        build_world(db)
        fail(db, at=T0, times=5)
        db.commit()
    other = build_engine(committed_engine.url.render_as_string(hide_password=False))
    try:
        with Session(other) as db, pytest.raises(LoginThrottled):
            accounts.authenticate(db, username="agent", password=PASSWORD, ip=IP, now=T0)
    finally:
        other.dispose()


def test_old_streaks_are_deleted(db: Session, world: World) -> None:
    fail(db, "old-guess", at=T0)
    fail(db, at=T0 + throttle.FORGET_AFTER + timedelta(minutes=1))
    keys = set(db.scalars(select(throttle.LoginThrottle.key)))
    assert "old-guess" not in keys and "agent" in keys
