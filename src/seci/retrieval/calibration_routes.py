"""REST for the served calibration: what the confidence model and the assistant's thresholds
are now, and a refit in the background (knowledge managers and administrators)."""

from __future__ import annotations

from datetime import UTC
from typing import Any

from fastapi import APIRouter, BackgroundTasks, Request, status
from pydantic import BaseModel, Field

from seci.calls.schemas import JobRead
from seci.core.clock import UtcDateTime
from seci.core.http import CurrentUser, SessionDep
from seci.jobs.routes import job_read, runner_of
from seci.retrieval.models import SearchCalibration
from seci.retrieval.served_calibration import recent_calibrations
from seci.retrieval.tasks import queue_calibration

router = APIRouter(prefix="/api/v1/search", tags=["search"])

ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"description": "Not logged in (problem details)"},
    403: {"description": "Permission denied (problem details)"},
}


class ReliabilityBin(BaseModel):
    low: float
    high: float
    count: int
    predicted: float = Field(description="Mean confidence of the top hits in the bin")
    observed: float = Field(description="Share of them that were the right article")


class CalibrationRead(BaseModel):
    id: int
    fitted_at: UtcDateTime
    status: str = Field(description="fitted, or too_few (the prior stays in force)")
    matcher_kind: str
    articles: int
    held_out: int = Field(description="Questions asked of an engine that never saw them")
    from_log: int = Field(description="Of which confirmed pairs from the search log")
    coefficients: dict[str, float]
    thresholds: dict[str, float] = Field(
        description="answer: best hit sent alone at or above; choices: summed confidence "
                    "of the offered hits at or above which choices are offered; member: a "
                    "runner-up's confidence to join the choices")
    reliability: list[ReliabilityBin]
    expected_calibration_error: float | None
    brier: float | None
    prior_expected_calibration_error: float | None
    outcomes: dict[str, float] = Field(
        description="What the thresholds do on the held-out questions (shares)")


def _read(row: SearchCalibration) -> CalibrationRead:
    report = row.report or {}
    return CalibrationRead(
        id=row.id, fitted_at=row.fitted_at.replace(tzinfo=UTC), status=row.status,
        matcher_kind=row.matcher_kind, articles=row.articles, held_out=row.held_out,
        from_log=row.from_log, coefficients=row.coefficients,
        thresholds={k: float(v) for k, v in row.thresholds.items()},
        reliability=[ReliabilityBin(**b) for b in report.get("reliability", [])],
        expected_calibration_error=report.get("ece"), brier=report.get("brier"),
        prior_expected_calibration_error=report.get("prior_ece"),
        outcomes=report.get("outcomes", {}))


@router.get("/calibration", responses=ERRORS)
def list_calibrations(db: SessionDep, user: CurrentUser) -> list[CalibrationRead]:
    """The newest fits first (the first fitted one is in force)."""
    return [_read(row) for row in recent_calibrations(db, actor=user)]


@router.post("/calibration", status_code=status.HTTP_202_ACCEPTED, responses=ERRORS)
def refit_calibration(request: Request, db: SessionDep, user: CurrentUser,
                      background: BackgroundTasks) -> JobRead:
    """Refit on the served KB in the background; follow it at /api/v1/jobs/{id}."""
    job = queue_calibration(db, actor=user)
    runner = runner_of(request)
    if runner is not None:
        background.add_task(runner.wake)
    return job_read(job, None)
