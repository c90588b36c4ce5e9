"""Training that closes the loop (source 003, 004, 000): training plans made from an
assessment round's results (a common plan for the team, personal plans), their items
(lessons, knowledge articles, live sessions, exams), who is assigned and what each agent
has done; coaching pairs (传帮带, 一对一结对子); and the re-assessment round that follows a
round."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Date, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from seci.core.clock import utcnow
from seci.core.db import Base


class PlanKind(StrEnum):
    COMMON = "common"  # 共性计划: items weak team-wide, for every agent of the team
    PERSONAL = "personal"  # 个性计划: one agent's own weak items
    MONTHLY = "monthly"  # 月度在岗培训: content drawn from SECI's evidence


class PlanStatus(StrEnum):
    ACTIVE = "active"
    CLOSED = "closed"


class PlanItemKind(StrEnum):
    LESSON = "lesson"  # a short text read on a phone (micro-learning)
    ARTICLE = "article"  # a knowledge-base article to read
    SESSION = "session"  # a live session at a time and place
    EXAM = "exam"  # an exam to pass


class ItemSource(StrEnum):
    """Where a plan item came from (manual, or the evidence that proposed it)."""

    MANUAL = "manual"
    WEAK_ITEM = "weak_item"  # a competency item weak in the round's results
    SEARCH = "search"  # searched without a good answer
    GAP = "gap"  # a knowledge gap the call mining found
    FEEDBACK = "feedback"  # a correction (纠错) agents reported
    NEW_KNOWLEDGE = "new_knowledge"  # an article published in the month


class PairStatus(StrEnum):
    ACTIVE = "active"
    SUCCEEDED = "succeeded"  # goal reached: the coach is credited
    ENDED = "ended"  # ended without reaching the goal


class TrainingPlan(Base):
    __tablename__ = "training_plans"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))
    team: Mapped[str] = mapped_column(String(40), index=True)
    title: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    round_id: Mapped[int | None] = mapped_column(
        ForeignKey("competency_rounds.id", ondelete="SET NULL"), index=True, default=None)
    # A personal plan's agent.
    roster_agent_id: Mapped[int | None] = mapped_column(
        ForeignKey("roster_agents.id"), index=True, default=None)
    month: Mapped[date | None] = mapped_column(Date, default=None)  # monthly: its first day
    due_on: Mapped[date | None] = mapped_column(Date, default=None)
    status: Mapped[str] = mapped_column(String(10), default=PlanStatus.ACTIVE)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class TrainingPlanItem(Base):
    __tablename__ = "training_plan_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(
        ForeignKey("training_plans.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    kind: Mapped[str] = mapped_column(String(10))
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")  # a lesson's text; notes otherwise
    article_id: Mapped[int | None] = mapped_column(
        ForeignKey("articles.id", ondelete="SET NULL"), default=None)
    exam_id: Mapped[int | None] = mapped_column(
        ForeignKey("exams.id", ondelete="SET NULL"), default=None)
    session_at: Mapped[datetime | None] = mapped_column(default=None)
    place: Mapped[str] = mapped_column(String(120), default="")
    competency_item_id: Mapped[int | None] = mapped_column(
        ForeignKey("competency_items.id", ondelete="SET NULL"), default=None)
    source: Mapped[str] = mapped_column(String(16), default=ItemSource.MANUAL)
    source_ref: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class TrainingAssignment(Base):
    """A plan given to one agent, with a due date."""

    __tablename__ = "training_assignments"
    __table_args__ = (UniqueConstraint("plan_id", "roster_agent_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(
        ForeignKey("training_plans.id", ondelete="CASCADE"), index=True)
    roster_agent_id: Mapped[int] = mapped_column(ForeignKey("roster_agents.id"), index=True)
    due_on: Mapped[date] = mapped_column(Date)
    assigned_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
    assigned_at: Mapped[datetime] = mapped_column(default=utcnow)


class TrainingCompletion(Base):
    """An agent has done a plan item (read the lesson or article, attended, passed)."""

    __tablename__ = "training_completions"
    __table_args__ = (UniqueConstraint("item_id", "roster_agent_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(
        ForeignKey("training_plan_items.id", ondelete="CASCADE"), index=True)
    roster_agent_id: Mapped[int] = mapped_column(ForeignKey("roster_agents.id"), index=True)
    completed_at: Mapped[datetime] = mapped_column(default=utcnow)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)


class CoachingPair(Base):
    """A strong agent coaching a weaker one (一对一结对子) towards a goal over a period;
    pairs with the same ``coach_team`` name form a coach team (传帮带小组)."""

    __tablename__ = "coaching_pairs"

    id: Mapped[int] = mapped_column(primary_key=True)
    team: Mapped[str] = mapped_column(String(40), index=True)
    coach_team: Mapped[str] = mapped_column(String(80), default="")
    coach_agent_id: Mapped[int] = mapped_column(ForeignKey("roster_agents.id"), index=True)
    mentee_agent_id: Mapped[int] = mapped_column(ForeignKey("roster_agents.id"), index=True)
    goal: Mapped[str] = mapped_column(Text, default="")
    # The measurable goal: the mentee's combined score of a competency item, and/or FCR.
    round_id: Mapped[int | None] = mapped_column(
        ForeignKey("competency_rounds.id", ondelete="SET NULL"), default=None)
    target_item_id: Mapped[int | None] = mapped_column(
        ForeignKey("competency_items.id", ondelete="SET NULL"), default=None)
    target_score: Mapped[float | None] = mapped_column(Float, default=None)
    target_fcr: Mapped[float | None] = mapped_column(Float, default=None)  # share 0–1
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(10), default=PairStatus.ACTIVE)
    outcome: Mapped[str] = mapped_column(Text, default="")
    points: Mapped[int | None] = mapped_column(Integer, default=None)  # credited to the coach
    honour_id: Mapped[int | None] = mapped_column(
        ForeignKey("tacit_honours.id", ondelete="SET NULL"), default=None)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    ended_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
    ended_at: Mapped[datetime | None] = mapped_column(default=None)


class Reassessment(Base):
    """The round that re-assesses a team after its training (the closed loop)."""

    __tablename__ = "training_reassessments"

    id: Mapped[int] = mapped_column(primary_key=True)
    before_round_id: Mapped[int] = mapped_column(
        ForeignKey("competency_rounds.id", ondelete="CASCADE"), index=True)
    after_round_id: Mapped[int] = mapped_column(
        ForeignKey("competency_rounds.id", ondelete="CASCADE"), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
