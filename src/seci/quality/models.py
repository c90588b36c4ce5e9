"""Quality inspection (质检): the scorecards a centre defines, the samples of calls drawn
for inspection, the inspectors' scores and the agents' appeals."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from seci.calls.models import AGENT_ID_MAX, CALL_ID_MAX
from seci.core.clock import utcnow
from seci.core.db import Base


class Scorecard(Base):
    """Items with their points, and the pass mark (a share of the points, in %).

    A critical item (致命项) failed fails the whole call whatever the points. Once a call
    has been scored with a scorecard its items no longer change (scores must stay
    comparable): a changed scorecard is a new one, and the old one is retired.
    """

    __tablename__ = "qa_scorecards"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    pass_mark: Mapped[float] = mapped_column(Float, default=80.0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    items: Mapped[list[ScorecardItem]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="ScorecardItem.position")


class ScorecardItem(Base):
    __tablename__ = "qa_scorecard_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    scorecard_id: Mapped[int] = mapped_column(
        ForeignKey("qa_scorecards.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    max_points: Mapped[int] = mapped_column(Integer)
    critical: Mapped[bool] = mapped_column(Boolean, default=False)


class QaSample(Base):
    """A reproducible stratified sample: the same seed and parameters draw the same calls."""

    __tablename__ = "qa_samples"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    seed: Mapped[int] = mapped_column(Integer)
    # period, filters, strata dimensions, requested size: what drew the sample
    params: Mapped[dict[str, Any]] = mapped_column(default=dict)
    population: Mapped[int] = mapped_column(Integer, default=0)
    scorecard_id: Mapped[int] = mapped_column(ForeignKey("qa_scorecards.id"))
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class QaSampleCall(Base):
    __tablename__ = "qa_sample_calls"
    __table_args__ = (Index("ix_qa_sample_calls_sample", "sample_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    sample_id: Mapped[int] = mapped_column(ForeignKey("qa_samples.id", ondelete="CASCADE"))
    call_id: Mapped[str] = mapped_column(
        String(CALL_ID_MAX), ForeignKey("calls.call_id", ondelete="CASCADE"), index=True)
    stratum: Mapped[str] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(Integer)


class ScoreStatus(StrEnum):
    SCORED = "scored"
    APPEALED = "appealed"  # the agent disagrees; waits for a decision
    UPHELD = "upheld"  # the appeal was declined: the score stands
    REVISED = "revised"  # the appeal was accepted: the score was corrected


class QaScore(Base):
    """One inspector's score of one call with one scorecard (one per call and scorecard:
    the unique key keeps two inspectors who score at the same moment from both winning)."""

    __tablename__ = "qa_scores"
    __table_args__ = (Index("ix_qa_scores_agent", "agent_id", "scored_at"),
                      UniqueConstraint("call_id", "scorecard_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[str] = mapped_column(
        String(CALL_ID_MAX), ForeignKey("calls.call_id", ondelete="CASCADE"))
    agent_id: Mapped[str] = mapped_column(String(AGENT_ID_MAX))  # the call's agent
    scorecard_id: Mapped[int] = mapped_column(ForeignKey("qa_scorecards.id"), index=True)
    sample_id: Mapped[int | None] = mapped_column(
        ForeignKey("qa_samples.id", ondelete="SET NULL"), default=None, index=True)
    inspector_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None)
    points: Mapped[dict[str, Any]] = mapped_column(default=dict)  # item id → points given
    # The critical items (致命项) the inspector marked as failed, by item id.
    failed_items: Mapped[list[int]] = mapped_column(default=list)
    total: Mapped[float] = mapped_column(Float)  # % of the points, 0 when a critical failed
    critical_failed: Mapped[bool] = mapped_column(Boolean, default=False)
    passed: Mapped[bool] = mapped_column(Boolean)
    comment: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(12), default=ScoreStatus.SCORED)
    scored_at: Mapped[datetime] = mapped_column(default=utcnow)


class AppealDecision(StrEnum):
    UPHELD = "upheld"
    REVISED = "revised"


class QaAppeal(Base):
    __tablename__ = "qa_appeals"

    id: Mapped[int] = mapped_column(primary_key=True)
    score_id: Mapped[int] = mapped_column(
        ForeignKey("qa_scores.id", ondelete="CASCADE"), unique=True)
    filed_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None)
    reason: Mapped[str] = mapped_column(Text)
    filed_at: Mapped[datetime] = mapped_column(default=utcnow)
    original_total: Mapped[float] = mapped_column(Float)
    decision: Mapped[str | None] = mapped_column(String(12), default=None)
    decision_note: Mapped[str] = mapped_column(Text, default="")
    decided_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None)
    decided_at: Mapped[datetime | None] = mapped_column(default=None)
