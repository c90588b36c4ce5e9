"""Who may see and work on which article: the rules every read and write goes through."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sqlalchemy import ColumnElement, and_, exists, or_, select, true
from sqlalchemy.orm import Session

from seci.accounts.models import User
from seci.accounts.roles import Perm
from seci.knowledge.errors import NoModuleAccess
from seci.knowledge.models import (
    Article,
    ArticleStatus,
    ArticleVersion,
    Module,
    Validity,
    VersionQueue,
)
from seci.knowledge.modules import modules_within


def validity_of(valid_from: date | None, valid_to: date | None, on: date) -> Validity:
    """Validity dates are inclusive calendar days in the centre's time zone."""
    if valid_from is not None and on < valid_from:
        return Validity.SCHEDULED
    if valid_to is not None and on > valid_to:
        return Validity.EXPIRED
    return Validity.VALID


def module_scope(session: Session, user: User) -> set[int] | None:
    """Modules whose drafts the user may see and work on; None means every module."""
    if user.all_modules:
        return None
    return modules_within(session, roots=user.module_ids)


def in_scope(scope: set[int] | None, module_id: int) -> bool:
    return scope is None or module_id in scope


def require_module_access(session: Session, user: User, module_id: int) -> None:
    if not in_scope(module_scope(session, user), module_id):
        module = session.get(Module, module_id)
        raise NoModuleAccess(module=module.name if module else module_id)


def works_on_drafts(user: User) -> bool:
    return user.can(Perm.ARTICLE_EDIT) or user.can(Perm.ARTICLE_REVIEW)


def _writes(user: User, article: Article) -> bool:
    return user.id in {article.owner_id, article.created_by_id, article.updated_by_id}


def can_see_working_copy(session: Session, user: User, article: Article) -> bool:
    """Drafts and submissions: their writers, and editors/reviewers of that module."""
    if _writes(user, article):
        return True
    return works_on_drafts(user) and in_scope(module_scope(session, user), article.module_id)


def working_copy_clause(session: Session, user: User) -> ColumnElement[bool]:
    """SQL filter over Article: the working copies the user may see (the rule above)."""
    mine = or_(Article.owner_id == user.id, Article.created_by_id == user.id,
               Article.updated_by_id == user.id)
    if not works_on_drafts(user):
        return mine
    scope = module_scope(session, user)
    return true() if scope is None else or_(mine, Article.module_id.in_(scope or {-1}))


def readable_titles(session: Session, user: User, articles: Iterable[Article]
                    ) -> dict[int, str]:
    """Each article's title as the user may read it: the working copy's to those who may see
    it (the rule above), else the published one, so that an unpublished rename stays with
    its editors. With nothing published either, the code stands in."""
    scope = module_scope(session, user) if works_on_drafts(user) else set()
    titles: dict[int, str] = {}
    for article in articles:
        if _writes(user, article) or in_scope(scope, article.module_id):
            titles[article.id] = article.title
        elif article.live_version is not None:
            titles[article.id] = article.live_version.title
        else:
            titles[article.id] = article.code
    return titles


def live_version_visible(user: User, version: ArticleVersion, article: Article, on: date) -> bool:
    """Published knowledge: agents see valid versions of their queues only."""
    if user.can(Perm.KB_SEE_EXPIRED):
        return True
    if article.status == ArticleStatus.RETIRED:
        return False
    if validity_of(version.valid_from, version.valid_to, on) is not Validity.VALID:
        return False
    if user.can(Perm.KB_READ_ALL_QUEUES):
        return True
    return bool(user.queue_ids & set(version.queue_ids))


def visible_live_clause(user: User, on: date) -> ColumnElement[bool]:
    """SQL filter over Article joined to its live ArticleVersion, mirroring the rule above."""
    if user.can(Perm.KB_SEE_EXPIRED):
        return true()
    clauses: list[ColumnElement[bool]] = [
        Article.status != ArticleStatus.RETIRED,
        or_(ArticleVersion.valid_from.is_(None), ArticleVersion.valid_from <= on),
        or_(ArticleVersion.valid_to.is_(None), ArticleVersion.valid_to >= on),
    ]
    if not user.can(Perm.KB_READ_ALL_QUEUES):
        clauses.append(
            exists(
                select(VersionQueue.id).where(
                    VersionQueue.version_id == ArticleVersion.id,
                    VersionQueue.queue_id.in_(user.queue_ids or {-1}),
                )
            )
        )
    return and_(*clauses)
