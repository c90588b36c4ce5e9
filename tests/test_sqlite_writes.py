"""SQLite: a transaction that reads, then writes, fails at once when another writer
committed in between; ``begin_writing`` takes the write lock first, so it waits instead."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from seci.core import db as db_module
from seci.core.db import begin_writing, build_engine


@pytest.fixture
def sqlite_engine(tmp_path: Path) -> Iterator[Engine]:
    engine = build_engine(f"sqlite:///{tmp_path / 'writers.db'}")
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE counter (n INTEGER)"))
        connection.execute(text("INSERT INTO counter VALUES (0)"))
    yield engine
    engine.dispose()


def _bump(session: Session) -> None:
    session.execute(text("UPDATE counter SET n = n + 1"))


def test_a_reader_that_writes_after_another_writer_fails_at_once(
        sqlite_engine: Engine) -> None:
    with Session(sqlite_engine) as first, Session(sqlite_engine) as second:
        first.execute(text("SELECT n FROM counter")).scalar()  # a read snapshot
        _bump(second)
        second.commit()
        with pytest.raises(OperationalError, match="locked"):
            _bump(first)  # busy_timeout does not help: the snapshot is stale


def test_a_writer_takes_the_lock_before_reading(sqlite_engine: Engine) -> None:
    with Session(sqlite_engine) as first, Session(sqlite_engine) as second:
        begin_writing(first)
        assert first.execute(text("SELECT n FROM counter")).scalar() == 0
        second.connection().exec_driver_sql("PRAGMA busy_timeout=0")
        with pytest.raises(OperationalError, match="locked"):
            _bump(second)  # the other writer waits (here: gives up at once) for the first
        second.rollback()
        _bump(first)
        first.commit()
        _bump(second)  # and gets its turn after the commit
        second.commit()
        assert second.execute(text("SELECT n FROM counter")).scalar() == 2


def test_begin_writing_leaves_a_begun_transaction_alone(sqlite_engine: Engine) -> None:
    with Session(sqlite_engine) as first, Session(sqlite_engine) as second:
        first.execute(text("SELECT n FROM counter"))
        begin_writing(first)  # too late to change: an ordinary deferred transaction
        _bump(second)
        second.commit()


@pytest.mark.parametrize("end", ["commit", "rollback", "close"])
def test_writers_of_a_process_queue_until_the_transaction_ends(sqlite_engine: Engine,
                                                               end: str) -> None:
    with Session(sqlite_engine) as first:
        begin_writing(first)
        assert db_module._SQLITE_WRITER.locked()  # the next writer of this process waits
        _bump(first)
        getattr(first, end)()
        assert not db_module._SQLITE_WRITER.locked()
