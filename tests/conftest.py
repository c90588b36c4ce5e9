"""Test harness: one migrated database per test session (SQLite or PostgreSQL), one
rolled-back transaction per test.

Set SECI_TEST_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test to run the
suite against PostgreSQL: a fresh database is created from that server and dropped after.
"""

from __future__ import annotations

import functools
import os
import re
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient
from sqlalchemy import Connection, Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from seci.app import create_app
from seci.core import migrate, security
from seci.core.db import build_engine
from seci.core.i18n import set_locale
from tests.factories import World, build_world

POSTGRES_HINT = "postgresql"
# Servers started by tests must not refit the assistant's calibration mid-test (the tests of
# calibration fit it themselves); test servers inherit this.
os.environ.setdefault("SECI_AUTO_CALIBRATE", "false")
# Articles' images and files go to a store of this test process's own, never ./var.
os.environ.setdefault("SECI_ATTACHMENT_DIR", tempfile.mkdtemp(prefix="seci-attachments-"))


def _test_database_url(tmp_root: Path) -> str:
    return os.environ.get("SECI_TEST_DATABASE_URL") or f"sqlite:///{tmp_root / 'test.db'}"


def create_database(base_url: str, tmp_root: Path) -> tuple[str, object]:
    """A new empty database for this session; returns its URL and a dropper."""
    url = make_url(base_url)
    if url.get_backend_name() == "sqlite":
        return base_url, lambda: None
    name = f"seci_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"
            ), {"n": name})
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()

    return url.set(database=name).render_as_string(hide_password=False), drop


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = tmp_path_factory.mktemp("db")
    url, drop = create_database(_test_database_url(root), root)
    migrate.upgrade(url)
    yield url
    drop()  # type: ignore[operator]


@pytest.fixture
def committed_engine(tmp_path: Path) -> Iterator[Engine]:
    """A fresh, migrated database of its own for tests that must really commit (several
    connections at once); the audit trail cannot be deleted, so it is thrown away whole."""
    url, drop = create_database(_test_database_url(tmp_path), tmp_path)
    migrate.upgrade(url)
    engine = build_engine(url)
    yield engine
    engine.dispose()
    drop()  # type: ignore[operator]


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    engine = build_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def connection(engine: Engine) -> Iterator[Connection]:
    conn = engine.connect()
    outer = conn.begin()
    yield conn
    outer.rollback()
    conn.close()


@pytest.fixture
def session_factory(connection: Connection) -> sessionmaker[Session]:
    # Commits inside the code under test only release savepoints; the test's outer
    # transaction is rolled back afterwards, so every test starts from the same data.
    return sessionmaker(bind=connection, join_transaction_mode="create_savepoint",
                        expire_on_commit=False)


@pytest.fixture
def db(session_factory: sessionmaker[Session]) -> Iterator[Session]:
    session = session_factory()
    yield session
    session.close()


@pytest.fixture(autouse=True)
def _chinese_locale() -> None:
    set_locale("zh_CN")


@pytest.fixture(autouse=True, scope="session")
def _cheap_password_hashing() -> Iterator[None]:
    """Production argon2 costs ~50 ms per hash by design; tests create many users."""
    original = security._hasher
    security._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    yield
    security._hasher = original


@pytest.fixture
def world(db: Session) -> World:
    """Queues, a module tree and one user per role (see tests/factories.py)."""
    return build_world(db)


@pytest.fixture
def app(session_factory: sessionmaker[Session]):  # type: ignore[no-untyped-def]
    # No background threads: they would share the test's single connection.
    return create_app(session_factory, background=False)


@pytest.fixture
def client(app) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    with TestClient(app, base_url="http://testserver") as test_client:
        yield test_client


def is_postgres(url: str) -> bool:
    return url.startswith(POSTGRES_HINT)


# The PostgreSQL run repeats only the tests that can tell the two databases apart: those
# that reach the database under test, through these fixtures or by making one of their
# own from SECI_TEST_DATABASE_URL. The rest (text analysis, statistics, charts drawn from
# a static server, evaluations on a throw-away SQLite store) give the same result on
# either run and ran on SQLite.
DATABASE_FIXTURES = frozenset({"database_url", "committed_engine", "live_server"})
OWN_DATABASE_MARKS = ("SECI_TEST_DATABASE_URL", "create_database(", "_test_database_url(")


@functools.cache
def _makes_own_database(path: str) -> bool:
    source = Path(path).read_text(encoding="utf-8")
    return any(mark in source for mark in OWN_DATABASE_MARKS)


def reaches_database(item: pytest.Item) -> bool:
    fixtures = set(getattr(item, "fixturenames", ()))
    return bool(fixtures & DATABASE_FIXTURES) or _makes_own_database(str(item.path))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not is_postgres(os.environ.get("SECI_TEST_DATABASE_URL", "")):
        return
    kept: list[pytest.Item] = []
    database_free: list[pytest.Item] = []
    for item in items:
        (kept if reaches_database(item) else database_free).append(item)
    if database_free:
        config.hook.pytest_deselected(items=database_free)
        items[:] = kept


CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(html: str) -> str:
    match = CSRF_FIELD.search(html)
    assert match, "page has no CSRF field"
    return match.group(1)
