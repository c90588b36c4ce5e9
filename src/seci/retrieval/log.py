"""The search log: what was asked, what was shown, what was opened; and the gaps in it."""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import case, func, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from seci.accounts.models import User
from seci.core.clock import utcnow
from seci.retrieval.models import SearchLog
from seci.retrieval.text import normalize, wording_key

logger = logging.getLogger("seci.retrieval")

if TYPE_CHECKING:
    from seci.retrieval.service import SearchResult

# The channel of customers' questions to the assistant (``seci.assistant.learning``).
ASSISTANT_CHANNEL = "assistant"

# Results as you type send a query per pause; a query that extends (or shortens) the one the
# same user searched a moment ago replaces it, so the log keeps what they finally asked.
TYPING_WINDOW = timedelta(seconds=30)


def log_search(session: Session, *, user: User | None, query: str, result: SearchResult,
               channel: str = "agent") -> SearchLog | None:
    """Record a search with what was shown (merged into the user's query being typed).

    Best effort: when the embedded database is busy with another process's write, the
    search is answered anyway and this entry is skipped (returns None)."""
    normalized = normalize(query)[:500]
    try:
        with _best_effort(session):
            entry = _being_typed(session, user, normalized) if user is not None else None
            if entry is None:
                entry = SearchLog(user_id=user.id if user else None, channel=channel)
                session.add(entry)
            entry.at = utcnow()
            entry.query = query[:500]
            entry.normalized = normalized
            entry.hit_count = len(result.hits)
            entry.shown_ids = [hit.article_id for hit in result.hits]
            entry.top_confidence = result.hits[0].confidence if result.hits else 0.0
            entry.confident = result.confident
        return entry
    except OperationalError as error:
        logger.warning("search not logged, database busy: %s", error.orig)
        return None


def log_unsearched(session: Session, *, query: str, channel: str) -> SearchLog | None:
    """Record a question that was answered without a search (a customer's question to an
    agent, which the assistant never searched), so that the article that answered it can
    label it: unsure (nothing answered it on its own), nothing shown. Best effort, like
    ``log_search``."""
    normalized = normalize(query)[:500]
    try:
        with _best_effort(session):
            entry = SearchLog(user_id=None, channel=channel, at=utcnow(), query=query[:500],
                              normalized=normalized, hit_count=0, shown_ids=[],
                              top_confidence=0.0, confident=False)
            session.add(entry)
        return entry
    except OperationalError as error:
        logger.warning("question not logged, database busy: %s", error.orig)
        return None


@contextmanager
def _best_effort(session: Session) -> Iterator[None]:
    """On SQLite a savepoint, so that a write refused by a busy database leaves the rest
    of the transaction intact. PostgreSQL has no such refusal (writers wait for row locks),
    and its savepoint would cost two round trips per search."""
    if session.get_bind().dialect.name == "sqlite":
        with session.begin_nested():
            yield
    else:
        yield
        session.flush()  # the entry's id, for whoever links to it


def _being_typed(session: Session, user: User, normalized: str) -> SearchLog | None:
    last = session.scalar(
        select(SearchLog).where(SearchLog.user_id == user.id,
                                SearchLog.at >= utcnow() - TYPING_WINDOW)
        .order_by(SearchLog.id.desc()).limit(1)
    )
    if last is None or last.opened_article_id is not None:
        return None
    if normalized.startswith(last.normalized) or last.normalized.startswith(normalized):
        return last
    return None


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


@dataclass(frozen=True)
class LearntWording:
    """A question search or the assistant was unsure of, answered since with an article."""

    normalized: str
    example: str
    article_id: int
    code: str
    title: str
    times: int
    last_at: datetime


def learnt_wordings(session: Session, *, actor: User, since: datetime, limit: int = 50
                    ) -> list[LearntWording]:
    """Callers' and agents' wordings the knowledge base did not recognise, each with the
    article that answered it: an agent opened it after an unsure search, a customer
    picked it among choices, an agent answered a hand-off with it
    (``assistant.learning.answered_by_agent``). The matcher already learns them word for
    word; added to the article as similar questions (after review) they also reach BM25
    and the article's examples. Most frequent first; wordings the article already holds
    as similar questions, and retired articles, are left out. Staff with search
    insights (the gap report's readers)."""
    from seci.accounts.roles import Perm
    from seci.core.errors import PermissionDenied
    from seci.knowledge.models import Article, ArticleStatus

    if not actor.can(Perm.SEARCH_INSIGHTS):
        raise PermissionDenied()
    rows = session.execute(
        select(SearchLog.normalized, func.max(SearchLog.query), SearchLog.opened_article_id,
               func.count(), func.max(SearchLog.at))
        .where(SearchLog.at >= since, SearchLog.opened_article_id.is_not(None),
               SearchLog.confident.is_(False))
        .group_by(SearchLog.normalized, SearchLog.opened_article_id)
    ).all()
    articles = {a.id: a for a in session.scalars(
        select(Article).where(Article.id.in_({r[2] for r in rows if r[2] is not None}),
                              Article.status != ArticleStatus.RETIRED))}
    held = {article.id: {wording_key(normalize(q)) for q in article.similar_questions}
            for article in articles.values()}
    found = []
    for normalized, example, article_id, times, last_at in rows:
        article = articles.get(article_id) if article_id is not None else None
        if article is None or not normalized or wording_key(normalized) in held[article.id]:
            continue
        found.append(LearntWording(normalized, str(example), article.id, article.code,
                                   article.title, int(times), last_at))
    found.sort(key=lambda w: (-w.times, -w.last_at.timestamp(), w.normalized))
    return found[:limit]


def discard_learnt_wording(session: Session, *, actor: User, normalized: str,
                           article_id: int) -> int:
    """"Not this article": the wording's unsure searches lose ``article_id`` as their
    answer, so the matcher stops learning the pair at its next reload (an agent may have
    answered a question asked of them, not the one the assistant failed on). Editors only;
    audited. Returns how many log entries changed; none is an error (404)."""
    from seci.accounts.roles import Perm
    from seci.audit.service import record
    from seci.core.errors import NotFound, PermissionDenied

    if not actor.can(Perm.ARTICLE_EDIT):
        raise PermissionDenied()
    entries = session.scalars(
        select(SearchLog).where(SearchLog.normalized == normalized,
                                SearchLog.opened_article_id == article_id,
                                SearchLog.confident.is_(False))).all()
    if not entries:
        raise NotFound()
    for entry in entries:
        entry.opened_article_id = None
        entry.opened_at = None
    session.flush()
    record(session, actor=actor, action="search.label_discarded", entity_type="article",
           entity_id=article_id, summary=normalized[:200],
           before={"query": normalized, "article_id": article_id, "entries": len(entries)})
    return len(entries)


@dataclass(frozen=True)
class GapReport:
    """知识缺口 over the last ``days``: queries without a good answer, wordings found since,
    and the most frequent queries."""

    days: int
    gaps: Sequence[QueryStat]
    learnt: Sequence[LearntWording]
    top: Sequence[QueryStat]


MAX_GAP_DAYS = 365


def gap_report(session: Session, *, actor: User, days: int = 30) -> GapReport:
    """The gap report (``/kb/gaps``, ``GET /api/v1/search/gaps``) for staff with search
    insights; ``days`` is kept within 1–365."""
    from seci.accounts.roles import Perm
    from seci.core.errors import PermissionDenied

    if not actor.can(Perm.SEARCH_INSIGHTS):
        raise PermissionDenied()
    days = min(max(days, 1), MAX_GAP_DAYS)
    since = utcnow() - timedelta(days=days)
    return GapReport(days=days,
                     gaps=query_stats(session, since=since, gaps_only=True),
                     learnt=learnt_wordings(session, actor=actor, since=since),
                     top=query_stats(session, since=since, limit=20))


def opened_after(session: Session, *, limit: int = 20000) -> list[tuple[str, int]]:
    """Distinct (query, opened article) pairs, newest first: labelled paraphrases for the
    matcher, in the words agents actually type."""
    return _labelled_pairs(session, limit=limit)


def answered_wordings(session: Session, *, limit: int = 20000) -> list[tuple[str, int]]:
    """Distinct (question, article) pairs of customers' questions an answer settled,
    newest first: confirmed or picked by the customer, or sent by an agent after a
    hand-off (channel ``ASSISTANT_CHANNEL``). Answers, not browsing: an agent who opens an
    article after a search may be looking around, so those pairs teach the matcher but
    never pin a wording to an article (``SearchEngine.known_answer``)."""
    return _labelled_pairs(session, limit=limit, channel=ASSISTANT_CHANNEL)


def _labelled_pairs(session: Session, *, limit: int, channel: str | None = None
                    ) -> list[tuple[str, int]]:
    pairs: dict[tuple[str, int], None] = {}
    query = (select(SearchLog.normalized, SearchLog.opened_article_id)
             .where(SearchLog.opened_article_id.is_not(None)))
    if channel is not None:
        query = query.where(SearchLog.channel == channel)
    for normalized, article_id in session.execute(
        query.order_by(SearchLog.id.desc()).limit(limit * 3)
    ):
        if article_id is not None and normalized:
            pairs.setdefault((normalized, int(article_id)), None)
            if len(pairs) >= limit:
                break
    return list(pairs)


def opened_marker(session: Session) -> tuple[int, int]:
    """Changes whenever an open is recorded (count, latest id of opened entries)."""
    count, latest = session.execute(
        select(func.count(), func.max(SearchLog.id))
        .where(SearchLog.opened_article_id.is_not(None))
    ).one()
    return int(count or 0), int(latest or 0)


def frequent_queries(session: Session, *, prefix: str, since: datetime, limit: int = 5
                     ) -> list[str]:
    """Queries staff asked often that contain what was typed (suggestions).

    Staff only: customers' questions to the assistant (no user) are logged for the gap
    report, but a customer can type anything, so their text is never offered to agents."""
    needle = normalize(prefix)
    if not needle:
        return []
    escaped = needle.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    rows = session.execute(
        select(SearchLog.normalized, func.max(SearchLog.query), func.count().label("n"))
        .where(SearchLog.at >= since, SearchLog.hit_count > 0, SearchLog.user_id.is_not(None),
               SearchLog.normalized.like(f"%{escaped}%", escape="\\"))
        .group_by(SearchLog.normalized)
        .having(func.count() >= 2)
        .order_by(func.count().desc(), SearchLog.normalized).limit(limit)
    ).all()
    return [str(example) for _, example, _ in rows]
