"""What mining keeps: each call's extracted features (so a new run reads only new calls),
the texts behind the features' hashes, each run's findings, and alerts sent to owners."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import BigInteger, Date, ForeignKey, Integer, LargeBinary, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from seci.calls.models import CALL_ID_MAX
from seci.core.clock import utcnow
from seci.core.db import Base

# Bumped when extraction changes: features of an older version are extracted again
# (2: the hedge lexicon split into not-known and handed-on; characters spoken; silences).
FEATURES_VERSION = 2


class CallFeatures(Base):
    """A call's agent clauses and customer words as sorted 64-bit hashes (little-endian
    int64 arrays: a million calls load in a second), where each clause was said, its hedge
    flags and its question."""

    __tablename__ = "mining_call_features"

    call_id: Mapped[str] = mapped_column(
        String(CALL_ID_MAX), ForeignKey("calls.call_id", ondelete="CASCADE"), primary_key=True)
    version: Mapped[int] = mapped_column(SmallInteger, default=FEATURES_VERSION)
    agent_clauses: Mapped[bytes] = mapped_column(LargeBinary)
    # Where in the call each clause was first said, 0–255 (uint8, parallel to the hashes):
    # openings and sign-offs are told apart from what is said while the problem is worked.
    agent_positions: Mapped[bytes] = mapped_column(LargeBinary)
    # The longest silence after each clause's turn, seconds (uint16, parallel to the hashes;
    # empty when the transcript has no times): what a call waited for.
    agent_silences: Mapped[bytes | None] = mapped_column(LargeBinary, default=None)
    customer_words: Mapped[bytes] = mapped_column(LargeBinary)
    flags: Mapped[int] = mapped_column(SmallInteger, default=0)  # hedge/escalate/call-back
    # Characters spoken by both sides: what the words predict of the duration (long calls).
    spoken_chars: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    question: Mapped[str] = mapped_column(String(200), default="")
    # When extracted: a call imported again since (its transcript may have changed) is read
    # again.
    extracted_at: Mapped[datetime | None] = mapped_column(default=None)


class MinedText(Base):
    """The text of a hash: an agent clause ("a") or a customer word ("c")."""

    __tablename__ = "mining_texts"

    hash: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    kind: Mapped[str] = mapped_column(String(1))
    text: Mapped[str] = mapped_column(String(80))


class MiningRun(Base):
    """One analysis of a period's calls and what it found (shown until the next run)."""

    __tablename__ = "mining_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[int | None] = mapped_column(Integer, default=None, index=True)
    start: Mapped[date | None] = mapped_column(Date, default=None)
    end: Mapped[date | None] = mapped_column(Date, default=None)
    calls: Mapped[int] = mapped_column(Integer, default=0)
    findings: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class MiningAlert(Base):
    """A burst told to the owners of the business module it concerns (their inbox)."""

    __tablename__ = "mining_alerts"

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("mining_runs.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         index=True)
    topic: Mapped[str] = mapped_column(String(80))
    region: Mapped[str] = mapped_column(String(40))
    week: Mapped[date] = mapped_column(Date)
    ratio: Mapped[float | None] = mapped_column(default=None)
    module_id: Mapped[int | None] = mapped_column(
        ForeignKey("modules.id", ondelete="SET NULL"), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    seen_at: Mapped[datetime | None] = mapped_column(default=None)
