"""Suggestions (金点子): categories with their owning department and answer deadline, and
the suggestions themselves with their answer and reward."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from seci.core.clock import utcnow
from seci.core.db import Base


class SuggestionStatus(StrEnum):
    SUBMITTED = "submitted"  # 待答复: waits for the owning department
    ADOPTED = "adopted"  # 已采纳
    DECLINED = "declined"  # 未采纳, with a reason
    REWARDED = "rewarded"  # 已奖励: adopted, and the 花红 / 红花 was granted
    WITHDRAWN = "withdrawn"  # 已撤回 by the author before an answer


# Answered suggestions (the denominator of the adoption rate).
ANSWERED = frozenset({SuggestionStatus.ADOPTED, SuggestionStatus.DECLINED,
                      SuggestionStatus.REWARDED})
ADOPTED = frozenset({SuggestionStatus.ADOPTED, SuggestionStatus.REWARDED})


class Department(StrEnum):
    """Departments that own suggestions; each is staffed by the holders of one role."""

    BUSINESS = "business"  # 业务管理部
    QUALITY = "quality"  # 品质管理部
    TRAINING = "training"  # 培训部
    OPERATIONS = "operations"  # 运营管理 (班组长 / 督导)
    IT = "it"  # 系统支撑


class SuggestionCategory(Base):
    """What a suggestion improves (process, system, product, management): who answers it
    and within how many days."""

    __tablename__ = "suggestion_categories"

    code: Mapped[str] = mapped_column(String(24), primary_key=True)
    department: Mapped[str] = mapped_column(String(24))
    answer_days: Mapped[int] = mapped_column(Integer)
    position: Mapped[int] = mapped_column(Integer, default=0)


class Suggestion(Base):
    __tablename__ = "suggestions"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    category: Mapped[str] = mapped_column(ForeignKey("suggestion_categories.code"), index=True)
    department: Mapped[str] = mapped_column(String(24), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    # Hidden from everybody but the author and administrators (SUGGESTION_SEE_AUTHOR).
    anonymous: Mapped[bool] = mapped_column(Boolean, default=False)
    # The author's team when submitted, so team statistics do not move when people do.
    team: Mapped[str | None] = mapped_column(String(80), default=None, index=True)
    status: Mapped[str] = mapped_column(String(16), default=SuggestionStatus.SUBMITTED,
                                        index=True)
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    due_on: Mapped[date] = mapped_column(Date, index=True)
    answered_at: Mapped[datetime | None] = mapped_column(default=None)
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
    answer: Mapped[str | None] = mapped_column(Text, default=None)
    bonus_yuan: Mapped[int] = mapped_column(Integer, default=0)  # 花红, whole yuan
    red_flower: Mapped[bool] = mapped_column(Boolean, default=False)  # 红花 honour
    citation: Mapped[str | None] = mapped_column(String(400), default=None)
    rewarded_at: Mapped[datetime | None] = mapped_column(default=None)
    rewarded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
