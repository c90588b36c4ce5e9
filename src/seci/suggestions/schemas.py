"""API shapes of the suggestion box."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, Field

from seci.core.clock import UtcDateTime


class SuggestionCreate(BaseModel):
    title: str = Field(max_length=200)
    body: str = Field(max_length=5000)
    category: str = Field(description="process, system, product or management")
    anonymous: bool = Field(default=False,
                            description="Hide the author from everybody but administrators")


class SuggestionRead(BaseModel):
    id: int
    title: str
    body: str
    category: str
    department: str
    status: str
    anonymous: bool
    author: str | None = Field(description="Null for anonymous suggestions, always")
    team: str | None = Field(description="Null for anonymous suggestions")
    mine: bool
    submitted_at: UtcDateTime
    due_on: date
    overdue: bool
    answered_at: UtcDateTime | None
    answered_by: str | None
    answer: str | None
    bonus_yuan: int
    red_flower: bool
    citation: str | None
    rewarded_at: UtcDateTime | None


class SuggestionAnswer(BaseModel):
    decision: Literal["adopt", "decline"]
    reason: str = Field(max_length=2000)


class SuggestionReward(BaseModel):
    bonus_yuan: int = Field(default=0, ge=0, description="花红, whole yuan")
    red_flower: bool = Field(default=False, description="红花 honour")
    citation: str = Field(default="", max_length=400)


class CategoryRead(BaseModel):
    code: str
    department: str
    answer_days: int


class CategoryUpdate(BaseModel):
    department: str
    answer_days: int


class RateRead(BaseModel):
    part: int
    whole: int
    value: float | None


class TeamFiguresRead(BaseModel):
    team: str
    submitted: int
    adoption: RateRead
    median_days_to_answer: float | None


class MonthlyCountRead(BaseModel):
    month: str
    team: str
    submitted: int
    adopted: int
    declined: int


class StatsRead(BaseModel):
    total: int
    adoption: RateRead
    median_days_to_answer: float | None
    teams: list[TeamFiguresRead]
    months: list[MonthlyCountRead]
