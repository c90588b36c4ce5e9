"""REST API of transcript mining under /api/v1/mining: runs (as background jobs), their
findings, routing recommendations, and turning a finding into knowledge."""

from __future__ import annotations

from datetime import UTC, date
from typing import Any

from fastapi import APIRouter, BackgroundTasks, Request, status
from pydantic import BaseModel, Field

from seci.calls.kpis import Period
from seci.calls.schemas import JobRead
from seci.core.clock import UtcDateTime
from seci.core.http import CurrentUser, SessionDep
from seci.jobs.routes import job_read, runner_of
from seci.mining import actions, service
from seci.mining.models import MiningRun
from seci.mining.tasks import queue_mining

router = APIRouter(prefix="/api/v1/mining", tags=["mining"])

ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"description": "Not logged in (problem details)"},
    403: {"description": "Permission denied (problem details)"},
    404: {"description": "No such run (problem details)"},
    422: {"description": "Invalid input, e.g. not enough calls (problem details)"},
}


class RunRequest(BaseModel):
    start: date | None = Field(default=None, description="First local day; default: the "
                                                         "latest 13 weeks")
    end: date | None = None


class RunSummary(BaseModel):
    id: int
    start: date | None
    end: date | None
    calls: int
    created_at: UtcDateTime


class RunRead(RunSummary):
    findings: dict[str, Any] = Field(description="golden_scripts, hot_topics, "
                                                 "knowledge_gaps, agent_matching, "
                                                 "recommendations, long_calls, topics")


class Created(BaseModel):
    id: int
    url: str


class DraftRequest(BaseModel):
    module_id: int = Field(ge=1, le=2**31 - 1)
    title: str = Field(default="", max_length=200)


def summary(run: MiningRun) -> RunSummary:
    return RunSummary(id=run.id, start=run.start, end=run.end, calls=run.calls,
                      created_at=run.created_at.replace(tzinfo=UTC))


def read(run: MiningRun) -> RunRead:
    return RunRead(**summary(run).model_dump(), findings=run.findings)


@router.post("/runs", status_code=status.HTTP_202_ACCEPTED, responses=ERRORS)
def start_run(body: RunRequest, request: Request, db: SessionDep, user: CurrentUser,
              background: BackgroundTasks) -> JobRead:
    """Mine the period's transcripts in the background; follow it at /api/v1/jobs/{id}."""
    service.require_mining(user)
    job = queue_mining(db, actor=user, period=Period(body.start, body.end))
    runner = runner_of(request)
    if runner is not None:
        background.add_task(runner.wake)
    return job_read(job, None)


@router.get("/runs", responses=ERRORS)
def list_runs(db: SessionDep, user: CurrentUser) -> list[RunSummary]:
    return [summary(r) for r in service.list_runs(db, actor=user)]


@router.get("/runs/latest", responses=ERRORS)
def latest_run(db: SessionDep, user: CurrentUser) -> RunRead | None:
    """The latest findings (null before the first run)."""
    run = service.latest_run(db, actor=user)
    return read(run) if run is not None else None


@router.get("/runs/{run_id}", responses=ERRORS)
def get_run(run_id: int, db: SessionDep, user: CurrentUser) -> RunRead:
    return read(service.get_run(db, actor=user, run_id=run_id))


@router.get("/recommendations", responses=ERRORS)
def recommendations(db: SessionDep, user: CurrentUser, topic: str,
                    queue: str | None = None) -> list[str]:
    """Agent ids best at a topic (in a queue), from the latest run: for a routing system
    or a team lead."""
    run = service.latest_run(db, actor=user)
    return service.recommended_agents(run, topic=topic, queue=queue) if run else []


@router.post("/runs/{run_id}/golden/{index}/contribution", status_code=201, responses=ERRORS)
def golden_contribution(run_id: int, index: int, db: SessionDep, user: CurrentUser
                        ) -> Created:
    """The golden script becomes a 话术 contribution in the six-step pipeline."""
    run = service.get_run(db, actor=user, run_id=run_id)
    made = actions.golden_script_contribution(db, actor=user, run=run, index=index)
    return Created(id=made.id, url=f"/tacit/contributions/{made.id}")


@router.post("/runs/{run_id}/gaps/{index}/article", status_code=201, responses=ERRORS)
def gap_article(run_id: int, index: int, body: DraftRequest, db: SessionDep,
                user: CurrentUser) -> Created:
    """A draft article for the gap, its customers' questions as similar questions."""
    run = service.get_run(db, actor=user, run_id=run_id)
    article = actions.gap_draft_article(db, actor=user, run=run, index=index,
                                        module_id=body.module_id, title=body.title)
    return Created(id=article.id, url=f"/kb/articles/{article.id}/edit")


@router.post("/runs/{run_id}/gaps/{index}/contribution", status_code=201, responses=ERRORS)
def gap_contribution(run_id: int, index: int, db: SessionDep, user: CurrentUser) -> Created:
    run = service.get_run(db, actor=user, run_id=run_id)
    made = actions.gap_contribution(db, actor=user, run=run, index=index)
    return Created(id=made.id, url=f"/tacit/contributions/{made.id}")
