"""API shapes of certification per queue and growth stages (/api/v1/certifications,
/api/v1/stages)."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field

from seci.core.clock import UtcDateTime


class ExamRule(BaseModel):
    exam_id: int
    min_percent: float = Field(ge=1, le=100, description="Best formal attempt at least this")


class ItemRule(BaseModel):
    item_id: int = Field(description="A competency item (matched by name in the latest "
                                     "closed round of the agent's team)")
    min_score: float = Field(ge=1, le=5, description="Combined score at least this (1–5)")


class RequirementWrite(BaseModel):
    exam_rules: list[ExamRule] = Field(default_factory=list, max_length=20)
    item_rules: list[ItemRule] = Field(default_factory=list, max_length=40)
    min_stage: str | None = Field(default=None, description="new, growing or mature")
    min_fcr: float | None = Field(default=None, ge=0, le=1, description="Share 0–1, 90 days")
    min_satisfaction: float | None = Field(default=None, ge=1, le=5,
                                           description="Mean 1–5, 90 days")
    validity_months: int = Field(default=12, ge=1, le=60)


class RequirementRead(RequirementWrite):
    queue: str = Field(description="Queue code")
    queue_id: int
    gated: bool = Field(description="False: the queue has no requirements and is open")


class CheckRead(BaseModel):
    kind: str = Field(description="exam, item, stage, fcr, satisfaction (stages: tenure, "
                                  "certifications)")
    target: str = Field(description="The exam's title, the item's name, the stage or ''")
    target_id: int | None = None
    required: float | str
    actual: float | str | None = Field(description="None: no data (no attempt, not rated, "
                                                   "too few calls)")
    met: bool


class EvaluationRead(BaseModel):
    user_id: int
    username: str
    agent_id: str | None = Field(description="Work number (工号) on the roster")
    queue: str
    met: bool = Field(description="Every requirement met")
    certified: bool = Field(description="Holds a valid certification not waiting for "
                                        "re-certification")
    checks: list[CheckRead]


class CertificationRead(BaseModel):
    id: int
    user_id: int
    username: str
    team: str | None
    queue: str
    granted_at: UtcDateTime
    expires_on: date
    basis: str = Field(description="rules or manager")
    reason: str
    revoked_at: UtcDateTime | None = None
    recert_due_at: UtcDateTime | None = Field(
        default=None, description="Set when an article behind its exams changed materially")


class TeamGrantWrite(BaseModel):
    team: str = Field(max_length=40)
    queue_id: int


class TeamGrantRead(BaseModel):
    granted: list[CertificationRead]
    already: list[EvaluationRead]
    not_met: list[EvaluationRead]


class ManagerGrantWrite(BaseModel):
    user_id: int
    queue_id: int
    reason: str = Field(max_length=1000, description="Kept in the audit log")


class RevokeWrite(BaseModel):
    reason: str = Field(max_length=1000)


class StageRuleWrite(BaseModel):
    min_tenure_months: int = Field(default=0, ge=0, le=240)
    min_certifications: int = Field(default=0, ge=0, le=20)
    min_fcr: float | None = Field(default=None, ge=0, le=1)
    min_satisfaction: float | None = Field(default=None, ge=1, le=5)


class StageRuleRead(StageRuleWrite):
    stage: str = Field(description="The stage these rules let an agent enter")
    set: bool = Field(description="False: no rules yet (nobody is ready for this stage)")


class StageEvaluationRead(BaseModel):
    roster_agent_id: int
    agent_id: str
    name: str
    team: str
    stage: str
    tenure_months: int
    certifications: int
    next_stage: str | None
    ready: bool
    checks: list[CheckRead]


class StageQualityRead(BaseModel):
    stage: str
    queue: str | None = Field(description="Queue name; None: every agent of the stage")
    count: int
    mean_competency: float | None = Field(description="Mean overall score, latest closed "
                                                      "round (1–5)")
    competency_n: int
    fcr: float | None = Field(description="Pooled first-contact resolution, 90 days")
    calls: int


class MoveUpWrite(BaseModel):
    reason: str = Field(default="", max_length=1000,
                        description="Required when a manager moves up someone not ready")
