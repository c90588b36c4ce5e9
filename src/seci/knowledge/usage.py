"""How articles are used: view counts and helpful / not-helpful votes."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from seci.accounts.models import User
from seci.core.clock import utcnow
from seci.knowledge.articles import get_visible_article
from seci.knowledge.errors import ArticleNotFound
from seci.knowledge.models import Article, ArticleVote


def record_view(session: Session, *, article_id: int) -> None:
    session.execute(
        update(Article).where(Article.id == article_id)
        .values(view_count=Article.view_count + 1)
        .execution_options(synchronize_session=False)
    )


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
