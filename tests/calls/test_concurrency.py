"""An import keeps working while others write: the staging phase must not read the main
database (on SQLite a transaction that has read it cannot take the write lock after
someone else committed — the merge failed with "database is locked" while the job runner
wrote the import's own progress)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from seci.accounts.service import seed_queues, system_actor
from seci.calls.importing import CallSource, import_calls, load_row_context
from seci.calls.models import CallRecord
from seci.core.tabular import FileFormat
from seci.jobs.models import Job
from seci.jobs.service import create_job
from tests.calls.helpers import NOW, call, write_jsonl


def test_others_commit_while_a_file_is_staged(committed_engine: Engine, tmp_path: Path) -> None:
    factory = sessionmaker(bind=committed_engine, expire_on_commit=False)
    with factory() as setup:
        seed_queues(setup)
        setup.commit()
        context = load_row_context(setup, now=NOW)
    path = write_jsonl(tmp_path / "calls.jsonl", [call(f"C{i}") for i in range(12_000)])

    def someone_else_writes(_phase: str, _done: int, _total: int | None) -> None:
        with factory() as other:  # e.g. the runner writing this import's progress
            create_job(other, kind="other", params={}, created_by=None)
            other.commit()

    with factory() as session:
        report = import_calls(session, actor=system_actor(), context=context,
                              source=CallSource(calls=path, calls_format=FileFormat.JSONL),
                              progress=someone_else_writes)
        session.commit()
    assert report.created == 12_000
    with Session(committed_engine) as check:
        assert check.scalar(select(func.count()).select_from(CallRecord)) == 12_000
        assert (check.scalar(select(func.count()).select_from(Job)) or 0) >= 3
