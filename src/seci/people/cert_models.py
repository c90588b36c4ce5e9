"""Certification per queue (技能鉴定, source 001) and growth-stage rules: what a queue asks
of an agent (passed exams with a mark, competency items, a growth stage, KPIs) and for how
long a certification stays valid; the certifications agents hold, how each was granted and
whether a material change of the knowledge behind its exams asks for re-certification;
the rules of entering each growth stage (新员工, 成长期, 成熟期)."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Date, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from seci.core.clock import utcnow
from seci.core.db import Base


class GrantBasis(StrEnum):
    RULES = "rules"  # every requirement of the queue was met when it was granted
    MANAGER = "manager"  # a manager granted it, with a reason (the gate's override)


class CertRequirement(Base):
    """What a queue asks of an agent. ``exam_rules``: ``[{"exam_id": 3, "min_percent":
    80}]``; ``item_rules``: ``[{"item_id": 7, "min_score": 3.5}]`` on the combined score of
    the latest closed assessment round of the agent's team. A queue without a row is open."""

    __tablename__ = "cert_requirements"

    id: Mapped[int] = mapped_column(primary_key=True)
    queue_id: Mapped[int] = mapped_column(
        ForeignKey("queues.id", ondelete="CASCADE"), unique=True)
    exam_rules: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    item_rules: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    min_stage: Mapped[str | None] = mapped_column(String(10), default=None)
    min_fcr: Mapped[float | None] = mapped_column(Float, default=None)  # share 0–1
    min_satisfaction: Mapped[float | None] = mapped_column(Float, default=None)  # mean 1–5
    validity_months: Mapped[int] = mapped_column(Integer, default=12)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Certification(Base):
    """A certification an agent (login) holds for a queue. It is valid from ``granted_at``
    until the end of ``expires_on`` unless revoked; ``recert_due_at`` is set when an
    article its exams' questions depend on changed materially."""

    __tablename__ = "certifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    queue_id: Mapped[int] = mapped_column(
        ForeignKey("queues.id", ondelete="CASCADE"), index=True)
    granted_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_on: Mapped[date] = mapped_column(Date, index=True)
    basis: Mapped[str] = mapped_column(String(10), default=GrantBasis.RULES)
    reason: Mapped[str] = mapped_column(Text, default="")
    granted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
    revoke_reason: Mapped[str] = mapped_column(Text, default="")
    recert_due_at: Mapped[datetime | None] = mapped_column(default=None)
    recert_article_id: Mapped[int | None] = mapped_column(
        ForeignKey("articles.id", ondelete="SET NULL"), default=None)


class StageRule(Base):
    """The rules of entering a growth stage (leaving the one before it): tenure, number of
    valid certifications held, KPIs over the last 90 days."""

    __tablename__ = "stage_rules"

    stage: Mapped[str] = mapped_column(String(10), primary_key=True)
    min_tenure_months: Mapped[int] = mapped_column(Integer, default=0)
    min_certifications: Mapped[int] = mapped_column(Integer, default=0)
    min_fcr: Mapped[float | None] = mapped_column(Float, default=None)
    min_satisfaction: Mapped[float | None] = mapped_column(Float, default=None)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
