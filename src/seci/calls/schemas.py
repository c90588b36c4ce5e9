"""API shapes of call records, KPIs, charts and imports. Times are UTC with their offset."""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel, Field

from seci.core.clock import UtcDateTime


class CallRead(BaseModel):
    call_id: str
    agent_id: str
    team: str
    queue: str
    started_at: UtcDateTime = Field(description="UTC, with offset")
    day: date = Field(description="Local calendar day (SECI_TIMEZONE)")
    week: date = Field(description="Monday of the local week")
    duration_s: int
    region: str
    product: str
    channel: str | None
    resolved_first_contact: bool
    satisfaction: int | None
    complaint: bool
    complaint_category: str | None
    repeat_within_7d: bool
    turn_count: int


class CallPage(BaseModel):
    total: int
    page: int
    page_size: int
    items: list[CallRead]


class TurnRead(BaseModel):
    speaker: str = Field(description="customer or agent")
    text: str = Field(description="Personal numbers were masked at import")
    start_ms: int | None


class TranscriptRead(BaseModel):
    call_id: str
    turns: list[TurnRead]


class KpiRow(BaseModel):
    """One slice: its values (only those asked for are present) and every KPI, each with
    its n and 95 % interval ``[low, high]`` (Wilson for rates, t for means)."""

    model_config = {"extra": "allow"}

    n_calls: int
    fcr: float | None
    satisfaction_mean: float | None
    satisfaction_n: int
    satisfaction_top2: float | None
    complaint_rate: float | None
    complaints: int
    repeat_complaint_rate: float | None
    repeat_7d_rate: float | None
    aht_s: float | None
    over_long_share: float | None


class ParetoRead(BaseModel):
    category: str = Field(description="Empty for complaints filed without a category")
    count: int
    share: float
    cumulative_share: float
    vital_few: bool


class ControlPoint(BaseModel):
    period: date
    n: int
    value: float | None
    center: float | None
    lower: float | None
    upper: float | None
    in_baseline: bool
    rules: list[str] = Field(description="Special-cause rules this point breaks (we1…, "
                                         "nelson1…)")


class ControlChartRead(BaseModel):
    kpi: str
    grain: str
    chart: str = Field(description="p, u, xbar (X̄-S) or individuals (I-MR)")
    center: float | None
    points: list[ControlPoint]


class FunnelPointRead(BaseModel):
    unit: str
    n: int
    value: float | None
    z: float | None
    position_95: str | None
    position_998: str | None
    lower_95: float | None
    upper_95: float | None
    lower_998: float | None
    upper_998: float | None


class FunnelRead(BaseModel):
    kpi: str
    unit: str
    target: float
    points: list[FunnelPointRead]


class HeatCell(BaseModel):
    x: date
    y: str
    value: float | None
    n: int


class HeatMapRead(BaseModel):
    kpi: str
    x: str
    y: str
    cells: list[HeatCell]


class StabilityRead(BaseModel):
    agent_id: str
    weeks: int
    calls: int
    fcr: float | None
    weekly_sd: float | None
    dispersion_ratio: float | None
    p_value: float | None


class ThresholdRead(BaseModel):
    product: str
    p95_s: int | None
    manual_s: int | None
    threshold_s: int | None
    n: int


class ThresholdUpdate(BaseModel):
    manual_s: int | None = Field(default=None, ge=1, le=86400,
                                 description="Seconds; null returns the topic to its p95")


class JobRead(BaseModel):
    id: int
    kind: str
    status: str = Field(description="queued, running, succeeded, failed, crashed")
    phase: str
    done: int
    total: int | None
    percent: float | None
    result: dict[str, Any] | None
    error: dict[str, Any] | None
    created_at: UtcDateTime
    started_at: UtcDateTime | None
    finished_at: UtcDateTime | None


class SpeedRead(BaseModel):
    process: str = Field(description="feedback_handled, linkage_closed or handoff_accepted")
    n: int
    median_hours: float | None
    p90_hours: float | None


class TurnoverRead(BaseModel):
    month: date
    team: str | None
    headcount_start: int
    headcount_end: int
    leavers: int
    joiners: int
    rate: float | None


class RosterAgentRead(BaseModel):
    agent_id: str
    name: str
    team: str
    hired_on: date
    left_on: date | None
    stage: str
    linked_user: str | None
