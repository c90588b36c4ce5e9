"""REST API of background jobs: the progress and outcome of one's own heavy work."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Request

from seci.calls.schemas import JobRead
from seci.core.http import CurrentUser, SessionDep
from seci.jobs import service
from seci.jobs.models import Job
from seci.jobs.runner import JobRunner

router = APIRouter(prefix="/api/v1/jobs", tags=["jobs"])

ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"description": "Not logged in (problem details)"},
    404: {"description": "No such job, or not yours (problem details)"},
}


def aware(moment: datetime | None) -> datetime | None:
    """Stored times are naive UTC; the API says so."""
    return moment.replace(tzinfo=UTC) if moment is not None else None


def job_read(job: Job, runner: JobRunner | None) -> JobRead:
    """The job as stored, with this process's live progress when it runs the job."""
    live = runner.live_progress(job.id) if runner is not None else None
    phase, done, total = (live.phase, live.done, live.total) if live else (
        job.phase, job.done, job.total)
    percent = round(100 * done / total, 1) if total else None
    return JobRead(id=job.id, kind=job.kind, status=job.status, phase=phase, done=done,
                   total=total, percent=percent, result=job.result, error=job.error,
                   created_at=aware(job.created_at) or job.created_at,
                   started_at=aware(job.started_at), finished_at=aware(job.finished_at))


def runner_of(request: Request) -> JobRunner | None:
    return getattr(request.app.state, "job_runner", None)


@router.get("/{job_id}", responses=ERRORS)
def get_job(job_id: int, request: Request, db: SessionDep, user: CurrentUser) -> JobRead:
    """Status and progress of a job you started (administrators: any job)."""
    return job_read(service.get_job(db, job_id=job_id, actor=user), runner_of(request))
