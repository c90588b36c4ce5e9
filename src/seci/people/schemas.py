"""API shapes of competency assessment (/api/v1/competency)."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field

from seci.core.clock import UtcDateTime


class QuestionSchema(BaseModel):
    id: int | None = Field(default=None, description="Set in answers; ignored when written")
    text: str = Field(max_length=300)
    anchor_1: str = Field(max_length=200, description="What a 1 looks like")
    anchor_3: str = Field(max_length=200, description="What a 3 looks like")
    anchor_5: str = Field(max_length=200, description="What a 5 looks like")


class ItemSchema(BaseModel):
    id: int | None = None
    name: str = Field(max_length=80)
    description: str = Field(default="", max_length=500)
    questions: list[QuestionSchema] = Field(max_length=20)


class DimensionSchema(BaseModel):
    id: int | None = None
    name: str = Field(max_length=80)
    description: str = Field(default="", max_length=500)
    items: list[ItemSchema] = Field(max_length=20)


class ModelWrite(BaseModel):
    name: str = Field(max_length=80)
    description: str = Field(default="", max_length=1000)
    dimensions: list[DimensionSchema] = Field(max_length=10)


class ModelCreate(BaseModel):
    from_template: bool = Field(default=False, description="Make it from the shipped template "
                                "(source 003: 3 dimensions, 11 items, 33 questions)")
    copy_of: int | None = Field(default=None, description="Or copy this model")
    name: str | None = Field(default=None, max_length=80)
    model: ModelWrite | None = Field(default=None, description="Or this full tree")


class ModelRead(ModelWrite):
    id: int | None = Field(description="Null for the template")
    archived: bool = False
    in_use: bool = Field(default=False, description="Used by a round: can no longer change")


class ModelSummary(BaseModel):
    id: int
    name: str
    archived: bool
    in_use: bool


class RoundCreate(BaseModel):
    model_id: int
    team: str = Field(max_length=40)
    title: str = Field(max_length=120)
    deadline: date
    self_weight: int = Field(default=20, ge=0, le=100)
    supervisor_weight: int = Field(default=40, ge=0, le=100)
    peer_weight: int = Field(default=40, ge=0, le=100)
    peers_per_agent: int = Field(default=3, ge=0, le=6)


class RelationCount(BaseModel):
    relation: str
    submitted: int
    forms: int


class RaterRead(BaseModel):
    rater: str
    username: str
    forms: int
    submitted: int
    late: int


class RoundRead(BaseModel):
    id: int
    model_id: int
    team: str
    title: str
    status: str
    deadline: date
    weights: dict[str, int]
    peers_per_agent: int
    opened_at: UtcDateTime
    closed_at: UtcDateTime | None


class CompletionRead(BaseModel):
    forms: int
    submitted: int
    share: float | None
    by_relation: list[RelationCount]
    raters: list[RaterRead]
    agents_without_login: list[str] = Field(description="Work numbers rated without a "
                                            "self form (no SECI login)")


class RoundDetail(RoundRead):
    completion: CompletionRead


class ScoreRead(BaseModel):
    self: float | None
    supervisor: float | None = Field(description="Null in an agent's own results")
    peer: float | None = Field(description="Null in an agent's own results")
    others: float | None
    combined: float | None
    gap: float | None = Field(description="self − others")


class NamedScore(BaseModel):
    name: str
    dimension: str | None = None
    score: ScoreRead


class PersonRead(BaseModel):
    agent_id: str
    name: str
    overall: ScoreRead
    dimensions: list[NamedScore]
    items: list[NamedScore]
    weak_items: list[str]
    forms: dict[str, int]


class TeamFigureRead(BaseModel):
    name: str
    mean: float | None
    n: int
    ci: list[float] | None
    self_mean: float | None
    others_mean: float | None
    gap: float | None
    alpha: float | None = Field(default=None, description="Cronbach's α (dimensions)")
    alpha_n: int = 0


class TeamResultRead(BaseModel):
    round: RoundRead
    overall: TeamFigureRead
    dimensions: list[TeamFigureRead]
    items: list[TeamFigureRead]
    weak_items: list[str]
    people: list[PersonRead]


class OwnResultRead(BaseModel):
    round: RoundRead
    person: PersonRead
    team_items: list[TeamFigureRead]
    comments: list[str]


class CorrelationFigure(BaseModel):
    method: str
    r: float
    n: int
    ci: list[float]
    p_value: float


class CorrelationPoint(BaseModel):
    agent_id: str
    competency: float
    performance: float


class CorrelationRead(BaseModel):
    measure: str
    score: str
    n: int
    need: int
    pearson: CorrelationFigure | None
    spearman: CorrelationFigure | None
    points: list[CorrelationPoint]


class FiguresWrite(BaseModel):
    values: dict[str, float] = Field(description="Work number → value")


class FormSummary(BaseModel):
    id: int
    round_id: int
    round_title: str
    rated_agent: str
    rated_name: str
    relation: str
    status: str
    deadline: date
    late: bool
    answered: int
    questions: int


class FormRead(FormSummary):
    comment: str
    model: ModelRead
    answers: dict[int, int] = Field(description="Question id → score 1–5")


class FormWrite(BaseModel):
    scores: dict[int, int | None] = Field(default_factory=dict,
                                          description="Question id → 1–5, null to clear")
    comment: str | None = Field(default=None, max_length=2000)
    submit: bool = False


class ProfileWrite(BaseModel):
    gender: str | None = Field(default=None, description="female or male")
    birth_year: int | None = None
    education: str | None = Field(default=None, description="secondary, college, bachelor, master")
    rank: str | None = Field(default=None, max_length=40)
    communication_style: str | None = Field(
        default=None, description="amiable, expressive, analytical or driver")


class FacetRead(BaseModel):
    value: str
    count: int
    share: float


class TeamProfileRead(BaseModel):
    team: str
    size: int
    facets: dict[str, list[FacetRead]]
