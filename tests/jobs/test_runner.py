"""The job runner: claims, outcomes, progress and jobs left behind by a dead process."""

from __future__ import annotations

import threading
import time
from datetime import timedelta
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from seci.core.clock import utcnow
from seci.core.errors import InvalidInput
from seci.jobs import service
from seci.jobs.models import Job, JobStatus
from seci.jobs.runner import JobContext, JobRunner
from tests.factories import World


def _ok(context: JobContext) -> dict[str, Any]:
    context.report("working", 5, 10)
    return {"seen": context.params["n"]}


def _refused(_context: JobContext) -> dict[str, Any]:
    raise InvalidInput(detail="bad row")


def _broken(_context: JobContext) -> dict[str, Any]:
    raise RuntimeError("bug")


TASKS = {"test.ok": _ok, "test.refused": _refused, "test.broken": _broken}


def _run(db: Session, factory: sessionmaker[Session], kind: str, world: World) -> Job:
    job = service.create_job(db, kind=kind, params={"n": 3}, created_by=world["analyst"])
    db.commit()
    JobRunner(factory, TASKS, background=False).wake()
    db.expire_all()
    found = db.get(Job, job.id)
    assert found is not None
    return found


def test_outcomes_are_recorded(db: Session, session_factory: sessionmaker[Session],
                               world: World) -> None:
    done = _run(db, session_factory, "test.ok", world)
    assert (done.status, done.result, done.attempts) == (JobStatus.SUCCEEDED, {"seen": 3}, 1)
    refused = _run(db, session_factory, "test.refused", world)
    assert refused.status == JobStatus.FAILED
    assert refused.error is not None and refused.error["code"] == "invalid_input"
    assert refused.error["params"] == {"detail": "bad row"}
    broken = _run(db, session_factory, "test.broken", world)
    assert broken.status == JobStatus.CRASHED
    assert broken.error == {"code": "job_crashed", "params": {"detail": "RuntimeError"}}


def test_a_job_is_claimed_once(db: Session, world: World) -> None:
    job = service.create_job(db, kind="test.ok", params={}, created_by=None)
    assert service.claim_job(db, job_id=job.id) is True
    assert service.claim_job(db, job_id=job.id) is False


def test_jobs_of_a_dead_process_are_queued_again_then_given_up(db: Session) -> None:
    job = service.create_job(db, kind="test.ok", params={}, created_by=None)
    service.claim_job(db, job_id=job.id)
    db.expire_all()
    assert service.requeue_abandoned(db) == []  # its heartbeat is fresh
    later = utcnow() + service.STALE_AFTER + timedelta(seconds=1)
    for _attempt in range(service.MAX_ATTEMPTS - 1):  # attempts 1 and 2 die
        db.expire_all()
        assert service.requeue_abandoned(db, now=later) == [job.id]
        assert service.claim_job(db, job_id=job.id)
    db.expire_all()
    assert service.requeue_abandoned(db, now=later + service.STALE_AFTER) == []
    db.refresh(job)
    assert (job.status, job.attempts) == (JobStatus.CRASHED, service.MAX_ATTEMPTS)


def test_only_the_starter_or_an_admin_sees_a_job(db: Session, world: World) -> None:
    job = service.create_job(db, kind="test.ok", params={}, created_by=world["analyst"])
    assert service.may_see_job(world["analyst"], job)
    assert service.may_see_job(world["admin"], job)
    assert not service.may_see_job(world["manager"], job)


def test_an_import_does_not_wait_behind_a_long_mining_run(committed_engine: Engine) -> None:
    """Lanes: a job of one lane runs while a long job of another lane is still working
    (with one thread it would wait until the long job ended; here that never happens
    until the test releases it)."""
    factory = sessionmaker(bind=committed_engine, expire_on_commit=False)
    started, release = threading.Event(), threading.Event()

    def long_run(_context: JobContext) -> dict[str, Any]:
        started.set()
        release.wait(PATIENCE_SECONDS)
        return {}

    tasks = {"mining": long_run, "import": _ok}
    runner = JobRunner(factory, tasks, poll_seconds=0.05, lanes=[("import",), ("mining",)])
    runner.start()
    try:
        mining = _queue(factory, "mining")
        runner.wake()
        assert started.wait(PATIENCE_SECONDS)
        quick = _queue(factory, "import")
        runner.wake()
        assert _wait_for_status(factory, quick, JobStatus.SUCCEEDED)
        assert _status(factory, mining) == JobStatus.RUNNING  # still held by the test
    finally:
        release.set()
        runner.stop()
    assert _wait_for_status(factory, mining, JobStatus.SUCCEEDED)


PATIENCE_SECONDS = 60.0


def _queue(factory: sessionmaker[Session], kind: str) -> int:
    with factory() as session:
        job = service.create_job(session, kind=kind, params={"n": 1}, created_by=None)
        session.commit()
        return job.id


def _status(factory: sessionmaker[Session], job_id: int) -> JobStatus:
    with factory() as session:
        job = session.get(Job, job_id)
        assert job is not None
        return JobStatus(job.status)


def _wait_for_status(factory: sessionmaker[Session], job_id: int, status: JobStatus) -> bool:
    """Whether the job reached ``status`` within the patience bound (not a speed target)."""
    pause = threading.Event()
    deadline = time.monotonic() + PATIENCE_SECONDS
    while time.monotonic() < deadline:
        if _status(factory, job_id) == status:
            return True
        pause.wait(0.05)
    return False
