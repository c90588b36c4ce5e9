"""Jobs of the search domain: calibrating the confidence model on the served knowledge base
(thin: sessions, the service, progress)."""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from seci.accounts.models import User
from seci.accounts.service import system_actor
from seci.core.clock import utcnow
from seci.jobs.models import Job, JobStatus
from seci.jobs.runner import JobContext
from seci.jobs.service import create_job
from seci.retrieval.engine import SearchEngine
from seci.retrieval.served_calibration import (
    REFIT_AFTER,
    Progress,
    calibration_due,
    fit_served_calibration,
    require_calibration_rights,
)

CALIBRATE_JOB = "search.calibrate"
logger = logging.getLogger("seci.retrieval")


def run_calibration(factory: sessionmaker[Session], *, actor: User,
                    progress: Progress | None = None) -> int:
    """Build an engine of its own (the job may run in a worker with no server's engine),
    fit and store the calibration; returns its id."""
    engine = SearchEngine()
    with factory() as session:
        try:
            row = fit_served_calibration(session, engine=engine, actor=actor,
                                         progress=progress or _quiet)
            session.commit()
            return row.id
        except BaseException:
            session.rollback()
            raise


def _actor(factory: sessionmaker[Session], user_id: int | None) -> User:
    if user_id is None:
        return system_actor()
    with factory() as session:
        user = session.get(User, user_id)
        return user if user is not None else system_actor()


def _quiet(_phase: str, _done: int, _total: int | None) -> None:
    return None


def calibrate_task(context: JobContext) -> dict[str, Any]:
    actor = _actor(context.session_factory, context.created_by_id)
    calibration_id = run_calibration(context.session_factory, actor=actor,
                                     progress=context.report)
    return {"calibration_id": calibration_id}


def queue_calibration(session: Session, *, actor: User | None) -> Job:
    """A calibration as a job (one at a time: one already waiting or running is reused).
    ``actor`` None: the search sync's automatic refit."""
    if actor is not None:
        require_calibration_rights(actor)
    waiting = session.scalar(select(Job).where(
        Job.kind == CALIBRATE_JOB, Job.status.in_([JobStatus.QUEUED, JobStatus.RUNNING])))
    if waiting is not None:
        return waiting
    return create_job(session, kind=CALIBRATE_JOB, params={}, created_by=actor)


def pending_calibration(session: Session, *, actor: User) -> Job | None:
    """The calibration job waiting or running, if any (for the calibration page)."""
    require_calibration_rights(actor)
    return session.scalar(select(Job).where(
        Job.kind == CALIBRATE_JOB, Job.status.in_([JobStatus.QUEUED, JobStatus.RUNNING]))
        .limit(1))


def queue_calibration_if_due(session: Session, engine: SearchEngine) -> bool:
    """Called by each server's search sync: queue a refit when the KB changed (or was never
    calibrated). Returns True when a job was queued."""
    if not calibration_due(session, engine):
        return False
    # One automatic attempt per REFIT_AFTER: a job waiting, running, or one that failed
    # recently (its error is in the job; retrying every minute would not fix it).
    recent = session.scalar(select(Job.id).where(
        Job.kind == CALIBRATE_JOB,
        Job.status.in_([JobStatus.QUEUED, JobStatus.RUNNING])
        | (Job.created_at >= utcnow() - REFIT_AFTER)))
    if recent is not None:
        return False
    queue_calibration(session, actor=None)
    logger.info("search calibration queued (knowledge base changed)")
    return True
