"""API shapes of quality inspection (质检)."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, Field

from seci.core.clock import UtcDateTime


class ItemIn(BaseModel):
    name: str = Field(max_length=200)
    description: str = Field(default="", max_length=4000)
    max_points: int = Field(description="Points the item is worth, at least 1")
    critical: bool = Field(default=False,
                           description="致命项: failing it fails the call (total 0)")


class ScorecardIn(BaseModel):
    name: str = Field(max_length=200)
    description: str = Field(default="", max_length=4000)
    pass_mark: float = Field(default=80.0, description="% of the points needed to pass, 0–100")
    items: list[ItemIn]


class ItemRead(BaseModel):
    id: int
    position: int
    name: str
    description: str
    max_points: int
    critical: bool


class ScorecardRead(BaseModel):
    id: int
    name: str
    description: str
    pass_mark: float
    active: bool
    in_use: bool = Field(description="Calls were scored with it: it can no longer change")
    max_points: int
    created_at: UtcDateTime
    items: list[ItemRead]


class ScorecardCopy(BaseModel):
    name: str | None = Field(default=None, max_length=200,
                             description="Name of the copy (default: the same name)")


class SampleCreate(BaseModel):
    name: str = Field(default="", max_length=200)
    start: date | None = Field(description="First local day of the period")
    end: date | None = Field(description="Last local day of the period (inclusive)")
    size: int = Field(description="Calls to draw (at most the population), 1–2000")
    scorecard_id: int
    dimensions: list[str] = Field(
        default_factory=list,
        description="Strata: any of time (hour bands night/morning/afternoon/evening), "
                    "duration (lt2m, 2to5m, 5to10m, ge10m), region, product")
    team: str = ""
    queue: str = ""
    product: str = ""
    region: str = ""
    agent_id: str = ""
    with_transcripts: bool = Field(default=True, description="Only calls with a transcript")
    seed: int | None = Field(default=None,
                             description="0–2147483647; random when left out (stored)")


class StratumRead(BaseModel):
    label: str
    values: dict[str, str]
    population: int
    allocated: int
    scored: int


class SampleCallRead(BaseModel):
    position: int
    call_id: str
    stratum: str
    agent_id: str
    agent_name: str
    team: str
    started_at: UtcDateTime
    duration_s: int
    region: str
    product: str
    score_id: int | None
    total: float | None
    passed: bool | None
    status: str | None = Field(description="Score status; null while not scored")


class SampleRead(BaseModel):
    id: int
    name: str
    seed: int
    population: int
    scorecard_id: int
    created_at: UtcDateTime
    created_by: str | None
    params: dict[str, Any] = Field(description="Period, filters, strata dimensions, size "
                                               "asked and drawn, as drawn")
    calls_total: int
    calls_scored: int
    strata: list[StratumRead] = Field(default_factory=list)
    calls: list[SampleCallRead] = Field(default_factory=list)


class ScoreIn(BaseModel):
    call_id: str
    sample_id: int | None = Field(default=None,
                                  description="Score a sampled call with the sample's scorecard")
    scorecard_id: int | None = Field(default=None,
                                     description="Without a sample: an active scorecard")
    points: dict[int, int] = Field(description="Item id → points given (0..max), every item")
    failed_items: list[int] = Field(default_factory=list,
                                    description="Critical items (致命项) failed")
    comment: str = Field(default="", max_length=4000)


class AppealRead(BaseModel):
    id: int
    score_id: int
    reason: str
    filed_at: UtcDateTime
    original_total: float
    decision: str | None
    decision_note: str
    decided_by: str | None
    decided_at: UtcDateTime | None


class ScoreRead(BaseModel):
    id: int
    call_id: str
    agent_id: str
    agent_name: str
    team: str
    scorecard_id: int
    sample_id: int | None
    inspector: str | None
    points: dict[str, int]
    failed_items: list[int]
    total: float
    critical_failed: bool
    passed: bool
    comment: str
    status: str = Field(description="scored, appealed, upheld or revised")
    scored_at: UtcDateTime
    appeal_deadline: UtcDateTime
    appeal: AppealRead | None


class AppealCreate(BaseModel):
    reason: str = Field(max_length=4000)


class AppealDecide(BaseModel):
    decision: Literal["upheld", "revised"]
    note: str = Field(default="", max_length=4000,
                      description="Required when upholding: the agent reads it")
    points: dict[int, int] | None = Field(default=None,
                                          description="Revising: item id → new points")
    failed_items: list[int] = Field(default_factory=list)


class AppealListRead(BaseModel):
    appeal: AppealRead
    score: ScoreRead


class FigureRead(BaseModel):
    value: float | None
    n: int
    low: float | None = Field(description="95 % interval, null when there is none")
    high: float | None


class AgentQaRead(BaseModel):
    agent_id: str
    n: int
    mean_total: FigureRead = Field(description="Mean total (%) with its t interval")
    pass_rate: FigureRead = Field(description="Share passed with its Wilson interval")
    critical_failures: int
    open_appeals: int
