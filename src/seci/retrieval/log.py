"""The search log: what was asked, what was shown, what was opened; and the gaps in it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from seci.accounts.models import User
from seci.core.clock import utcnow
from seci.retrieval.models import SearchLog
from seci.retrieval.service import SearchResult
from seci.retrieval.text import normalize


def log_search(session: Session, *, user: User | None, query: str, result: SearchResult,
               channel: str = "agent") -> SearchLog:
    entry = SearchLog(
        user_id=user.id if user else None, channel=channel, query=query[:500],
        normalized=normalize(query)[:500], hit_count=len(result.hits),
        shown_ids=[hit.article_id for hit in result.hits],
        top_confidence=result.hits[0].confidence if result.hits else 0.0,
        confident=result.confident,
    )
    session.add(entry)
    session.flush()
    return entry


def log_open(session: Session, *, user: User, query: str, article_id: int) -> None:
    """The user opened an article from the results of ``query``: record it on the latest
    matching log entry of theirs (or a new one)."""
    recent = utcnow() - timedelta(minutes=30)
    entry = session.scalar(
        select(SearchLog).where(SearchLog.user_id == user.id,
                                SearchLog.normalized == normalize(query)[:500],
                                SearchLog.at >= recent, SearchLog.opened_article_id.is_(None))
        .order_by(SearchLog.id.desc()).limit(1)
    )
    if entry is None:
        entry = SearchLog(user_id=user.id, query=query[:500],
                          normalized=normalize(query)[:500])
        session.add(entry)
    entry.opened_article_id = article_id
    entry.opened_at = utcnow()
    session.flush()


@dataclass(frozen=True)
class QueryStat:
    normalized: str
    example: str
    searches: int
    zero_results: int
    unsure: int
    opened: int
    last_at: datetime

    @property
    def gap_score(self) -> float:
        """How much this looks like missing knowledge: searched often, rarely answered."""
        return self.searches * (self.zero_results + self.unsure - 0.5 * self.opened + 1)


def query_stats(session: Session, *, since: datetime, limit: int = 50,
                gaps_only: bool = False) -> Sequence[QueryStat]:
    """Queries grouped by normalised text; with ``gaps_only`` only those that went without
    a confident answer or an opened article."""
    rows = session.execute(
        select(
            SearchLog.normalized,
            func.max(SearchLog.query),
            func.count(),
            func.sum(case((SearchLog.hit_count == 0, 1), else_=0)),
            func.sum(case((SearchLog.confident.is_(False), 1), else_=0)),
            func.sum(case((SearchLog.opened_article_id.is_not(None), 1), else_=0)),
            func.max(SearchLog.at),
        )
        .where(SearchLog.at >= since)
        .group_by(SearchLog.normalized)
    ).all()
    stats = [QueryStat(n, q, c, int(z or 0), int(u or 0), int(o or 0), last)
             for n, q, c, z, u, o, last in rows]
    if gaps_only:
        stats = [s for s in stats if (s.zero_results or s.unsure) and s.opened < s.searches]
        return sorted(stats, key=lambda s: (-s.gap_score, s.normalized))[:limit]
    return sorted(stats, key=lambda s: (-s.searches, s.normalized))[:limit]


def opened_after(session: Session, *, limit: int = 20000) -> list[tuple[str, int]]:
    """(query, opened article) pairs: labelled paraphrases for the matcher."""
    return [(q, a) for q, a in session.execute(
        select(SearchLog.query, SearchLog.opened_article_id)
        .where(SearchLog.opened_article_id.is_not(None))
        .order_by(SearchLog.id.desc()).limit(limit)
    ) if a is not None]
