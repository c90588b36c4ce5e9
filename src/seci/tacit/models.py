"""Contributions of tacit knowledge, their history, evaluations, points, honours and
process issues (the six-step method, docs/tacit.md)."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from seci.core.clock import utcnow
from seci.core.db import Base


class Kind(StrEnum):
    """What the contributor says they bring (step 1)."""

    EXPERIENCE = "experience"  # 经验
    METHOD = "method"  # 工作方法
    CASE = "case"  # 案例
    SCRIPT = "script"  # 话术 for a call situation
    QUESTION = "question"  # 疑难问题 with its answer


class Source(StrEnum):
    """The mining path it came through."""

    SELF = "self"  # 自主提交
    COACHING = "coaching"  # 传帮带教练团
    INTERVIEW = "interview"  # 访谈 / 观察
    SHARING = "sharing"  # 经验分享会
    BRAINSTORM = "brainstorm"  # 疑难问题头脑风暴
    DATA_MINING = "data_mining"  # 数据挖掘 (e.g. golden scripts from call transcripts)


class Category(StrEnum):
    """The screener's classification (step 2)."""

    EXPERIENCE = "experience"
    METHOD = "method"
    CASE = "case"
    QUESTION = "question"
    DEPARTMENT = "department"  # a suggestion that needs another department


class Status(StrEnum):
    SUBMITTED = "submitted"  # mined, waiting for screening
    ROUTED = "routed"  # sent to another department, followed up until answered
    TRIAL = "trial"  # tried by a named team for a period
    PROMOTING = "promoting"  # best-practice article written, in KB review
    EVALUATING = "evaluating"  # published; its effect is being measured
    EVALUATED = "evaluated"  # evaluation closed (effective or not); incentives
    REJECTED = "rejected"
    MERGED = "merged"  # folded into an existing article as a revision draft
    ANSWERED = "answered"  # the other department answered


class Step(StrEnum):
    """The six steps (六步法); the board shows a column per step."""

    MINING = "mining"
    SCREENING = "screening"
    PROMOTION = "promotion"
    EVALUATION = "evaluation"
    INCENTIVES = "incentives"
    IMPROVEMENT = "improvement"


STEP_OF_STATUS: dict[Status, Step] = {
    Status.SUBMITTED: Step.MINING,
    Status.ROUTED: Step.SCREENING,
    Status.TRIAL: Step.SCREENING,
    Status.PROMOTING: Step.PROMOTION,
    Status.EVALUATING: Step.EVALUATION,
    Status.EVALUATED: Step.INCENTIVES,
    Status.REJECTED: Step.SCREENING,
    Status.MERGED: Step.SCREENING,
    Status.ANSWERED: Step.SCREENING,
}
CLOSED = frozenset({Status.REJECTED, Status.MERGED, Status.ANSWERED, Status.EVALUATED})


class EventKind(StrEnum):
    TRANSITION = "transition"
    FOLLOW_UP = "follow_up"  # a reminder to the department a contribution was routed to
    NOTE = "note"  # e.g. evaluation data entered


class Contribution(Base):
    """One piece of tacit knowledge on its way through the six steps."""

    __tablename__ = "tacit_contributions"
    __table_args__ = (
        CheckConstraint("score_timely IS NULL OR score_timely BETWEEN 1 AND 5",
                        name="score_timely"),
        CheckConstraint("score_usable IS NULL OR score_usable BETWEEN 1 AND 5",
                        name="score_usable"),
        CheckConstraint("score_accurate IS NULL OR score_accurate BETWEEN 1 AND 5",
                        name="score_accurate"),
        CheckConstraint("score_generality IS NULL OR score_generality BETWEEN 1 AND 5",
                        name="score_generality"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    # A method keeps the name of its author or team ("雪豹小组工单拦截四步曲").
    method_name: Mapped[str | None] = mapped_column(String(120), default=None)
    kind: Mapped[str] = mapped_column(String(16))
    source: Mapped[str] = mapped_column(String(16))
    content: Mapped[str] = mapped_column(Text)  # Markdown
    queue_ids: Mapped[list[int]] = mapped_column(default=list)  # queues it applies to
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    # A supervisor or trainer may write it down for the author (interview notes).
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    team: Mapped[str | None] = mapped_column(String(80), default=None)  # author's, at submission
    status: Mapped[str] = mapped_column(String(16), default=Status.SUBMITTED, index=True)
    status_since: Mapped[datetime] = mapped_column(default=utcnow)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)

    # step 2: screening
    category: Mapped[str | None] = mapped_column(String(16), default=None)
    score_timely: Mapped[int | None] = mapped_column(Integer, default=None)
    score_usable: Mapped[int | None] = mapped_column(Integer, default=None)
    score_accurate: Mapped[int | None] = mapped_column(Integer, default=None)
    score_generality: Mapped[int | None] = mapped_column(Integer, default=None)
    screened_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
    screened_at: Mapped[datetime | None] = mapped_column(default=None)
    decision_reason: Mapped[str | None] = mapped_column(Text, default=None)
    merged_article_id: Mapped[int | None] = mapped_column(ForeignKey("articles.id"),
                                                          default=None)
    route_department: Mapped[str | None] = mapped_column(String(80), default=None)
    route_due: Mapped[date | None] = mapped_column(Date, default=None)
    route_answer: Mapped[str | None] = mapped_column(Text, default=None)
    trial_team: Mapped[str | None] = mapped_column(String(80), default=None)
    trial_from: Mapped[date | None] = mapped_column(Date, default=None)
    trial_to: Mapped[date | None] = mapped_column(Date, default=None)

    # step 3: promotion
    article_id: Mapped[int | None] = mapped_column(ForeignKey("articles.id"), default=None,
                                                   index=True)
    promoted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)

    @property
    def step(self) -> Step:
        return STEP_OF_STATUS[Status(self.status)]

    @property
    def closed(self) -> bool:
        return self.status in CLOSED


class ContributionEvent(Base):
    """The history of a contribution: state changes, follow-ups, notes."""

    __tablename__ = "tacit_contribution_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    contribution_id: Mapped[int] = mapped_column(
        ForeignKey("tacit_contributions.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
    kind: Mapped[str] = mapped_column(String(16), default=EventKind.TRANSITION)
    from_status: Mapped[str | None] = mapped_column(String(16), default=None)
    to_status: Mapped[str | None] = mapped_column(String(16), default=None)
    note: Mapped[str] = mapped_column(Text, default="")


class EvaluationStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class Verdict(StrEnum):
    EFFECTIVE = "effective"
    NOT_EFFECTIVE = "not_effective"


class Evaluation(Base):
    """Step 4: a named owner measures the effect by a due date."""

    __tablename__ = "tacit_evaluations"

    id: Mapped[int] = mapped_column(primary_key=True)
    contribution_id: Mapped[int] = mapped_column(
        ForeignKey("tacit_contributions.id", ondelete="CASCADE"), unique=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    due_date: Mapped[date] = mapped_column(Date)
    trial_team: Mapped[str] = mapped_column(String(80))
    comparison_team: Mapped[str | None] = mapped_column(String(80), default=None)
    status: Mapped[str] = mapped_column(String(8), default=EvaluationStatus.OPEN, index=True)
    verdict: Mapped[str | None] = mapped_column(String(16), default=None)
    conclusion: Mapped[str | None] = mapped_column(Text, default=None)
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
    closed_at: Mapped[datetime | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class EvaluationFigure(Base):
    """One metric of one team in one phase: a proportion (successes of n) or a mean
    (mean and standard deviation of n)."""

    __tablename__ = "tacit_evaluation_figures"
    __table_args__ = (
        UniqueConstraint("evaluation_id", "metric", "team_role", "phase",
                         name="uq_tacit_evaluation_figures_cell"),
        CheckConstraint("n > 0", name="n_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    evaluation_id: Mapped[int] = mapped_column(
        ForeignKey("tacit_evaluations.id", ondelete="CASCADE"), index=True)
    metric: Mapped[str] = mapped_column(String(24))
    team_role: Mapped[str] = mapped_column(String(12))  # trial | comparison
    phase: Mapped[str] = mapped_column(String(8))  # before | after
    period: Mapped[str] = mapped_column(String(40), default="")  # e.g. 2026-09
    n: Mapped[int] = mapped_column(Integer)
    successes: Mapped[int | None] = mapped_column(Integer, default=None)
    mean: Mapped[float | None] = mapped_column(Float, default=None)
    sd: Mapped[float | None] = mapped_column(Float, default=None)
    entered_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    entered_at: Mapped[datetime] = mapped_column(default=utcnow)


class PointRule(Base):
    """A row of the configurable points table: how many points a reason earns."""

    __tablename__ = "tacit_point_rules"

    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    points: Mapped[int] = mapped_column(Integer)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    description: Mapped[str] = mapped_column(String(200), default="")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class PointEntry(Base):
    """The points ledger; a reason pays once per user and source."""

    __tablename__ = "tacit_point_entries"
    __table_args__ = (
        UniqueConstraint("user_id", "reason_code", "source_type", "source_id",
                         name="uq_tacit_point_entries_once"),
        Index("ix_tacit_point_entries_awarded_team", "awarded_at", "team"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    team: Mapped[str | None] = mapped_column(String(80), default=None)  # at the time
    reason_code: Mapped[str] = mapped_column(ForeignKey("tacit_point_rules.code"))
    source_type: Mapped[str] = mapped_column(String(40))  # contribution, suggestion, …
    source_id: Mapped[int] = mapped_column(Integer)
    points: Mapped[int] = mapped_column(Integer)
    actor_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    awarded_at: Mapped[datetime] = mapped_column(default=utcnow)


class HonourKind(StrEnum):
    TITLE = "title"  # 荣誉称号, e.g. 移动工匠
    RED_FLAG = "red_flag"  # 流动红旗, for a team
    BENCHMARK = "benchmark"  # 标杆员工


class Honour(Base):
    """An honour with its citation, for a person or a team, often for a contribution."""

    __tablename__ = "tacit_honours"
    __table_args__ = (
        CheckConstraint("user_id IS NOT NULL OR team IS NOT NULL", name="has_recipient"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(80))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None,
                                                index=True)
    team: Mapped[str | None] = mapped_column(String(80), default=None)
    contribution_id: Mapped[int | None] = mapped_column(
        ForeignKey("tacit_contributions.id", ondelete="SET NULL"), default=None)
    citation: Mapped[str] = mapped_column(Text)
    period: Mapped[str] = mapped_column(String(20), default="")  # e.g. 2026-11
    awarded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    awarded_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class IssueStatus(StrEnum):
    OPEN = "open"
    RESOLVED = "resolved"


class ProcessIssue(Base):
    """Step 6: a problem with how a step is run, raised by anyone."""

    __tablename__ = "tacit_process_issues"

    id: Mapped[int] = mapped_column(primary_key=True)
    step: Mapped[str] = mapped_column(String(16))
    description: Mapped[str] = mapped_column(Text)
    raised_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    status: Mapped[str] = mapped_column(String(12), default=IssueStatus.OPEN, index=True)
    resolution: Mapped[str | None] = mapped_column(Text, default=None)
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
    resolved_at: Mapped[datetime | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
