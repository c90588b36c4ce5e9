"""Engine, sessions and the declarative base shared by every domain."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any, ClassVar

from sqlalchemy import JSON, DateTime, Engine, MetaData, create_engine, event, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import make_url
from sqlalchemy.orm import DeclarativeBase, Session, SessionTransaction, sessionmaker

from seci.core.config import get_settings

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        dict[str, Any]: JSON, list[str]: JSON, list[int]: JSON,
    }


def _on_sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    # pysqlite's own transaction handling breaks SAVEPOINT; SQLAlchemy emits BEGIN instead.
    dbapi_connection.isolation_level = None
    # Foreign keys are off by default in SQLite; WAL lets readers work during a write.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


# Execution option: how a SQLite transaction begins ("IMMEDIATE": as a writer).
SQLITE_BEGIN = "seci_sqlite_begin"


def _on_sqlite_begin(connection: Any) -> None:
    immediate = connection.get_execution_options().get(SQLITE_BEGIN) == "IMMEDIATE"
    connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def begin_writing(session: Session) -> None:
    """Begin the session's transaction as a writer, before its first query.

    In SQLite's WAL mode a transaction that has read and then writes cannot wait for
    another writer: when someone committed since its read began, the upgrade fails at
    once with "database is locked" (``busy_timeout`` does not apply). A transaction that
    will write therefore takes the write lock up front (``BEGIN IMMEDIATE``) and waits its
    turn. A no-op on PostgreSQL (row locks do the work), once the transaction has begun,
    and for a session bound to a connection (the tests' outer transaction)."""
    if session.in_transaction():
        return
    bind = session.get_bind()
    if not (isinstance(bind, Engine) and bind.dialect.name == "sqlite"):
        return
    # Writers of this process queue on a lock of their own, released when the transaction
    # ends: the next one starts at once. Waiting inside SQLite instead means its busy
    # handler's sleeps (up to 100 ms a try): 200 chats on one worker (bench_assistant)
    # had a reply p95 of 556 ms that way, 105 ms with the lock. Other processes still
    # wait in SQLite.
    acquired = _SQLITE_WRITER.acquire(timeout=SQLITE_WRITER_WAIT)
    session.info[_HOLDS_WRITER] = acquired
    try:
        session.connection(execution_options={SQLITE_BEGIN: "IMMEDIATE"})
    except BaseException:
        _release_writer(session)
        raise


def is_writing(session: Session) -> bool:
    """Whether the session's transaction began as a writer on SQLite (``begin_writing``):
    then it may write, and another session of this process must not try to meanwhile."""
    return _HOLDS_WRITER in session.info


def lock_for_writing(session: Session) -> None:
    """Take the write lock inside a transaction that has begun but not yet read the main
    database (an import that so far wrote only its temporary tables).

    ``begin_writing`` must come before a transaction's first statement; an import stages
    a million rows first and must not hold the lock meanwhile. A statement that writes
    nothing still takes SQLite's write lock, waiting its turn like ``BEGIN IMMEDIATE``
    (the transaction has no snapshot of the main database yet, so the wait cannot end in
    "database is locked"); the process's writer queue is joined first, as above. A no-op
    on PostgreSQL."""
    bind = session.get_bind()
    if bind.dialect.name != "sqlite":
        return
    if isinstance(bind, Engine) and not session.info.get(_HOLDS_WRITER):
        session.info[_HOLDS_WRITER] = _SQLITE_WRITER.acquire(timeout=SQLITE_WRITER_WAIT)
    session.execute(text("UPDATE jobs SET id = id WHERE 1 = 0"))


_SQLITE_WRITER = threading.Lock()
_HOLDS_WRITER = "seci_sqlite_writer"
# Beyond this a writer stops queueing in the process and lets SQLite's busy_timeout decide.
SQLITE_WRITER_WAIT = 10.0


def _release_writer(session: Session) -> None:
    if session.info.pop(_HOLDS_WRITER, False):
        _SQLITE_WRITER.release()


@event.listens_for(Session, "after_transaction_end")
def _writer_done(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None and not transaction.nested:
        _release_writer(session)


def conflict_insert(session: Session
                    ) -> Callable[[Any], postgresql.Insert | sqlite.Insert]:
    """``insert`` of the session's dialect, the one with ``ON CONFLICT`` (PostgreSQL and
    SQLite spell it alike; SQLAlchemy's generic insert has none)."""
    return postgresql.insert if session.get_bind().dialect.name == "postgresql" \
        else sqlite.insert


def insert_if_absent(session: Session, model: type[Base], values: Mapping[str, Any],
                     keys: Sequence[str]) -> None:
    """Insert one row unless one with the same ``keys`` (a unique constraint) exists or
    another transaction inserts it at the same moment: a get-or-create that a double
    click or two tabs cannot turn into a unique violation (a 500). On PostgreSQL the
    second insert waits for the first transaction and then does nothing; SQLite queues
    writers anyway. Column defaults apply as in an ORM insert."""
    session.execute(conflict_insert(session)(model).values(**values)
                    .on_conflict_do_nothing(index_elements=list(keys)))


def build_engine(url: str, **kwargs: Any) -> Engine:
    """Create an engine with the per-dialect settings SECI relies on."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False}, **kwargs)
        event.listen(engine, "connect", _on_sqlite_connect)
        event.listen(engine, "begin", _on_sqlite_begin)
        return engine
    return create_engine(url, pool_pre_ping=True, **kwargs)


@lru_cache
def get_engine() -> Engine:
    settings = get_settings()
    return build_engine(settings.sqlalchemy_url, pool_size=settings.db_pool_size,
                        max_overflow=settings.db_max_overflow)


@lru_cache
def get_sessionmaker() -> sessionmaker[Session]:
    return sessionmaker(bind=get_engine(), expire_on_commit=False)


@contextmanager
def session_scope() -> Iterator[Session]:
    """One unit of work for CLI commands and jobs: commit on success, roll back on error."""
    session = get_sessionmaker()()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


__all__ = [
    "Base",
    "DateTime",
    "begin_writing",
    "build_engine",
    "get_engine",
    "get_sessionmaker",
    "is_writing",
    "lock_for_writing",
    "session_scope",
]
