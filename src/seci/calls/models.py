"""Call records and their transcripts, as the call platform exports them.

One narrow row per call holds what the KPIs slice and count; the transcript lives in a
table of its own so that scanning a million calls for a dashboard never reads text. The
local calendar day, week (its Monday), month (its first day) and hour are stored with the
call: grouping by them is then a plain GROUP BY on both databases, with no time-zone
arithmetic per row (weeks are Monday–Sunday in ``SECI_TIMEZONE``).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from seci.core.clock import utcnow
from seci.core.db import Base

# The eight queues of source 001; a call's queue must be one of the centre's queue codes.
CALL_ID_MAX = 64
AGENT_ID_MAX = 32
TEAM_MAX = 40
QUEUE_MAX = 40
REGION_MAX = 40
PRODUCT_MAX = 80
CHANNEL_MAX = 20
CATEGORY_MAX = 80


class CallRecord(Base):
    __tablename__ = "calls"
    __table_args__ = (
        # Slices by time for the whole centre, by team (team leads) and by agent (an
        # agent's own numbers, drill-downs), each within a date range.
        Index("ix_calls_day", "day"),
        Index("ix_calls_team_day", "team", "day"),
        Index("ix_calls_agent_day", "agent_id", "day"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[str] = mapped_column(String(CALL_ID_MAX), unique=True)
    agent_id: Mapped[str] = mapped_column(String(AGENT_ID_MAX))
    team: Mapped[str] = mapped_column(String(TEAM_MAX))
    queue: Mapped[str] = mapped_column(String(QUEUE_MAX))
    started_at: Mapped[datetime] = mapped_column(DateTime)  # UTC, naive
    day: Mapped[date] = mapped_column(Date)  # local calendar day
    week: Mapped[date] = mapped_column(Date)  # Monday of the local week
    month: Mapped[date] = mapped_column(Date)  # first day of the local month
    hour: Mapped[int] = mapped_column(SmallInteger)  # local hour 0–23
    duration_s: Mapped[int] = mapped_column(Integer)
    region: Mapped[str] = mapped_column(String(REGION_MAX))
    product: Mapped[str] = mapped_column(String(PRODUCT_MAX))
    channel: Mapped[str | None] = mapped_column(String(CHANNEL_MAX), default=None)
    fcr: Mapped[bool] = mapped_column(Boolean)  # resolved_first_contact
    satisfaction: Mapped[int | None] = mapped_column(SmallInteger, default=None)  # 1–5
    complaint: Mapped[bool] = mapped_column(Boolean)
    complaint_category: Mapped[str | None] = mapped_column(String(CATEGORY_MAX), default=None)
    repeat_7d: Mapped[bool] = mapped_column(Boolean)  # repeat_within_7d
    turn_count: Mapped[int] = mapped_column(SmallInteger, default=0)
    # The job that last wrote this row (provenance of an import).
    job_id: Mapped[int | None] = mapped_column(Integer, default=None)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class CallTranscript(Base):
    """The turns of one call, personal numbers masked at import, as compact JSON:
    ``[[speaker, text, start_ms or null], ...]`` with speaker ``"c"`` or ``"a"``."""

    __tablename__ = "call_transcripts"

    call_id: Mapped[str] = mapped_column(
        String(CALL_ID_MAX), ForeignKey("calls.call_id", ondelete="CASCADE"), primary_key=True)
    turns: Mapped[str] = mapped_column(Text)
    masked: Mapped[int] = mapped_column(SmallInteger, default=0)  # numbers masked at import


class TopicThreshold(Base):
    """When a call of a topic (product) counts as over-long: the p95 of its durations,
    recomputed after each import, unless a manager set a threshold."""

    __tablename__ = "call_topic_thresholds"

    product: Mapped[str] = mapped_column(String(PRODUCT_MAX), primary_key=True)
    p95_s: Mapped[int | None] = mapped_column(Integer, default=None)
    n: Mapped[int] = mapped_column(Integer, default=0)
    manual_s: Mapped[int | None] = mapped_column(Integer, default=None)
    computed_at: Mapped[datetime | None] = mapped_column(default=None)
    set_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None)

    @property
    def threshold_s(self) -> int | None:
        return self.manual_s if self.manual_s is not None else self.p95_s
