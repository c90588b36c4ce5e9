"""API shapes of post linkage."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field

from seci.core.clock import UtcDateTime


class NoticeCreate(BaseModel):
    title: str = Field(max_length=200)
    body: str = Field(default="", max_length=20_000, description="The notice's text")
    reference: str = Field(default="", max_length=120, description="The notice's own number")
    module_id: int = Field(description="Business module its articles go to")
    queues: list[str] = Field(description="Queue codes the notice applies to")
    effective_on: date | None = Field(default=None,
                                      description="Articles are valid from this day")
    deadlines: dict[str, date] = Field(
        default_factory=dict,
        description="Per post (business, quality, publishing, training, agents, "
                    "supervisors); missing ones get the default offsets")


class DeadlineUpdate(BaseModel):
    post: str
    due_on: date


class DraftCreate(BaseModel):
    title: str = Field(max_length=200)
    body: str = Field(max_length=100_000)
    module_id: int | None = None
    audience: str = "customer"


class PostStateRead(BaseModel):
    post: str
    status: str = Field(description="done, open (its turn) or waiting")
    due_on: date | None
    overdue: bool
    done: int
    total: int


class LinkedArticleRead(BaseModel):
    id: int
    code: str
    title: str
    status: str
    live_version_id: int | None


class NoticeRead(BaseModel):
    id: int
    title: str
    body: str
    reference: str
    module_id: int
    queues: list[str]
    effective_on: date | None
    created_at: UtcDateTime
    released_at: UtcDateTime | None
    complete: bool
    posts: list[PostStateRead]
    articles: list[LinkedArticleRead]


class OverdueRead(BaseModel):
    notice_id: int
    notice_title: str
    post: str
    due_on: date | None


class QuestionWrite(BaseModel):
    text: str = Field(max_length=500)
    options: list[str]
    answer: int = Field(description="Index of the right option, from 0")


class QuizWrite(BaseModel):
    intro: str = Field(default="", max_length=5000, description="Short training note")
    pass_percent: int = 80
    questions: list[QuestionWrite]


class QuestionRead(BaseModel):
    text: str
    options: list[str]
    answer: int | None = Field(description="Only for those who manage quizzes")


class QuizRead(BaseModel):
    intro: str
    pass_percent: int
    questions: list[QuestionRead]


class AttemptCreate(BaseModel):
    answers: list[int]


class AttemptRead(BaseModel):
    correct: int
    total: int
    score_percent: int
    passed: bool
    taken_at: UtcDateTime


class AckRead(BaseModel):
    acknowledged_articles: int


class TeamCoverageRead(BaseModel):
    team: str
    agents: int
    acknowledged: int
    passed: int
    ack_rate: float
    pass_rate: float
    missing: list[str]
    checked_by: str | None
    checked_at: UtcDateTime | None


class TeamCheckCreate(BaseModel):
    note: str = Field(default="", max_length=400)


class CallFlagCreate(BaseModel):
    article_id: int
    call_ref: str = Field(max_length=80, description="The call's number in the recorder")
    comment: str = Field(max_length=2000, description="What the agent said and what is right")
    agent_id: int | None = None


class CallFlagRead(BaseModel):
    feedback_id: int
    article_id: int
    call_ref: str
    status: str
