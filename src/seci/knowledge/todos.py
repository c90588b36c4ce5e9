"""What waits for a user in the knowledge base, as counts for the home page."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from seci.accounts.models import User
from seci.accounts.roles import Perm
from seci.core.clock import today
from seci.core.config import get_settings
from seci.core.todo import Todo, waiting
from seci.knowledge import feedback, push, queries
from seci.knowledge.models import Article, ArticleStatus

EXPIRING_DAYS = 30


def count_sent_back_for(session: Session, *, actor: User) -> int:
    """The actor's drafts that a reviewer sent back with a comment (to rework)."""
    return session.scalar(select(func.count(Article.id)).where(
        Article.owner_id == actor.id, Article.status == ArticleStatus.DRAFT,
        Article.review_comment.is_not(None))) or 0


def todos_for(session: Session, actor: User, *, on: date | None = None) -> list[Todo]:
    """New knowledge to read, submissions to review, feedback to handle, one's own
    feedback still pending, drafts sent back, articles expiring within 30 days."""
    on = on or today()
    todos = [Todo("knowledge.unread", push.unread_count(
        session, user=actor, days=get_settings().new_knowledge_days, on=on), "/kb/new")]
    if actor.can(Perm.ARTICLE_REVIEW):
        todos.append(Todo("knowledge.review", len(queries.review_queue(session, user=actor)),
                          "/kb/review"))
    todos.append(Todo("knowledge.feedback",
                      feedback.count_to_handle_for(session, actor=actor), "/kb/feedback"))
    if actor.can(Perm.ARTICLE_EDIT):
        todos.append(Todo("knowledge.sent_back", count_sent_back_for(session, actor=actor),
                          "/kb/drafts"))
    if actor.can(Perm.KB_SEE_EXPIRED):
        expiring = queries.expiring_articles(session, user=actor, days=EXPIRING_DAYS, on=on)
        dues = [a.live_version.valid_to for a in expiring if a.live_version is not None]
        todos.append(Todo("knowledge.expiring", len(expiring), "/kb/expiring",
                          min((d for d in dues if d is not None), default=None)))
    todos.append(Todo("knowledge.my_feedback",
                      feedback.count_own_pending_for(session, actor=actor), "/kb/feedback#mine"))
    return waiting(todos)
