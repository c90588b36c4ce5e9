"""How articles are used: view counts and helpful / not-helpful votes."""

from __future__ import annotations

import logging
import threading
from collections import Counter
from dataclasses import dataclass, field
from typing import cast

from sqlalchemy import Table, bindparam, func, select, update
from sqlalchemy.orm import Session, sessionmaker

from seci.accounts.models import User
from seci.core.clock import utcnow
from seci.knowledge.articles import get_visible_article
from seci.knowledge.errors import ArticleNotFound
from seci.knowledge.models import Article, ArticleVote

logger = logging.getLogger("seci.knowledge")


def add_views(session: Session, *, counts: dict[int, int]) -> None:
    """Add counted views to articles in one statement (the optimistic lock is untouched)."""
    if not counts:
        return
    table = cast(Table, Article.__table__)
    session.execute(
        update(table).where(table.c.id == bindparam("b_id"))
        .values(view_count=table.c.view_count + bindparam("b_n")),
        [{"b_id": article_id, "b_n": n} for article_id, n in counts.items()],
    )


class ViewCounter:
    """Counts article views in memory and writes them every few seconds.

    A page view must not write to the database inside the reading request: on SQLite a read
    transaction that turns into a write fails under concurrent load ("database is locked"),
    and on any database it costs a row lock per view. Views counted by a process that dies
    before its next flush are lost, which a view counter can afford.
    """

    def __init__(self, session_factory: sessionmaker[Session], interval: float | None = 5.0
                 ) -> None:
        self._session_factory = session_factory
        self._interval = interval
        self._pending: Counter[int] = Counter()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def add(self, article_id: int) -> None:
        with self._lock:
            self._pending[article_id] += 1

    def flush(self) -> int:
        """Write what was counted so far; returns the number of views written."""
        with self._lock:
            counts, self._pending = dict(self._pending), Counter()
        if counts:
            try:
                with self._session_factory.begin() as session:
                    add_views(session, counts=counts)
            except Exception:
                logger.exception("could not write %d article views", sum(counts.values()))
                with self._lock:
                    self._pending.update(counts)  # try again at the next flush
                return 0
        return sum(counts.values())

    def start(self) -> None:
        if self._interval is None or self._thread is not None:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="seci-view-counter", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None
        self.flush()

    def _run(self) -> None:
        assert self._interval is not None
        while not self._stop.wait(self._interval):
            self.flush()


@dataclass
class VoteResult:
    helpful_count: int
    unhelpful_count: int
    mine: bool | None = field(default=None)


def vote(session: Session, *, article_id: int, user: User, helpful: bool) -> VoteResult:
    """One vote per user; voting again changes it."""
    article, access = get_visible_article(session, user=user, article_id=article_id)
    if not access.live:
        raise ArticleNotFound(article=article_id)
    # One vote at a time per article: two first votes of one user (a double click) would
    # both find none and both insert one, and counts read beside another vote would be
    # stale. The article's row lock queues them on PostgreSQL (SQLite queues writers).
    session.execute(select(Article.id).where(Article.id == article_id).with_for_update())
    existing = session.scalar(
        select(ArticleVote).where(ArticleVote.article_id == article_id,
                                  ArticleVote.user_id == user.id)
    )
    if existing is None:
        session.add(ArticleVote(article_id=article_id, user_id=user.id, helpful=helpful))
    else:
        existing.helpful = helpful
        existing.voted_at = utcnow()
    session.flush()
    counts = dict(
        session.execute(
            select(ArticleVote.helpful, func.count())
            .where(ArticleVote.article_id == article_id)
            .group_by(ArticleVote.helpful)
        ).all()
    )
    session.execute(
        update(Article).where(Article.id == article_id)
        .values(helpful_count=counts.get(True, 0), unhelpful_count=counts.get(False, 0))
        .execution_options(synchronize_session=False)
    )
    session.refresh(article)
    return VoteResult(article.helpful_count, article.unhelpful_count, helpful)
