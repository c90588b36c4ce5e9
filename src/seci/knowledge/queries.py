"""Lists of articles as each user may see them: browse, drafts, expiring, review queue."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, func, or_, select
from sqlalchemy.orm import Session, aliased, defer, joinedload

from seci.accounts.models import User
from seci.accounts.roles import Perm
from seci.core.clock import today
from seci.core.errors import PermissionDenied
from seci.knowledge.access import module_scope, visible_live_clause, working_copy_clause
from seci.knowledge.models import Article, ArticleStatus, ArticleVersion, Validity, VersionQueue
from seci.knowledge.modules import subtree_ids


@dataclass(frozen=True)
class ArticleQuery:
    module_id: int | None = None  # includes the module's subtree
    queue_id: int | None = None
    status: str | None = None
    validity: str | None = None
    text: str | None = None
    audience: str | None = None
    owner_id: int | None = None
    on: date | None = None


def _live_listing(session: Session, user: User, query: ArticleQuery, on: date) -> Any:
    stmt = (
        select(Article)
        .join(ArticleVersion, ArticleVersion.id == Article.live_version_id)
        .where(visible_live_clause(user, on))
    )
    if query.module_id is not None:
        stmt = stmt.where(ArticleVersion.module_id.in_(subtree_ids(session,
                                                                   module_id=query.module_id)))
    if query.queue_id is not None:
        stmt = stmt.where(
            ArticleVersion.id.in_(
                select(VersionQueue.version_id).where(VersionQueue.queue_id == query.queue_id)
            )
        )
    if query.audience:
        stmt = stmt.where(ArticleVersion.audience == query.audience)
    if query.validity == Validity.EXPIRED:
        stmt = stmt.where(ArticleVersion.valid_to < on)
    elif query.validity == Validity.SCHEDULED:
        stmt = stmt.where(ArticleVersion.valid_from > on)
    elif query.validity == Validity.VALID:
        stmt = stmt.where(
            or_(ArticleVersion.valid_from.is_(None), ArticleVersion.valid_from <= on),
            or_(ArticleVersion.valid_to.is_(None), ArticleVersion.valid_to >= on),
        )
    return stmt


def _working_listing(session: Session, user: User, query: ArticleQuery) -> Any:
    stmt = select(Article).where(Article.status.in_([ArticleStatus.DRAFT,
                                                     ArticleStatus.IN_REVIEW]),
                                 working_copy_clause(session, user))
    if query.module_id is not None:
        stmt = stmt.where(Article.module_id.in_(subtree_ids(session, module_id=query.module_id)))
    return stmt


def _text_matches(session: Session, user: User, text: str) -> ColumnElement[bool]:
    """Code or a title the user may read: the published title for everyone, the working
    copy's only for those who may see it (else the filter would let agents guess an
    unpublished title letter by letter)."""
    pattern = f"%{text.strip()}%"
    live = aliased(ArticleVersion)  # the live listing has ArticleVersion joined already
    published = exists(select(live.id).where(live.id == Article.live_version_id,
                                             live.title.like(pattern)))
    return or_(Article.code.like(pattern), published,
               and_(working_copy_clause(session, user), Article.title.like(pattern)))


def list_articles(session: Session, *, user: User, query: ArticleQuery, limit: int = 50,
                  offset: int = 0) -> tuple[Sequence[Article], int]:
    """Articles the user may see, newest change first; drafts only with status=draft/in_review."""
    on = query.on or today()
    if query.status in {ArticleStatus.DRAFT, ArticleStatus.IN_REVIEW}:
        stmt = _working_listing(session, user, query).where(Article.status == query.status)
    else:
        stmt = _live_listing(session, user, query, on)
        if query.status:
            stmt = stmt.where(Article.status == query.status)
    if query.owner_id is not None:
        stmt = stmt.where(Article.owner_id == query.owner_id)
    if query.text:
        stmt = stmt.where(_text_matches(session, user, query.text))
    total = session.scalar(
        select(func.count()).select_from(stmt.with_only_columns(Article.id).subquery())
    ) or 0
    rows = session.scalars(
        stmt.options(defer(Article.body),
                     joinedload(Article.live_version).defer(ArticleVersion.body))
        .order_by(Article.updated_at.desc(), Article.id.desc()).limit(limit).offset(offset)
    ).unique().all()
    return rows, total


def count_live_by_module(session: Session, *, user: User, on: date | None = None) -> dict[int,
                                                                                            int]:
    on = on or today()
    rows = session.execute(
        select(ArticleVersion.module_id, func.count())
        .select_from(Article)
        .join(ArticleVersion, ArticleVersion.id == Article.live_version_id)
        .where(visible_live_clause(user, on))
        .group_by(ArticleVersion.module_id)
    ).all()
    return {module_id: count for module_id, count in rows}


MAX_EXPIRING_DAYS = 366


def expiring_articles(session: Session, *, user: User, days: int,
                      on: date | None = None) -> Sequence[Article]:
    """Published articles whose validity ends within ``days`` (for editors to renew). An
    agent must not learn what is about to lapse before it does: KB_SEE_EXPIRED only."""
    if not user.can(Perm.KB_SEE_EXPIRED):
        raise PermissionDenied()
    days = min(max(days, 1), MAX_EXPIRING_DAYS)
    on = on or today()
    stmt = (
        select(Article)
        .join(ArticleVersion, ArticleVersion.id == Article.live_version_id)
        .where(
            Article.status != ArticleStatus.RETIRED,
            ArticleVersion.valid_to.is_not(None),
            ArticleVersion.valid_to >= on,
            ArticleVersion.valid_to <= on + timedelta(days=days),
        )
        .order_by(ArticleVersion.valid_to, Article.code)
    )
    scope = module_scope(session, user)
    if scope is not None:
        stmt = stmt.where(Article.module_id.in_(scope or {-1}))
    return session.scalars(stmt).unique().all()


def review_queue(session: Session, *, user: User) -> Sequence[Article]:
    """Submissions waiting for review in the user's modules, oldest first."""
    stmt = select(Article).where(Article.status == ArticleStatus.IN_REVIEW)
    scope = module_scope(session, user)
    if scope is not None:
        stmt = stmt.where(Article.module_id.in_(scope or {-1}))
    return session.scalars(stmt.order_by(Article.submitted_at)).unique().all()
