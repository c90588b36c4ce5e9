"""Exams and certification (技能鉴定): a question bank (single and multiple choice,
true/false, fill-in-the-blank) with the knowledge articles each question depends on,
exam definitions, and attempts whose drawn questions, option order and answers are stored
so that a reload shows the same exam and the server keeps the time."""

from __future__ import annotations

from datetime import datetime
from enum import IntEnum, StrEnum

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from seci.core.clock import utcnow
from seci.core.db import Base


class QuestionKind(StrEnum):
    SINGLE = "single"  # 单选
    MULTIPLE = "multiple"  # 多选, graded all-or-nothing
    TRUE_FALSE = "true_false"  # 判断
    FILL = "fill"  # 填空, normalised text match against accepted answers


class QuestionStatus(StrEnum):
    DRAFT = "draft"  # written, imported or generated; not used in exams yet
    REVIEWED = "reviewed"  # a trainer checked it; exams draw from these only
    RETIRED = "retired"


class QuestionSource(StrEnum):
    MANUAL = "manual"
    IMPORT = "import"
    GENERATED = "generated"


class Difficulty(IntEnum):
    EASY = 1
    MEDIUM = 2
    HARD = 3


class ExamMode(StrEnum):
    PRACTICE = "practice"  # shows the right answer after each question; does not count
    FORMAL = "formal"


class AttemptStatus(StrEnum):
    IN_PROGRESS = "in_progress"
    GRADED = "graded"


class ExamQuestion(Base):
    """A question of the bank. ``options`` are the choices (true/false: none, the answer is
    ``["true"]`` or ``["false"]``); ``answer`` holds the right options' indexes as strings for
    choice questions, or the accepted texts of a blank."""

    __tablename__ = "exam_questions"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(12))
    module_id: Mapped[int | None] = mapped_column(
        ForeignKey("modules.id"), index=True, default=None)
    difficulty: Mapped[int] = mapped_column(Integer, default=Difficulty.MEDIUM)
    stem: Mapped[str] = mapped_column(Text)
    options: Mapped[list[str]] = mapped_column(default=list)
    answer: Mapped[list[str]] = mapped_column(default=list)
    explanation: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(10), default=QuestionStatus.DRAFT, index=True)
    source: Mapped[str] = mapped_column(String(10), default=QuestionSource.MANUAL)
    # What generated it (e.g. 'fact:fee' or 'which_article'), to avoid generating it twice.
    generator_key: Mapped[str | None] = mapped_column(String(200), default=None, index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
    reviewed_at: Mapped[datetime | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class ExamQuestionArticle(Base):
    """A knowledge article a question depends on (when the article changes, so may the
    right answer)."""

    __tablename__ = "exam_question_articles"

    question_id: Mapped[int] = mapped_column(
        ForeignKey("exam_questions.id", ondelete="CASCADE"), primary_key=True)
    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True, index=True)


class Exam(Base):
    """An exam definition; plans link exams by ``exams.id``."""

    __tablename__ = "exams"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    module_ids: Mapped[list[int]] = mapped_column(default=list)  # empty: every module
    # Percent of easy, medium and hard questions (summing to 100).
    easy_percent: Mapped[int] = mapped_column(Integer, default=30)
    medium_percent: Mapped[int] = mapped_column(Integer, default=50)
    hard_percent: Mapped[int] = mapped_column(Integer, default=20)
    question_count: Mapped[int] = mapped_column(Integer, default=20)
    pass_percent: Mapped[int] = mapped_column(Integer, default=80)
    time_limit_minutes: Mapped[int] = mapped_column(Integer, default=30)
    mode: Mapped[str] = mapped_column(String(10), default=ExamMode.FORMAL)
    max_attempts: Mapped[int | None] = mapped_column(Integer, default=None)
    # A fixed paper (统一试卷): every attempt gets the same questions (drawn once, at the
    # first attempt, and kept in ``paper_ids``), each in its own order; the item analysis
    # then covers the whole exam. Otherwise each attempt draws its own.
    fixed_paper: Mapped[bool] = mapped_column(Boolean, default=False)
    paper_ids: Mapped[list[int]] = mapped_column(default=list)
    archived: Mapped[bool] = mapped_column(Boolean, default=False)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class ExamAttempt(Base):
    """One agent's go at an exam; ``expires_at`` is the server's deadline."""

    __tablename__ = "exam_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    exam_id: Mapped[int] = mapped_column(ForeignKey("exams.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    status: Mapped[str] = mapped_column(String(12), default=AttemptStatus.IN_PROGRESS)
    practice: Mapped[bool] = mapped_column(Boolean, default=False)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column()
    finished_at: Mapped[datetime | None] = mapped_column(default=None)
    expired: Mapped[bool] = mapped_column(Boolean, default=False)  # graded at the deadline
    correct_count: Mapped[int | None] = mapped_column(Integer, default=None)
    question_count: Mapped[int] = mapped_column(Integer, default=0)
    score_percent: Mapped[float | None] = mapped_column(Float, default=None)
    passed: Mapped[bool | None] = mapped_column(Boolean, default=None)


class ExamAttemptItem(Base):
    """A drawn question of an attempt at its shuffled position, with its shuffled option
    order (indexes into the question's options) and the saved response."""

    __tablename__ = "exam_attempt_items"
    __table_args__ = (UniqueConstraint("attempt_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(
        ForeignKey("exam_attempts.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    question_id: Mapped[int] = mapped_column(ForeignKey("exam_questions.id"), index=True)
    option_order: Mapped[list[int]] = mapped_column(default=list)
    response: Mapped[list[str] | None] = mapped_column(JSON, default=None)
    correct: Mapped[bool | None] = mapped_column(Boolean, default=None)
    answered_at: Mapped[datetime | None] = mapped_column(default=None)
