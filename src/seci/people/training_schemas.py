"""API shapes of training plans, coaching and the closed loop (/api/v1/competency)."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field

from seci.core.clock import UtcDateTime


class PlanRulesWrite(BaseModel):
    threshold: float = Field(default=3.5, description="An item is weak below this mean (1–5)")
    margin: float = Field(default=0.3, description="…or this far below the team's mean")
    due_on: date | None = Field(default=None, description="Default: in 30 days")


class PlanItemWrite(BaseModel):
    kind: str = Field(description="lesson, article, session or exam")
    title: str = Field(max_length=200)
    body: str = Field(default="", max_length=5000, description="A lesson's text")
    article_id: int | None = None
    exam_id: int | None = None
    session_at: UtcDateTime | None = Field(default=None, description="A live session's time")
    place: str = Field(default="", max_length=120)


class PlanItemRead(PlanItemWrite):
    id: int
    position: int
    source: str = Field(description="manual, weak_item, search, gap, feedback, new_knowledge")
    competency_item_id: int | None = None


class PlanWrite(BaseModel):
    title: str = Field(max_length=120)
    description: str = Field(default="", max_length=2000)
    due_on: date | None = None
    status: str = Field(default="active", description="active or closed")


class MonthlyPlanCreate(BaseModel):
    team: str = Field(max_length=40)
    month: date = Field(description="Any day of the month")
    title: str = Field(max_length=120)
    due_on: date | None = None


class AgentProgressRead(BaseModel):
    agent_id: str
    name: str
    due_on: date
    done: int
    total: int
    overdue: bool
    done_item_ids: list[int]


class PlanRead(BaseModel):
    id: int
    kind: str = Field(description="common, personal or monthly")
    team: str
    title: str
    description: str
    round_id: int | None
    agent_id: str | None = Field(description="A personal plan's agent (work number)")
    month: date | None
    due_on: date | None
    status: str
    done: int = Field(description="Items done over all assigned agents")
    total: int = Field(description="Items × assigned agents")
    share: float | None


class PlanDetail(PlanRead):
    items: list[PlanItemRead]
    agents: list[AgentProgressRead]


class AssignWrite(BaseModel):
    agent_ids: list[str] = Field(max_length=500, description="Work numbers of the team")
    due_on: date | None = None


class CompletionWrite(BaseModel):
    agent_id: str = Field(description="Work number of an assigned agent")


class ReminderRead(BaseModel):
    agent_id: str
    name: str
    plan_id: int
    plan_title: str
    open_items: int
    due_on: date
    overdue: bool
    days_left: int


class TeamProgressRead(BaseModel):
    team: str
    plans: int
    done: int
    total: int
    share: float | None
    overdue_agents: int


class OwnPlanRead(BaseModel):
    plan: PlanRead
    items: list[PlanItemRead]
    done_item_ids: list[int]
    due_on: date
    overdue: bool


class ProposalRead(BaseModel):
    key: str
    source: str = Field(description="search, gap, feedback or new_knowledge")
    kind: str
    title: str
    detail: str
    count: int
    article_id: int | None


class ProposalsWrite(BaseModel):
    month: date
    keys: list[str] = Field(max_length=100)


class PairWrite(BaseModel):
    coach: str = Field(description="Coach's work number")
    mentee: str = Field(description="Mentee's work number (same team)")
    starts_on: date
    ends_on: date
    goal: str = Field(default="", max_length=1000)
    coach_team: str = Field(default="", max_length=80, description="Coach team (带教小组)")
    round_id: int | None = Field(default=None, description="Baseline assessment round")
    target_item_id: int | None = None
    target_score: float | None = Field(default=None, description="1–5, the target item")
    target_fcr: float | None = Field(default=None, description="Share 0–1")


class PairRead(PairWrite):
    id: int
    team: str
    status: str = Field(description="active, succeeded or ended")
    outcome: str
    points: int | None


class ExamResultRead(BaseModel):
    title: str
    score_percent: float | None
    passed: bool | None
    finished_on: date | None


class PairTrackingRead(PairRead):
    item_name: str | None
    baseline_score: float | None
    latest_score: float | None
    latest_round_id: int | None
    fcr_before: float | None
    fcr_during: float | None
    calls_during: int
    exams: list[ExamResultRead]
    reached: bool | None = Field(description="Goal reached; null while a figure is missing")


class PairEndWrite(BaseModel):
    succeeded: bool
    outcome: str = Field(max_length=2000)
    honour_title: str = Field(default="", max_length=80,
                              description="Also an honour for the coach (incentive managers)")


class ReassessWrite(BaseModel):
    deadline: date
    title: str = Field(default="", max_length=120)


class StatTestRead(BaseModel):
    test: str
    effect: float
    statistic: float
    p_value: float
    df: float | None
    ci: list[float] | None
    significant: bool


class ItemChangeRead(BaseModel):
    name: str
    n: int
    before: float | None
    after: float | None
    paired_t: StatTestRead | None
    wilcoxon: StatTestRead | None
    weak_before: bool
    weak_after: bool


class KpiChangeRead(BaseModel):
    measure: str
    team_before: float | None
    team_after: float | None
    comparison_before: float | None
    comparison_after: float | None
    comparison: str = Field(description="did, before_after or none")
    test: StatTestRead | None


class DecisionRead(BaseModel):
    another_round: bool
    still_weak: list[str]
    overall_improved: bool


class LoopRead(BaseModel):
    round_id: int
    reassessment_round_id: int | None
    items: list[ItemChangeRead]
    overall: ItemChangeRead | None
    kpis: list[KpiChangeRead]
    decision: DecisionRead | None = Field(description="Null until the re-assessment closes")
