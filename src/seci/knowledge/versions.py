"""Version history: list, compare any two, roll back (as a new version)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from seci.accounts.models import Queue, User
from seci.accounts.roles import Perm
from seci.audit.service import latest_event, record
from seci.core.errors import PermissionDenied
from seci.knowledge.access import require_module_access
from seci.knowledge.articles import content_of, get_visible_article, publish_working_copy
from seci.knowledge.diff import FieldDiff, diff_fields
from seci.knowledge.errors import InvalidTransition, VersionNotFound
from seci.knowledge.models import Article, ArticleStatus, ArticleVersion
from seci.knowledge.modules import module_names_by_id, path_label


def list_versions(session: Session, *, user: User, article_id: int) -> Sequence[ArticleVersion]:
    article, access = get_visible_article(session, user=user, article_id=article_id)
    query = select(ArticleVersion).where(ArticleVersion.article_id == article.id)
    if not (access.working_copy or user.can(Perm.KB_SEE_EXPIRED)):
        # Agents see the live version only; its predecessors may hold outdated answers.
        query = query.where(ArticleVersion.id == article.live_version_id)
    return session.scalars(query.order_by(ArticleVersion.version_no.desc())).all()


def get_version(session: Session, *, user: User, article_id: int, version_no: int
                ) -> ArticleVersion:
    for version in list_versions(session, user=user, article_id=article_id):
        if version.version_no == version_no:
            return version
    raise VersionNotFound(version=version_no, article=article_id)


# Fields holding a code: compared whole, and shown by the page as their word.
CODED_FIELDS = frozenset({"audience"})


def comparable_text(session: Session, source: Article | ArticleVersion) -> dict[str, str]:
    """Every field as display text, lists one item per line, for the diff view."""
    modules = module_names_by_id(session)
    queues = {q.id: q.code for q in session.scalars(select(Queue))}
    return {
        "title": source.title,
        "body": source.body,
        "customer_answer": source.customer_answer,
        "module": path_label(modules, source.module_id),
        "queues": "\n".join(queues.get(q, str(q)) for q in sorted(source.queue_ids or [])),
        "tags": "\n".join(source.tags or []),
        "similar_questions": "\n".join(source.similar_questions or []),
        "audience": source.audience,
        "valid_from": source.valid_from.isoformat() if source.valid_from else "",
        "valid_to": source.valid_to.isoformat() if source.valid_to else "",
    }


def compare_versions(session: Session, *, user: User, article_id: int, old_no: int,
                     new_no: int) -> list[FieldDiff]:
    old = get_version(session, user=user, article_id=article_id, version_no=old_no)
    new = get_version(session, user=user, article_id=article_id, version_no=new_no)
    return diff_fields(comparable_text(session, old), comparable_text(session, new),
                       whole=CODED_FIELDS)


def compare_working_copy(session: Session, *, user: User, article_id: int) -> list[FieldDiff]:
    """What the pending revision changes against the live version (for reviewers)."""
    article, access = get_visible_article(session, user=user, article_id=article_id)
    if not access.working_copy:
        raise PermissionDenied()
    old = comparable_text(session, article.live_version) if article.live_version else {}
    return diff_fields(old, comparable_text(session, article), whole=CODED_FIELDS)


def changes_since_rejection(session: Session, *, user: User, article_id: int
                            ) -> list[FieldDiff] | None:
    """What the author changed since a reviewer last sent this revision back (None when it
    was never sent back, or was published since), for the reviewer of the resubmission."""
    article, access = get_visible_article(session, user=user, article_id=article_id)
    if not access.working_copy or not article.review_comment:
        return None
    event = latest_event(session, action="article.reject", entity_type="article",
                         entity_id=article.id)
    if event is None or (article.live_version is not None
                         and article.live_version.published_at > event.at):
        return None
    rejected = (event.before or {}).get("rejected")
    if not isinstance(rejected, dict):
        return None  # sent back before December 2026: nothing was kept
    old = comparable_text(session, _as_source(rejected))
    return [d for d in diff_fields(old, comparable_text(session, article), whole=CODED_FIELDS)
            if d.changed]


def _as_source(content: dict[str, Any]) -> Article:
    """A recorded working copy (``content_of``) as an unsaved Article to compare with."""
    return Article(
        title=content.get("title", ""), body=content.get("body", ""),
        customer_answer=content.get("customer_answer", ""),
        module_id=content.get("module_id"), queue_ids=list(content.get("queue_ids") or []),
        tags=list(content.get("tags") or []),
        similar_questions=list(content.get("similar_questions") or []),
        audience=content.get("audience", ""),
        valid_from=date.fromisoformat(content["valid_from"]) if content.get("valid_from")
        else None,
        valid_to=date.fromisoformat(content["valid_to"]) if content.get("valid_to") else None)


def rollback_article(session: Session, *, article_id: int, version_no: int, actor: User
                     ) -> ArticleVersion:
    """Publish the content of an earlier version again, as a new version."""
    if not actor.can(Perm.ARTICLE_ROLLBACK):
        raise PermissionDenied()
    article, _ = get_visible_article(session, user=actor, article_id=article_id)
    require_module_access(session, actor, article.module_id)
    if article.status in {ArticleStatus.DRAFT, ArticleStatus.IN_REVIEW}:
        # A pending revision would be overwritten: finish or discard it first.
        raise InvalidTransition(status=article.status, action="rolled back")
    target = get_version(session, user=actor, article_id=article_id, version_no=version_no)
    before = content_of(article)
    for name in ("title", "body", "customer_answer", "module_id", "tags",
                 "similar_questions", "audience", "valid_from", "valid_to"):
        setattr(article, name, getattr(target, name))
    article.queue_ids = list(target.queue_ids)
    article.updated_by_id = actor.id
    session.flush()
    version = publish_working_copy(
        session, article=article, author_id=target.author_id, approver=actor,
        source="rollback", change_note=f"rollback to v{version_no}",
    )
    record(session, actor=actor, action="article.rollback", entity_type="article",
           entity_id=article.id, summary=f"{article.code} v{version_no} → v{version.version_no}",
           before=before, after=content_of(version))
    return version
