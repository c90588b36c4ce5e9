"""Tokenised search documents, cached so that a restart does not segment the KB again."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from seci.core.clock import utcnow
from seci.core.db import Base


class SearchDocument(Base):
    """Search tokens of one published version, per analyzer signature (dictionary and
    synonyms): when those change, the signature changes and documents are re-tokenised."""

    __tablename__ = "search_documents"

    version_id: Mapped[int] = mapped_column(
        ForeignKey("article_versions.id", ondelete="CASCADE"), primary_key=True
    )
    signature: Mapped[str] = mapped_column(String(40), primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id"), index=True)
    title: Mapped[str] = mapped_column(Text)
    questions: Mapped[str] = mapped_column(Text)
    tags: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    pinyin: Mapped[str] = mapped_column(Text)
    grams: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class SearchLog(Base):
    """One search that someone finished (pressed Enter or opened a result), for the gap
    report and as training signal: what agents opened after which query."""

    __tablename__ = "search_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    channel: Mapped[str] = mapped_column(String(16), default="agent")  # agent|api|assistant
    query: Mapped[str] = mapped_column(String(500))
    normalized: Mapped[str] = mapped_column(String(500), index=True)
    hit_count: Mapped[int] = mapped_column(default=0)
    shown_ids: Mapped[list[int]] = mapped_column(default=list)
    top_confidence: Mapped[float] = mapped_column(default=0.0)
    confident: Mapped[bool] = mapped_column(default=False)
    opened_article_id: Mapped[int | None] = mapped_column(ForeignKey("articles.id"),
                                                          default=None, index=True)
    opened_at: Mapped[datetime | None] = mapped_column(default=None)


class SynonymRule(Base):
    """A synonym group managers added to the shipped table (检索 > 同义词).

    Rows are never deleted, only deactivated, and every write takes the next ``revision``
    (unique): each server process compares the highest revision with the one its analyzer
    uses, so an edit takes effect everywhere without a restart.
    """

    __tablename__ = "search_synonyms"

    id: Mapped[int] = mapped_column(primary_key=True)
    canonical: Mapped[str] = mapped_column(String(40), index=True)
    variants: Mapped[list[str]] = mapped_column(default=list)
    note: Mapped[str] = mapped_column(String(200), default="")
    active: Mapped[bool] = mapped_column(default=True)
    revision: Mapped[int] = mapped_column(unique=True)
    lock_version: Mapped[int] = mapped_column(default=1)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class SearchCalibration(Base):
    """One fit of the confidence model on the knowledge base being served (held-out similar
    questions and the search log's confirmed pairs; ``seci.retrieval.served_calibration``).
    Every search process uses the newest fit whose matcher form matches its own."""

    __tablename__ = "search_calibrations"

    id: Mapped[int] = mapped_column(primary_key=True)
    fitted_at: Mapped[datetime] = mapped_column(default=utcnow)
    # 'fitted', or 'too_few' (not enough held-out questions: the prior stays in force).
    status: Mapped[str] = mapped_column(String(16))
    matcher_kind: Mapped[str] = mapped_column(String(16))  # linear | neighbours
    articles: Mapped[int] = mapped_column(Integer)
    held_out: Mapped[int] = mapped_column(Integer)  # questions asked unseen
    from_log: Mapped[int] = mapped_column(Integer)  # of which from the search log
    watermark: Mapped[int] = mapped_column(Integer)  # the article change feed at the fit
    coefficients: Mapped[dict[str, Any]] = mapped_column(default=dict)
    thresholds: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # Reliability curve and the figures behind the thresholds (see the service).
    report: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
