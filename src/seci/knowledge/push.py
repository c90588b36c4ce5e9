"""New-knowledge push (知识确认): agents acknowledge new or changed knowledge of their queues."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import ColumnElement, Select, and_, func, or_, select
from sqlalchemy.orm import Session

from seci.accounts.models import User, UserQueue, UserRole
from seci.accounts.roles import Perm, Role
from seci.audit.service import record
from seci.core.clock import today
from seci.core.errors import PermissionDenied
from seci.knowledge.access import visible_live_clause
from seci.knowledge.articles import get_visible_article
from seci.knowledge.errors import VersionNotFound
from seci.knowledge.models import (
    Article,
    ArticleStatus,
    ArticleVersion,
    KnowledgeAck,
    VersionQueue,
)


def _new_since(since: datetime) -> ColumnElement[bool]:
    """Published in the window, or taking effect in it (a scheduled version is news on the
    day it becomes valid, however long ago it was approved)."""
    return or_(ArticleVersion.published_at >= since, ArticleVersion.valid_from >= since.date())


@dataclass(frozen=True)
class NewKnowledge:
    article: Article
    version: ArticleVersion
    acked_at: datetime | None


def _pushed(user: User, days: int, on: date) -> Select[Article, ArticleVersion, datetime]:
    """Live versions pushed in the window that the user may see, with the user's read time."""
    since = datetime.combine(on - timedelta(days=days), datetime.min.time())
    stmt = (
        select(Article, ArticleVersion, KnowledgeAck.acked_at)
        .join(ArticleVersion, ArticleVersion.id == Article.live_version_id)
        .outerjoin(KnowledgeAck, and_(KnowledgeAck.version_id == ArticleVersion.id,
                                      KnowledgeAck.user_id == user.id))
        .where(
            ArticleVersion.notify_agents.is_(True),
            _new_since(since),
            visible_live_clause(user, on),
        )
    )
    if user.queue_ids:
        # Staff who see every queue still get the push of their own queues only.
        stmt = stmt.where(
            ArticleVersion.id.in_(
                select(VersionQueue.version_id).where(VersionQueue.queue_id.in_(user.queue_ids))
            )
        )
    return stmt


def new_knowledge(session: Session, *, user: User, days: int, on: date | None = None,
                  unread_only: bool = False, limit: int | None = None) -> list[NewKnowledge]:
    """New and changed knowledge for the user's queues, unacknowledged first."""
    stmt = _pushed(user, days, on or today())
    if unread_only:
        stmt = stmt.where(KnowledgeAck.id.is_(None))
    stmt = stmt.order_by(KnowledgeAck.id.is_not(None), ArticleVersion.published_at.desc(),
                         ArticleVersion.id.desc()).limit(limit)
    return [NewKnowledge(a, v, acked) for a, v, acked in session.execute(stmt).unique()]


def unread_count(session: Session, *, user: User, days: int, on: date | None = None) -> int:
    stmt = _pushed(user, days, on or today()).where(KnowledgeAck.id.is_(None))
    return session.scalar(select(func.count()).select_from(stmt.subquery())) or 0


def is_unread(session: Session, *, user: User, version_id: int, days: int,
              on: date | None = None) -> bool:
    """Whether this version waits for the user's read acknowledgement (article page)."""
    stmt = _pushed(user, days, on or today()).where(ArticleVersion.id == version_id,
                                                    KnowledgeAck.id.is_(None))
    return session.execute(stmt.limit(1)).first() is not None


def acknowledge(session: Session, *, user: User, version_id: int) -> KnowledgeAck:
    """Idempotent: acknowledging twice keeps the first time."""
    version = session.get(ArticleVersion, version_id)
    if version is None:
        raise VersionNotFound(version=version_id, article="?")
    get_visible_article(session, user=user, article_id=version.article_id)
    existing = session.scalar(
        select(KnowledgeAck).where(KnowledgeAck.version_id == version_id,
                                   KnowledgeAck.user_id == user.id)
    )
    if existing:
        return existing
    ack = KnowledgeAck(version_id=version_id, user_id=user.id)
    session.add(ack)
    session.flush()
    record(session, actor=user, action="knowledge.ack", entity_type="article",
           entity_id=version.article_id, summary=f"{version.code} v{version.version_no}")
    return ack


@dataclass(frozen=True)
class Coverage:
    article: Article
    version: ArticleVersion
    expected: list[User]  # agents of the version's queues
    acknowledged: list[User]

    @property
    def missing(self) -> list[User]:
        done = {u.id for u in self.acknowledged}
        return [u for u in self.expected if u.id not in done]

    @property
    def rate(self) -> float:
        return len(self.acknowledged) / len(self.expected) if self.expected else 1.0


def coverage(session: Session, *, actor: User, days: int, on: date | None = None
             ) -> list[Coverage]:
    """Per recent pushed version: which agents of its queues have not read it yet.

    A supervisor assigned to queues sees the agents of those queues only.
    """
    if not actor.can(Perm.ACK_COVERAGE):
        raise PermissionDenied()
    on = on or today()
    since = datetime.combine(on - timedelta(days=days), datetime.min.time())
    versions = session.execute(
        select(Article, ArticleVersion)
        .join(ArticleVersion, ArticleVersion.id == Article.live_version_id)
        .where(
            ArticleVersion.notify_agents.is_(True),
            _new_since(since),
            Article.status != ArticleStatus.RETIRED,
            or_(ArticleVersion.valid_from.is_(None), ArticleVersion.valid_from <= on),
            or_(ArticleVersion.valid_to.is_(None), ArticleVersion.valid_to >= on),
        )
        .order_by(ArticleVersion.published_at.desc())
    ).unique().all()
    agent_ids_by_queue: dict[int, set[int]] = {}
    for user_id, queue_id in session.execute(
        select(UserQueue.user_id, UserQueue.queue_id)
        .join(UserRole, UserRole.user_id == UserQueue.user_id)
        .where(UserRole.role == Role.AGENT)
    ):
        agent_ids_by_queue.setdefault(queue_id, set()).add(user_id)
    users = {u.id: u for u in session.scalars(select(User).where(User.is_active.is_(True)))}
    result = []
    for article, version in versions:
        queue_ids = set(version.queue_ids)
        if actor.queue_ids:
            queue_ids &= actor.queue_ids
        if not queue_ids:
            continue
        expected_ids = set().union(*(agent_ids_by_queue.get(q, set()) for q in queue_ids))
        acked_ids = set(session.scalars(
            select(KnowledgeAck.user_id).where(KnowledgeAck.version_id == version.id)
        ))
        expected = sorted((users[i] for i in expected_ids if i in users),
                          key=lambda u: u.username)
        result.append(Coverage(article, version, expected,
                               [u for u in expected if u.id in acked_ids]))
    return result
