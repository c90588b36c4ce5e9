"""Creating, claiming, reporting on and finishing jobs.

A job row is the record of the work: the process that runs it claims it with a
conditional update (so two processes never run the same job), beats a heartbeat while it
works, and writes the outcome in one update at the end. Progress is written at most once a
second, in a short transaction of its own, so the UI of any server process can show it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from seci.accounts.models import User
from seci.accounts.roles import Role
from seci.core.clock import utcnow
from seci.jobs.errors import JobNotFound
from seci.jobs.models import Job, JobStatus

# A running job whose heartbeat is older than this was left by a process that died (a
# heartbeat may be skipped while the job itself holds SQLite's write lock in a merge).
STALE_AFTER = timedelta(minutes=5)
MAX_ATTEMPTS = 3


def create_job(session: Session, *, kind: str, params: dict[str, Any],
               created_by: User | None, total: int | None = None) -> Job:
    """Queue a job; the caller's domain has already decided the actor may start it."""
    job = Job(kind=kind, params=params, status=JobStatus.QUEUED, total=total,
              created_by_id=created_by.id if created_by else None, created_at=utcnow())
    session.add(job)
    session.flush()
    return job


def may_see_job(user: User, job: Job) -> bool:
    """Whoever started a job follows it; administrators see every job."""
    return job.created_by_id == user.id or Role.ADMIN in user.roles


def get_job(session: Session, *, job_id: int, actor: User) -> Job:
    job = session.get(Job, job_id)
    if job is None or not may_see_job(actor, job):
        raise JobNotFound()
    return job


def list_jobs(session: Session, *, kinds: Sequence[str], limit: int = 20) -> list[Job]:
    """The latest jobs of some kinds (domains decide who may see their history)."""
    return list(session.scalars(select(Job).where(Job.kind.in_(kinds))
                                .order_by(Job.id.desc()).limit(limit)))


def claim_job(session: Session, *, job_id: int, now: datetime | None = None) -> bool:
    """Mark a queued job as running; False when another process took it first."""
    now = now or utcnow()
    result = session.execute(
        update(Job).where(Job.id == job_id, Job.status == JobStatus.QUEUED)
        .values(status=JobStatus.RUNNING, started_at=now, heartbeat_at=now,
                attempts=Job.attempts + 1, phase="", done=0)
        .execution_options(synchronize_session=False))
    return bool(getattr(result, "rowcount", 0) == 1)


def queued_job_ids(session: Session, *, kinds: Sequence[str], limit: int = 10) -> list[int]:
    return list(session.scalars(select(Job.id).where(
        Job.status == JobStatus.QUEUED, Job.kind.in_(kinds)).order_by(Job.id).limit(limit)))


def report_progress(session: Session, *, job_id: int, phase: str, done: int,
                    total: int | None) -> None:
    session.execute(update(Job).where(Job.id == job_id, Job.status == JobStatus.RUNNING)
                    .values(phase=phase, done=done, total=total, heartbeat_at=utcnow())
                    .execution_options(synchronize_session=False))


def finish_job(session: Session, *, job_id: int, status: JobStatus,
               result: dict[str, Any] | None = None,
               error: dict[str, Any] | None = None) -> None:
    session.execute(update(Job).where(Job.id == job_id).values(
        status=status, result=result, error=error, finished_at=utcnow(),
        heartbeat_at=utcnow()).execution_options(synchronize_session=False))


def requeue_abandoned(session: Session, *, now: datetime | None = None) -> list[int]:
    """Jobs left running by a process that died go back in the queue (their work is
    atomic, so nothing half-written remains); after MAX_ATTEMPTS they are marked crashed."""
    now = now or utcnow()
    stale = list(session.scalars(select(Job).where(
        Job.status == JobStatus.RUNNING, Job.heartbeat_at < now - STALE_AFTER)))
    requeued = []
    for job in stale:
        if job.attempts >= MAX_ATTEMPTS:
            job.status = JobStatus.CRASHED
            job.error = {"code": "job_abandoned", "params": {"attempts": job.attempts}}
            job.finished_at = now
        else:
            job.status = JobStatus.QUEUED
            requeued.append(job.id)
    session.flush()
    return requeued


def touch(session: Session, *, job_id: int) -> None:
    session.execute(update(Job).where(Job.id == job_id, Job.status == JobStatus.RUNNING)
                    .values(heartbeat_at=utcnow()).execution_options(synchronize_session=False))
