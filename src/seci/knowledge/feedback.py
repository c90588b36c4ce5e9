"""Agent feedback (纠错): flag an article, the owner fixes or declines, the agent sees it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from seci.accounts.models import User
from seci.accounts.roles import Perm
from seci.audit.service import record
from seci.core.clock import utcnow
from seci.core.errors import FieldErrors, PermissionDenied
from seci.knowledge.access import in_scope, module_scope, readable_titles
from seci.knowledge.articles import get_article, get_visible_article
from seci.knowledge.errors import FeedbackNotFound, InvalidTransition, NotArticleOwner
from seci.knowledge.models import Article, ArticleFeedback, FeedbackKind, FeedbackStatus

MAX_COMMENT = 2000
# Feedback still waiting for its owner: reported, or accepted and being fixed.
PENDING = (FeedbackStatus.OPEN, FeedbackStatus.ACCEPTED)


def flag_article(session: Session, *, article_id: int, user: User, kind: str, comment: str
                 ) -> ArticleFeedback:
    """Anyone who can read an article can flag it as wrong, outdated or unclear."""
    if not user.can(Perm.FEEDBACK_CREATE):
        raise PermissionDenied()
    article, _ = get_visible_article(session, user=user, article_id=article_id)
    problems: list[dict[str, Any]] = []
    if kind not in {k.value for k in FeedbackKind}:
        problems.append({"field": "kind", "code": "invalid_choice", "value": kind})
    if not comment.strip():
        problems.append({"field": "comment", "code": "required", "value": ""})
    elif len(comment) > MAX_COMMENT:
        problems.append({"field": "comment", "code": "too_long", "value": "", "max": MAX_COMMENT})
    if problems:
        raise FieldErrors(problems)
    item = ArticleFeedback(
        article_id=article.id,
        version_no=article.live_version.version_no if article.live_version else 0,
        reporter_id=user.id,
        kind=kind,
        comment=comment.strip(),
    )
    session.add(item)
    session.flush()
    record(session, actor=user, action="feedback.create", entity_type="article",
           entity_id=article.id, summary=f"{article.code} {kind}",
           after={"feedback_id": item.id, "kind": kind, "comment": item.comment})
    return item


def get_feedback(session: Session, *, feedback_id: int) -> ArticleFeedback:
    item = session.get(ArticleFeedback, feedback_id)
    if item is None:
        raise FeedbackNotFound(feedback=feedback_id)
    return item


def _may_handle(session: Session, user: User, article: Article) -> bool:
    """The owner handles feedback; business managers of the module may step in."""
    if user.id == article.owner_id:
        return True
    return user.can(Perm.ARTICLE_RETIRE) and in_scope(module_scope(session, user),
                                                     article.module_id)


@dataclass(frozen=True)
class FeedbackArticle:
    """The article a feedback item is about, as the reader may see it."""

    id: int
    code: str
    title: str


def _as_seen(session: Session, user: User, query: Select[ArticleFeedback, Article]
             ) -> list[tuple[ArticleFeedback, FeedbackArticle]]:
    # A pending revision may have renamed the article: the reporter, usually an agent, reads
    # only the published title (access.readable_titles), the owner the working copy's.
    pairs = [(item, article) for item, article in session.execute(query).unique()]
    titles = readable_titles(session, user, (article for _, article in pairs))
    return [(item, FeedbackArticle(article.id, article.code, titles[article.id]))
            for item, article in pairs]


def feedback_article(session: Session, *, user: User, article_id: int) -> FeedbackArticle:
    """The article as ``user`` may see it, for showing with their feedback."""
    article = get_article(session, article_id=article_id)
    return FeedbackArticle(article.id, article.code,
                           readable_titles(session, user, [article])[article.id])


def _inbox_query(session: Session, user: User, *, include_closed: bool = False
                 ) -> Select[ArticleFeedback, Article]:
    query = select(ArticleFeedback, Article).join(Article,
                                                  Article.id == ArticleFeedback.article_id)
    if user.can(Perm.ARTICLE_RETIRE):
        scope = module_scope(session, user)
        if scope is not None:
            query = query.where(or_(Article.owner_id == user.id,
                                    Article.module_id.in_(scope or {-1})))
    else:
        query = query.where(Article.owner_id == user.id)
    if not include_closed:
        query = query.where(ArticleFeedback.status.in_(PENDING))
    return query


def owner_inbox(session: Session, *, user: User, include_closed: bool = False
                ) -> Sequence[tuple[ArticleFeedback, FeedbackArticle]]:
    """Feedback on the user's articles (managers: on their modules), open items first."""
    query = _inbox_query(session, user, include_closed=include_closed)
    return _as_seen(session, user, query.order_by(ArticleFeedback.created_at.desc()))


def count_to_handle_for(session: Session, *, actor: User) -> int:
    """How many open items ``owner_inbox`` lists for the actor (the home page's count)."""
    query = _inbox_query(session, actor).with_only_columns(func.count(ArticleFeedback.id))
    return session.scalar(query) or 0


def count_own_pending_for(session: Session, *, actor: User) -> int:
    """How many of the actor's own reports still wait for the owner (open or being fixed):
    the pending ones on "What I reported"."""
    return session.scalar(select(func.count(ArticleFeedback.id)).where(
        ArticleFeedback.reporter_id == actor.id, ArticleFeedback.status.in_(PENDING))) or 0


def my_reports(session: Session, *, user: User
               ) -> Sequence[tuple[ArticleFeedback, FeedbackArticle]]:
    """What the user flagged and what became of it."""
    query = (
        select(ArticleFeedback, Article)
        .join(Article, Article.id == ArticleFeedback.article_id)
        .where(ArticleFeedback.reporter_id == user.id)
        .order_by(ArticleFeedback.created_at.desc())
    )
    return _as_seen(session, user, query)


def feedback_for_article(session: Session, *, user: User, article: Article
                         ) -> Sequence[ArticleFeedback]:
    """The article's feedback for those who handle it (its owner, the module's business
    managers); nothing for anyone else — reporters see their own under "my feedback"."""
    if not _may_handle(session, user, article):
        return []
    article_id = article.id
    return session.scalars(
        select(ArticleFeedback).where(ArticleFeedback.article_id == article_id)
        .order_by(ArticleFeedback.created_at.desc())
    ).all()


def _handle(session: Session, *, feedback_id: int, user: User) -> tuple[ArticleFeedback,
                                                                           Article]:
    item = get_feedback(session, feedback_id=feedback_id)
    article = get_article(session, article_id=item.article_id)
    if not _may_handle(session, user, article):
        raise NotArticleOwner()
    if item.status not in {FeedbackStatus.OPEN, FeedbackStatus.ACCEPTED}:
        raise InvalidTransition(status=item.status, action="handled")
    return item, article


def accept_feedback(session: Session, *, feedback_id: int, user: User, response: str = ""
                    ) -> ArticleFeedback:
    """The owner agrees and will fix it: the next published version closes it as fixed."""
    item, article = _handle(session, feedback_id=feedback_id, user=user)
    item.status = FeedbackStatus.ACCEPTED
    item.response = response.strip() or item.response
    item.handled_by_id = user.id
    item.handled_at = utcnow()
    session.flush()
    record(session, actor=user, action="feedback.accept", entity_type="article",
           entity_id=article.id, summary=article.code, after={"feedback_id": item.id})
    return item


def decline_feedback(session: Session, *, feedback_id: int, user: User, reason: str
                     ) -> ArticleFeedback:
    """Close without change; the reporter sees the reason."""
    item, article = _handle(session, feedback_id=feedback_id, user=user)
    if not reason.strip():
        raise FieldErrors([{"field": "reason", "code": "required", "value": ""}])
    item.status = FeedbackStatus.DECLINED
    item.response = reason.strip()
    item.handled_by_id = user.id
    item.handled_at = utcnow()
    session.flush()
    record(session, actor=user, action="feedback.decline", entity_type="article",
           entity_id=article.id, summary=article.code,
           after={"feedback_id": item.id, "reason": item.response})
    return item
