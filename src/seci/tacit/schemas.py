"""Request and response bodies of the tacit-knowledge API."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, Field

from seci.core.clock import UtcDateTime

KindName = Literal["experience", "method", "case", "script", "question"]
SourceName = Literal["self", "coaching", "interview", "sharing", "brainstorm", "data_mining"]
CategoryName = Literal["experience", "method", "case", "question", "department"]


class ContributionCreate(BaseModel):
    title: str = Field(max_length=200, examples=["投诉工单拦截四步法"])
    content: str = Field(description="Markdown", examples=["1. 先查询历史工单 …"])
    kind: KindName
    source: SourceName = "self"
    method_name: str | None = Field(default=None, max_length=120,
                                    examples=["雪豹小组工单拦截四步曲"])
    queues: list[str] = Field(default_factory=list, description="Queue codes it applies to")
    author_id: int | None = Field(default=None, description=(
        "Record on behalf of this user (supervisors, trainers, managers)"))


class ScreeningDecision(BaseModel):
    decision: Literal["reject", "merge", "route", "trial"]
    category: CategoryName
    timely: int = Field(ge=1, le=5)
    usable: int = Field(ge=1, le=5)
    accurate: int = Field(ge=1, le=5)
    generality: int = Field(ge=1, le=5)
    reason: str = Field(default="", description="Required to reject")
    article_id: int | None = Field(default=None, description="merge: the article")
    department: str | None = Field(default=None, description="route: the department")
    answer_due: date | None = Field(default=None, description="route: answer by")
    team: str | None = Field(default=None, description="trial: the team")
    trial_from: date | None = None
    trial_to: date | None = None


class NoteRequest(BaseModel):
    note: str = Field(min_length=1)


class AnswerRequest(BaseModel):
    answer: str = Field(min_length=1)


class ReasonRequest(BaseModel):
    reason: str = Field(min_length=1)


class PromotionRequest(BaseModel):
    evaluation_owner_id: int
    evaluation_due: date
    comparison_team: str | None = None
    queues: list[str] | None = Field(default=None,
                                     description="Queues to push to (default: as submitted)")


class FigureIn(BaseModel):
    metric: Literal["fcr", "satisfaction", "repeat_complaints", "handling_time"]
    team: Literal["trial", "comparison"]
    phase: Literal["before", "after"]
    period: str = ""
    n: int = Field(ge=1)
    successes: int | None = Field(default=None, ge=0, description="Proportions")
    mean: float | None = Field(default=None, description="Means (e.g. handling time, s)")
    sd: float | None = Field(default=None, ge=0)


class CloseRequest(BaseModel):
    verdict: Literal["effective", "not_effective"]
    conclusion: str = Field(min_length=1)


class EventRead(BaseModel):
    at: UtcDateTime
    actor: str | None
    kind: str
    from_status: str | None
    to_status: str | None
    note: str


class PointRead(BaseModel):
    user: str | None
    reason_code: str
    points: int
    awarded_at: UtcDateTime


class FigureRead(FigureIn):
    pass


class ResultRead(BaseModel):
    metric: str
    comparison: str
    test: str
    effect: float
    statistic: float
    p_value: float
    significant: bool
    improved: bool
    in_words: str = Field(examples=["提升0.56个百分点, p=0.03, 显著"])


class EvaluationRead(BaseModel):
    owner: str | None
    due_date: date
    trial_team: str
    comparison_team: str | None
    status: str
    verdict: str | None
    conclusion: str | None
    figures: list[FigureRead]
    results: list[ResultRead]


class ContributionSummary(BaseModel):
    id: int
    title: str
    method_name: str | None
    kind: str
    source: str
    status: str
    step: str
    author: str | None
    team: str | None
    created_at: UtcDateTime
    status_since: UtcDateTime


class ContributionRead(ContributionSummary):
    content: str
    queues: list[str]
    recorded_by: str | None
    category: str | None
    scores: dict[str, int | None]
    decision_reason: str | None
    merged_article_id: int | None
    route_department: str | None
    route_due: date | None
    route_answer: str | None
    trial_team: str | None
    trial_from: date | None
    trial_to: date | None
    article_id: int | None
    days_per_step: dict[str, float]
    history: list[EventRead]
    points: list[PointRead]
    evaluation: EvaluationRead | None


class SimilarRead(BaseModel):
    article_id: int
    code: str
    title: str
    confidence: float


class StepTimingRead(BaseModel):
    step: str
    finished: int
    median_days: float | None
    p90_days: float | None
    waiting: int
    stuck: int


class StuckRead(BaseModel):
    contribution_id: int
    title: str
    step: str
    days: float


class TimingsRead(BaseModel):
    steps: list[StepTimingRead]
    stuck: list[StuckRead]


class IssueCreate(BaseModel):
    step: Literal["mining", "screening", "promotion", "evaluation", "incentives",
                  "improvement"]
    description: str = Field(min_length=1)


class IssueResolve(BaseModel):
    resolution: str = Field(min_length=1)


class IssueRead(BaseModel):
    id: int
    step: str
    description: str
    raised_by: str | None
    status: str
    resolution: str | None
    created_at: UtcDateTime


class PointRuleRead(BaseModel):
    code: str
    points: int
    active: bool
    description: str


class PointRuleUpdate(BaseModel):
    points: int = Field(ge=0, le=10_000)
    active: bool = True
    description: str = ""


class PointAward(BaseModel):
    user_id: int
    reason_code: str
    source_type: str = Field(max_length=40)
    source_id: int
    points: int | None = None


class PointEntryRead(BaseModel):
    id: int
    user_id: int
    reason_code: str
    source_type: str
    source_id: int
    points: int
    awarded_at: UtcDateTime


class StandingRead(BaseModel):
    rank: int
    name: str
    team: str | None
    points: int
    user_id: int | None


class HonourCreate(BaseModel):
    kind: Literal["title", "red_flag", "benchmark"]
    title: str = Field(max_length=80, examples=["移动工匠"])
    citation: str = Field(min_length=1)
    user_id: int | None = None
    team: str | None = None
    contribution_id: int | None = None
    period: str = Field(default="", max_length=20, examples=["2026-11"])


class HonourRead(BaseModel):
    id: int
    kind: str
    title: str
    user: str | None
    team: str | None
    citation: str
    period: str
    contribution_id: int | None
    method_name: str | None
    awarded_at: UtcDateTime
