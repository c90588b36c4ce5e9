"""Mining jobs: a run extracts the features of new calls (in shards that other workers
share), then analyses the period and stores what it found. Thin: sessions, commits, the
services, progress."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from datetime import date
from multiprocessing import get_context
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from seci.accounts.models import User
from seci.accounts.service import system_actor
from seci.calls.dashboard import default_period
from seci.calls.kpis import Period
from seci.core.db import begin_writing
from seci.jobs.models import FINISHED, Job, JobStatus
from seci.jobs.queue import announce
from seci.jobs.runner import JobContext
from seci.jobs.service import create_job
from seci.mining import extract
from seci.mining.service import Answerability, analyse, store_run

MINING_RUN = "mining.run"
MINING_EXTRACT = "mining.extract"
DEFAULT_WEEKS = 13  # a run without a period mines the latest quarter
SHARD_CALLS = 100_000  # pending calls above which extraction is split for other workers
WAIT_SECONDS = 1.0
Parsed = tuple[list[extract.Extracted], dict[int, tuple[str, str]]]


def parse_processes() -> int:
    """Processes that parse transcripts in a large run: ``SECI_MINING_PROCESSES``, else one
    per core. Parsing (normalisation, segmentation, hashing) is most of a run's time and is
    pure Python, so threads would not help; processes do."""
    configured = os.environ.get("SECI_MINING_PROCESSES", "").strip()
    if configured.isdigit() and int(configured) > 0:
        return int(configured)
    return max(1, os.cpu_count() or 1)


def _parse_chunk(rows: list[extract.Pending]) -> Parsed:
    """What a pool process runs (by name: pickled as this module's function)."""
    return extract.parse_rows(rows)


class _Parser:
    """Parses batches in this process, or, once a run proves large (a whole batch
    pending), in a pool of processes while this one reads the next batch and writes the
    previous. Spawned, not forked: the web server's job thread may run this, and forking a
    process with threads is unsafe."""

    def __init__(self, processes: int) -> None:
        self.processes = processes
        self.pool: ProcessPoolExecutor | None = None

    def submit(self, rows: list[extract.Pending]) -> Callable[[], Parsed]:
        if self.pool is None and self.processes > 1 and len(rows) >= extract.BATCH:
            self.pool = ProcessPoolExecutor(self.processes, mp_context=get_context("spawn"))
        if self.pool is None:
            done = extract.parse_rows(rows)
            return lambda: done
        size = -(-len(rows) // self.processes)
        futures = [self.pool.submit(_parse_chunk, rows[i:i + size])
                   for i in range(0, len(rows), size)]

        def collect() -> Parsed:
            extracted: list[extract.Extracted] = []
            texts: dict[int, tuple[str, str]] = {}
            for future in futures:
                part, part_texts = future.result()
                extracted.extend(part)
                texts.update(part_texts)
            return extracted, texts
        return collect

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(cancel_futures=True)


def extract_pending(factory: sessionmaker[Session], *, id_range: tuple[int, int] | None = None,
                    progress: Any = None, processes: int | None = None) -> int:
    """Extract every call without current features (in the range), committing per batch;
    reading and writing are separate transactions (SQLite's single writer waits less).
    The next batch is read while the pool parses the current one; ``processes=1`` parses
    here (an rq worker's shard: the workers are the parallelism)."""
    done, after = 0, 0
    parser = _Parser(processes or parse_processes())
    parsing: Callable[[], Parsed] | None = None
    try:
        with factory() as session:
            while True:
                rows, after = extract.pending_rows(session, id_range=id_range,
                                                   after_id=after)
                session.rollback()
                next_parse = parser.submit(rows) if rows else None
                if parsing is not None:
                    done += _write(session, *parsing())
                    if progress is not None:
                        progress(done)
                if next_parse is None:
                    return done
                parsing = next_parse
    finally:
        parser.close()


def _write(session: Session, extracted: list[extract.Extracted],
           texts: dict[int, tuple[str, str]]) -> int:
    begin_writing(session)
    extract.write_batch(session, extracted, texts)
    session.commit()
    return len(extracted)


def mining_extract_task(context: JobContext) -> dict[str, Any]:
    low, high = context.params["range"]
    done = extract_pending(context.session_factory, id_range=(int(low), int(high)),
                           progress=lambda n: context.report("extracting", n, None),
                           processes=1)
    return {"calls": done}


def _actor(factory: sessionmaker[Session], user_id: int | None) -> User:
    if user_id is None:
        return system_actor()
    with factory() as session:
        user = session.get(User, user_id)
        return user if user is not None else system_actor()


def _shard(context: JobContext) -> list[int]:
    """Queue extraction shards when much is pending; returns their job ids."""
    factory = context.session_factory
    with factory() as session:
        pending = extract.count_pending(session)
        shards = int(context.params.get("shards") or 0) or max(1, pending // SHARD_CALLS)
        if pending < SHARD_CALLS or shards < 2:
            return []
        ranges = extract.id_ranges(session, shards=shards)
        jobs = [create_job(session, kind=MINING_EXTRACT, created_by=None,
                           params={"range": list(r), "parent": context.job_id})
                for r in ranges]
        session.commit()
        ids = [job.id for job in jobs]
    announce(len(ids))
    return ids


def _wait_for(factory: sessionmaker[Session], job_ids: list[int]) -> None:
    while job_ids:
        with factory() as session:
            statuses = session.execute(select(Job.status).where(Job.id.in_(job_ids))).scalars()
            if all(JobStatus(s) in FINISHED for s in statuses):
                return
        time.sleep(WAIT_SECONDS)


def answerability_with_search(factory: sessionmaker[Session]) -> Answerability:
    """Whether search answers example questions confidently (a gap's search evidence)."""
    from seci.retrieval.engine import SearchEngine
    from seci.retrieval.service import search

    engine = SearchEngine()
    actor = system_actor()

    def answered(questions: list[str]) -> float | None:
        if not questions:
            return None
        with factory() as session:
            results = [search(session, engine=engine, user=actor, query=q[:200],
                              snippets=False) for q in questions]
            session.rollback()
        return sum(r.confident for r in results) / len(results)

    return answered


def run_mining(factory: sessionmaker[Session], *, actor: User, period: Period,
               progress: Any = None, search: bool = True) -> int:
    """Extract what is new, analyse, store the run; returns the run's id."""
    step = progress or (lambda _phase, _done=0, _total=None: None)
    extract_pending(factory, progress=lambda n: step("extracting", n, None))
    answerability = answerability_with_search(factory) if search else None
    with factory() as session:
        findings, calls = analyse(session, actor=actor, period=period,
                                  answerability=answerability,
                                  progress=lambda phase: step(phase, 0, None))
        # The analysis only read; the job's progress commits from other connections
        # meanwhile, so the write starts its own transaction as a writer (SQLite refuses a
        # read transaction that turns into a write after another connection committed).
        session.rollback()
        step("saving", 0, None)  # before taking the write lock: progress writes too
        begin_writing(session)
        run = store_run(session, actor=actor, period=period, findings=findings, calls=calls)
        session.commit()
        return run.id


def mining_run_task(context: JobContext) -> dict[str, Any]:
    params = context.params
    shards = _shard(context)
    if shards:
        context.report("extracting", 0, None)
        context.run_queued((MINING_EXTRACT,))
        _wait_for(context.session_factory, shards)
    period = Period(date.fromisoformat(params["start"]) if params.get("start") else None,
                    date.fromisoformat(params["end"]) if params.get("end") else None)
    if period.start is None and period.end is None:
        with context.session_factory() as session:
            period = default_period(session, actor=system_actor(), weeks=DEFAULT_WEEKS)
    run_id = run_mining(context.session_factory,
                        actor=_actor(context.session_factory, context.created_by_id),
                        period=period, progress=context.report,
                        search=bool(params.get("search", True)))
    return {"run_id": run_id, "shards": len(shards)}


def queue_mining(session: Session, *, actor: User | None, period: Period,
                 shards: int | None = None) -> Job:
    """A mining run as a job (one at a time: an already queued run is reused)."""
    waiting = session.scalar(select(Job).where(Job.kind == MINING_RUN,
                                               Job.status == JobStatus.QUEUED))
    if waiting is not None:
        return waiting
    return create_job(session, kind=MINING_RUN, created_by=actor, params={
        "start": period.start.isoformat() if period.start else None,
        "end": period.end.isoformat() if period.end else None, "shards": shards})
