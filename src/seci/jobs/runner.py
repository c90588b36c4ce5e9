"""Running jobs off the web server's event loop: worker threads in every process.

Any process may queue a job (a row); a runner claims queued jobs of the kinds it knows,
runs them one at a time per lane (a thread for each group of kinds: imports beside
mining) and records the outcome. Without Redis this is the
whole queue: runners of several server processes share the jobs table, and a job left
running by a process that died is queued again by whichever runner notices first (its
work is atomic, so nothing half-written remains). ``background=False`` (tests, the
CLI) runs queued jobs in the calling thread when woken.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from seci.core.db import begin_writing
from seci.core.errors import SeciError
from seci.jobs import service
from seci.jobs.models import Job, JobStatus
from seci.jobs.queue import announce

logger = logging.getLogger("seci.jobs")

PROGRESS_WRITE_SECONDS = 1.0
HEARTBEAT_SECONDS = 20.0
SWEEP_SECONDS = 60.0


@dataclass
class Live:
    """A running job's progress as its own process sees it (no database round trip)."""

    phase: str = ""
    done: int = 0
    total: int | None = None
    written_at: float = 0.0


@dataclass
class JobContext:
    job_id: int
    kind: str
    params: dict[str, Any]
    created_by_id: int | None
    session_factory: sessionmaker[Session]
    report: Callable[[str, int, int | None], None] = field(repr=False)
    # Run queued jobs of some kinds (the job's own shards) in this thread now.
    run_queued: Callable[[tuple[str, ...]], int] = field(repr=False, default=lambda _k: 0)


Task = Callable[[JobContext], dict[str, Any]]


def _lanes_of(kinds: tuple[str, ...], lanes: Sequence[Sequence[str]] | None
              ) -> list[tuple[str, ...]]:
    """The lanes' kinds; a kind named in no lane gets a lane of its own."""
    chosen = [tuple(k for k in lane if k in kinds) for lane in lanes or [kinds]]
    named = {k for lane in chosen for k in lane}
    return [lane for lane in chosen if lane] + [(k,) for k in kinds if k not in named]


def error_document(error: SeciError) -> dict[str, Any]:
    """What a failed job keeps of its error: the code, parameters and extra members, so
    that any page can say it in the reader's language."""
    return {"code": error.code, "message": error.message, "params": error.params,
            **error.extra()}


class JobRunner:
    """Runs queued jobs of the kinds it knows. In the background, each *lane* (a group of
    kinds) has a thread of its own: an import a manager is waiting for must not queue
    behind a mining run that takes minutes. One lane of every kind by default."""

    def __init__(self, session_factory: sessionmaker[Session], tasks: Mapping[str, Task], *,
                 background: bool = True, poll_seconds: float = 2.0,
                 lanes: Sequence[Sequence[str]] | None = None) -> None:
        self._factory = session_factory
        self._tasks = dict(tasks)
        self._background = background
        self._poll = poll_seconds
        self._lanes = _lanes_of(self.kinds, lanes)
        self._wakes = [threading.Event() for _ in self._lanes]
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._live: dict[int, Live] = {}
        self._lock = threading.Lock()
        self._inline_busy = False

    @property
    def kinds(self) -> tuple[str, ...]:
        return tuple(self._tasks)

    # --- lifecycle -------------------------------------------------------------------

    def start(self) -> None:
        if not self._background or self._threads:
            return
        self._stop.clear()
        for index, kinds in enumerate(self._lanes):
            thread = threading.Thread(target=self._loop, args=(kinds, self._wakes[index]),
                                      name=f"seci-jobs-{index}", daemon=True)
            thread.start()
            self._threads.append(thread)

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        for wake in self._wakes:
            wake.set()
        for thread in self._threads:
            thread.join(timeout)
        self._threads = []

    def wake(self, jobs: int = 1) -> None:
        """Look for queued jobs now (after a request committed ``jobs`` of them), and tell
        the workers of other processes through Redis when it is configured."""
        announce(jobs)
        if self._background:
            for wake in self._wakes:
                wake.set()
        else:
            self.run_pending()

    def join(self) -> None:
        """Wait for the worker threads (a foreground ``seci worker`` without Redis)."""
        while any(thread.is_alive() for thread in self._threads):
            for thread in self._threads:
                thread.join(1.0)

    def live_progress(self, job_id: int) -> Live | None:
        with self._lock:
            live = self._live.get(job_id)
            return Live(live.phase, live.done, live.total) if live else None

    # --- the work --------------------------------------------------------------------

    def run_pending(self) -> int:
        """Claim and run queued jobs until none is left; returns how many ran."""
        if self._inline_busy:  # a job that queues another must not run it inside itself
            return 0
        self._inline_busy = True
        try:
            ran = 0
            while not self._stop.is_set():
                job_id = self._claim_next()
                if job_id is None:
                    return ran
                self._run(job_id)
                ran += 1
            return ran
        finally:
            self._inline_busy = False

    def _run_children(self, kinds: tuple[str, ...]) -> int:
        """Jobs a running job queued for others to share (shards): this thread works on
        them too rather than wait idle."""
        ran = 0
        while (job_id := self._claim_next(kinds)) is not None:
            self._run(job_id)
            ran += 1
        return ran

    def _loop(self, kinds: tuple[str, ...], wake: threading.Event) -> None:
        last_sweep = 0.0
        while not self._stop.is_set():
            try:
                if time.monotonic() - last_sweep > SWEEP_SECONDS:
                    self._requeue_abandoned()
                    last_sweep = time.monotonic()
                while not self._stop.is_set() and (job_id := self._claim_next(kinds)):
                    self._run(job_id)
            except Exception:  # the loop must survive a database outage
                logger.exception("job runner loop failed; retrying")
            wake.wait(self._poll)
            wake.clear()

    def _requeue_abandoned(self) -> None:
        with self._factory() as session:
            begin_writing(session)
            requeued = service.requeue_abandoned(session)
            session.commit()
        if requeued:
            logger.warning("jobs %s were left running by a stopped process; queued again",
                           requeued)

    def _claim_next(self, kinds: tuple[str, ...] | None = None) -> int | None:
        with self._factory() as session:
            candidates = service.queued_job_ids(session, kinds=kinds or self.kinds)
        if not candidates:
            return None  # the usual answer of a poll: no write lock taken for it
        with self._factory() as session:
            # The claim is a conditional update: whoever claims first wins. On SQLite it
            # must be a writer from its first statement (seci.core.db.begin_writing).
            begin_writing(session)
            for job_id in candidates:
                if service.claim_job(session, job_id=job_id):
                    session.commit()
                    return job_id
            session.rollback()
        return None

    def _run(self, job_id: int) -> None:
        with self._factory() as session:
            job = session.get(Job, job_id)
            assert job is not None
            context = JobContext(job_id=job.id, kind=job.kind, params=dict(job.params),
                                 created_by_id=job.created_by_id,
                                 session_factory=self._factory,
                                 report=lambda phase, done, total: self._report(
                                     job_id, phase, done, total),
                                 run_queued=self._run_children)
        with self._lock:
            self._live[job_id] = Live()
        beat = _Heartbeat(self._factory, job_id) if self._background else None
        try:
            result = self._tasks[context.kind](context)
        except SeciError as error:
            self._finish(job_id, JobStatus.FAILED, error=error_document(error))
        except Exception as exc:
            logger.exception("job %s (%s) crashed", job_id, context.kind)
            self._finish(job_id, JobStatus.CRASHED,
                         error={"code": "job_crashed", "params": {"detail": type(exc).__name__}})
        else:
            self._finish(job_id, JobStatus.SUCCEEDED, result=result)
        finally:
            if beat is not None:
                beat.stop()
            with self._lock:
                self._live.pop(job_id, None)

    def _report(self, job_id: int, phase: str, done: int, total: int | None) -> None:
        with self._lock:
            live = self._live.setdefault(job_id, Live())
            changed_phase = live.phase != phase
            live.phase, live.done, live.total = phase, done, total
            due = changed_phase or time.monotonic() - live.written_at >= PROGRESS_WRITE_SECONDS
            if due:
                live.written_at = time.monotonic()
        if due and self._background:
            self._write_progress(job_id, phase, done, total)

    def _write_progress(self, job_id: int, phase: str, done: int, total: int | None) -> None:
        # Other processes' pages read progress from here; losing one write costs nothing.
        try:
            with self._factory() as session:
                service.report_progress(session, job_id=job_id, phase=phase, done=done,
                                        total=total)
                session.commit()
        except Exception:
            logger.debug("progress of job %s not written", job_id, exc_info=True)

    def _finish(self, job_id: int, status: JobStatus, *, result: dict[str, Any] | None = None,
                error: dict[str, Any] | None = None) -> None:
        with self._factory() as session:
            begin_writing(session)  # a job's outcome queues with the other writers
            service.finish_job(session, job_id=job_id, status=status, result=result,
                               error=error)
            session.commit()


class _Heartbeat:
    """Tells other processes a long job is alive while it works through a single long
    statement (a merge) that reports no progress."""

    def __init__(self, factory: sessionmaker[Session], job_id: int) -> None:
        self._factory = factory
        self._job_id = job_id
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._beat, name=f"seci-job-{job_id}-beat",
                                        daemon=True)
        self._thread.start()

    def _beat(self) -> None:
        while not self._stop.wait(HEARTBEAT_SECONDS):
            try:
                with self._factory() as session:
                    service.touch(session, job_id=self._job_id)
                    session.commit()
            except Exception:  # e.g. SQLite busy during the job's own merge
                logger.debug("heartbeat of job %s skipped", self._job_id, exc_info=True)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(1.0)
