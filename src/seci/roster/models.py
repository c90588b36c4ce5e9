"""The agent roster (坐席花名册): who took the calls, in which team, since when, at which
growth stage. Call records name agents by the call platform's id (工号); the roster links
that id to a person and, optionally, to a SECI login."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Date, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from seci.core.clock import utcnow
from seci.core.db import Base


class Stage(StrEnum):
    """Growth stages of an agent (source 001): entry and exit rules belong to training."""

    NEW = "new"  # 新员工
    GROWING = "growing"  # 成长期
    MATURE = "mature"  # 成熟期


class RosterAgent(Base):
    __tablename__ = "roster_agents"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The call platform's agent id (工号), as it appears in call records.
    agent_id: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(80))
    team: Mapped[str] = mapped_column(String(40), index=True)
    hired_on: Mapped[date] = mapped_column(Date)
    left_on: Mapped[date | None] = mapped_column(Date, default=None)
    stage: Mapped[str] = mapped_column(String(10))
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), unique=True, default=None)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
