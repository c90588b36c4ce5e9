"""Post linkage (岗位联动): a business notice, the KB articles drafted from it, each post's
deadline, the trainer's quiz and its attempts, supervisors' team checks and quality's
call flags."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from seci.core.clock import utcnow
from seci.core.db import Base


class Post(StrEnum):
    """The posts of the chain, in the order the work flows."""

    BUSINESS = "business"  # 业务管理: turns the notice into article drafts
    QUALITY = "quality"  # 品质管理: reviews the drafts (the KB's four-eyes review)
    PUBLISHING = "publishing"  # 业务管理: releases the notice to the queues
    TRAINING = "training"  # 培训管理: attaches a quiz
    AGENTS = "agents"  # 一线客服: acknowledge the articles and pass the quiz
    SUPERVISORS = "supervisors"  # 前台督导: confirm their team is ready


POSTS: tuple[Post, ...] = tuple(Post)


class Notice(Base):
    """A business notice (业务通告), e.g. a new tariff, tracked through every post."""

    __tablename__ = "linkage_notices"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")
    reference: Mapped[str] = mapped_column(String(120), default="")  # the notice's own number
    module_id: Mapped[int] = mapped_column(ForeignKey("modules.id"), index=True)
    queue_ids: Mapped[list[int]] = mapped_column(default=list)
    effective_on: Mapped[date | None] = mapped_column(Date, default=None)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    released_at: Mapped[datetime | None] = mapped_column(default=None)
    released_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)


class NoticeStep(Base):
    """The deadline of one post for one notice."""

    __tablename__ = "linkage_steps"
    __table_args__ = (UniqueConstraint("notice_id", "post"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    notice_id: Mapped[int] = mapped_column(
        ForeignKey("linkage_notices.id", ondelete="CASCADE"), index=True)
    post: Mapped[str] = mapped_column(String(16))
    due_on: Mapped[date] = mapped_column(Date, index=True)


class NoticeArticle(Base):
    """A KB article drafted for (or revised because of) a notice."""

    __tablename__ = "linkage_notice_articles"
    __table_args__ = (UniqueConstraint("notice_id", "article_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    notice_id: Mapped[int] = mapped_column(
        ForeignKey("linkage_notices.id", ondelete="CASCADE"), index=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id"), index=True)


class Quiz(Base):
    """The trainer's short quiz (with an optional training note) on a notice."""

    __tablename__ = "linkage_quizzes"

    id: Mapped[int] = mapped_column(primary_key=True)
    notice_id: Mapped[int] = mapped_column(
        ForeignKey("linkage_notices.id", ondelete="CASCADE"), unique=True)
    intro: Mapped[str] = mapped_column(Text, default="")
    pass_percent: Mapped[int] = mapped_column(Integer, default=80)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class QuizQuestion(Base):
    __tablename__ = "linkage_quiz_questions"

    id: Mapped[int] = mapped_column(primary_key=True)
    quiz_id: Mapped[int] = mapped_column(
        ForeignKey("linkage_quizzes.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(String(500))
    options: Mapped[list[str]] = mapped_column(default=list)
    answer: Mapped[int] = mapped_column(Integer)  # index into options


class QuizAttempt(Base):
    """One agent's go at a quiz; the best attempt counts."""

    __tablename__ = "linkage_quiz_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    quiz_id: Mapped[int] = mapped_column(
        ForeignKey("linkage_quizzes.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    answers: Mapped[list[int]] = mapped_column(default=list)
    correct: Mapped[int] = mapped_column(Integer)
    score_percent: Mapped[int] = mapped_column(Integer)
    passed: Mapped[bool] = mapped_column(Boolean)
    taken_at: Mapped[datetime] = mapped_column(default=utcnow)


class TeamCheck(Base):
    """A supervisor's confirmation that their team has taken the notice in (督导确认)."""

    __tablename__ = "linkage_team_checks"
    __table_args__ = (UniqueConstraint("notice_id", "team"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    notice_id: Mapped[int] = mapped_column(
        ForeignKey("linkage_notices.id", ondelete="CASCADE"), index=True)
    team: Mapped[str] = mapped_column(String(80))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    note: Mapped[str] = mapped_column(String(400), default="")
    checked_at: Mapped[datetime] = mapped_column(default=utcnow)


class CallFlag(Base):
    """Quality heard a wrong answer in a call: the KB feedback (纠错) it raised, with the
    call it was heard in and the agent who gave it (for coaching)."""

    __tablename__ = "linkage_call_flags"

    id: Mapped[int] = mapped_column(primary_key=True)
    notice_id: Mapped[int] = mapped_column(
        ForeignKey("linkage_notices.id", ondelete="CASCADE"), index=True)
    feedback_id: Mapped[int] = mapped_column(ForeignKey("article_feedback.id"), unique=True)
    call_ref: Mapped[str] = mapped_column(String(80))
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
