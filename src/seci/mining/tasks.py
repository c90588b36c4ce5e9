"""Mining jobs: a run extracts the features of new calls (in shards that other workers
share), then analyses the period and stores what it found. Thin: sessions, commits, the
services, progress."""

from __future__ import annotations

import time
from datetime import date
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


def extract_pending(factory: sessionmaker[Session], *, id_range: tuple[int, int] | None = None,
                    progress: Any = None) -> int:
    """Extract every call without current features (in the range), committing per batch;
    reading and writing are separate transactions (SQLite's single writer waits less)."""
    done, after = 0, 0
    with factory() as session:
        while True:
            extracted, texts, after = extract.read_batch(session, id_range=id_range,
                                                         after_id=after)
            session.rollback()
            if not extracted:
                return done
            begin_writing(session)
            extract.write_batch(session, extracted, texts)
            session.commit()
            done += len(extracted)
            if progress is not None:
                progress(done)


def mining_extract_task(context: JobContext) -> dict[str, Any]:
    low, high = context.params["range"]
    done = extract_pending(context.session_factory, id_range=(int(low), int(high)),
                           progress=lambda n: context.report("extracting", n, None))
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
