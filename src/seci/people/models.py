"""Competency assessment (勝任力, source 003): models of dimensions → items → questions
scored 1–5, assessment rounds for a team with self, supervisor and peer forms, figures a
trainer enters for the correlation with performance, and the profile fields the roster
lacks (gender, birth year, education, rank, communication style)."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    Boolean,
    Date,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from seci.core.clock import utcnow
from seci.core.db import Base


class Relation(StrEnum):
    """Who rates whom (a 360° round without the customers)."""

    SELF = "self"  # 自评
    SUPERVISOR = "supervisor"  # 班组长评
    PEER = "peer"  # 同事互评, anonymous to the rated agent


class RoundStatus(StrEnum):
    OPEN = "open"  # forms are filled in
    CLOSED = "closed"  # results final; agents see their own


class FormStatus(StrEnum):
    OPEN = "open"  # not yet submitted (answers saved as they go)
    SUBMITTED = "submitted"


class CompetencyModel(Base):
    __tablename__ = "competency_models"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    description: Mapped[str] = mapped_column(String(1000), default="")
    template: Mapped[str | None] = mapped_column(String(40), default=None)  # made from
    archived: Mapped[bool] = mapped_column(Boolean, default=False)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class CompetencyDimension(Base):
    __tablename__ = "competency_dimensions"

    id: Mapped[int] = mapped_column(primary_key=True)
    model_id: Mapped[int] = mapped_column(
        ForeignKey("competency_models.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(80))
    description: Mapped[str] = mapped_column(String(500), default="")


class CompetencyItem(Base):
    __tablename__ = "competency_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    dimension_id: Mapped[int] = mapped_column(
        ForeignKey("competency_dimensions.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(80))
    description: Mapped[str] = mapped_column(String(500), default="")


class CompetencyQuestion(Base):
    """One 1–5 Likert question with what 1, 3 and 5 look like (anchored scale)."""

    __tablename__ = "competency_questions"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(
        ForeignKey("competency_items.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(String(300))
    anchor_1: Mapped[str] = mapped_column(String(200))
    anchor_3: Mapped[str] = mapped_column(String(200))
    anchor_5: Mapped[str] = mapped_column(String(200))


class AssessmentRound(Base):
    __tablename__ = "competency_rounds"

    id: Mapped[int] = mapped_column(primary_key=True)
    model_id: Mapped[int] = mapped_column(ForeignKey("competency_models.id"), index=True)
    team: Mapped[str] = mapped_column(String(40), index=True)
    title: Mapped[str] = mapped_column(String(120))
    status: Mapped[str] = mapped_column(String(10), default=RoundStatus.OPEN)
    deadline: Mapped[date] = mapped_column(Date)
    # Weights (percent, summing to 100) of the three sources in the combined score.
    self_weight: Mapped[int] = mapped_column(Integer, default=20)
    supervisor_weight: Mapped[int] = mapped_column(Integer, default=40)
    peer_weight: Mapped[int] = mapped_column(Integer, default=40)
    peers_per_agent: Mapped[int] = mapped_column(Integer, default=3)
    opened_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
    opened_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(default=None)


class AssessmentForm(Base):
    """One rater's form about one rated agent. The rater is a login (``rater_user_id``);
    a peer is also named by their roster entry, for the trainer's completion list only."""

    __tablename__ = "competency_forms"
    __table_args__ = (UniqueConstraint("round_id", "rated_agent_id", "relation",
                                       "rater_user_id", "rater_agent_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(
        ForeignKey("competency_rounds.id", ondelete="CASCADE"), index=True)
    rated_agent_id: Mapped[int] = mapped_column(ForeignKey("roster_agents.id"), index=True)
    relation: Mapped[str] = mapped_column(String(12))
    rater_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id"), index=True, default=None)
    rater_agent_id: Mapped[int | None] = mapped_column(
        ForeignKey("roster_agents.id"), default=None)
    status: Mapped[str] = mapped_column(String(10), default=FormStatus.OPEN)
    comment: Mapped[str] = mapped_column(Text, default="")
    saved_at: Mapped[datetime | None] = mapped_column(default=None)
    submitted_at: Mapped[datetime | None] = mapped_column(default=None)


class AssessmentAnswer(Base):
    __tablename__ = "competency_answers"
    __table_args__ = (UniqueConstraint("form_id", "question_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    form_id: Mapped[int] = mapped_column(
        ForeignKey("competency_forms.id", ondelete="CASCADE"), index=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("competency_questions.id"))
    score: Mapped[int] = mapped_column(Integer)


class PerformanceFigure(Base):
    """A figure a trainer enters for an agent of a round (e.g. a performance rating), to
    correlate with competency when the call data has none."""

    __tablename__ = "competency_figures"
    __table_args__ = (UniqueConstraint("round_id", "roster_agent_id", "measure"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(
        ForeignKey("competency_rounds.id", ondelete="CASCADE"), index=True)
    roster_agent_id: Mapped[int] = mapped_column(ForeignKey("roster_agents.id"))
    measure: Mapped[str] = mapped_column(String(40))
    value: Mapped[float] = mapped_column(Float)


class Gender(StrEnum):
    FEMALE = "female"
    MALE = "male"


class Education(StrEnum):
    SECONDARY = "secondary"  # 中专/高中
    COLLEGE = "college"  # 大专
    BACHELOR = "bachelor"  # 本科
    MASTER = "master"  # 硕士及以上


class CommunicationStyle(StrEnum):
    """Communication styles the source profiles a team by (e.g. 平易近人)."""

    AMIABLE = "amiable"  # 平易近人
    EXPRESSIVE = "expressive"  # 热情表达
    ANALYTICAL = "analytical"  # 严谨分析
    DRIVER = "driver"  # 果断直接


class PersonProfile(Base):
    """What the roster does not hold about an agent, for the team profile (画像)."""

    __tablename__ = "people_profiles"

    id: Mapped[int] = mapped_column(primary_key=True)
    roster_agent_id: Mapped[int] = mapped_column(
        ForeignKey("roster_agents.id", ondelete="CASCADE"), unique=True)
    gender: Mapped[str | None] = mapped_column(String(10), default=None)
    birth_year: Mapped[int | None] = mapped_column(Integer, default=None)
    education: Mapped[str | None] = mapped_column(String(12), default=None)
    rank: Mapped[str | None] = mapped_column(String(40), default=None)  # 职级
    communication_style: Mapped[str | None] = mapped_column(String(12), default=None)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
