"""Export published articles in the import formats (export → import round-trips)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from seci.accounts.models import Queue, User
from seci.accounts.roles import Perm
from seci.audit.service import record
from seci.core.errors import PermissionDenied
from seci.knowledge.models import Article, ArticleStatus, ArticleVersion
from seci.knowledge.modules import module_names_by_id, path_label, subtree_ids
from seci.knowledge.tabular import FileFormat, write_records


def export_records(session: Session, *, actor: User, module_id: int | None = None,
                   include_retired: bool = False) -> list[dict[str, Any]]:
    """The live version of every published article (also expired and scheduled ones)."""
    if not actor.can(Perm.KB_EXPORT):
        raise PermissionDenied()
    modules = module_names_by_id(session)
    queues = {q.id: q.code for q in session.scalars(select(Queue))}
    query = (
        select(ArticleVersion)
        .join(Article, Article.live_version_id == ArticleVersion.id)
        .order_by(Article.code)
    )
    if not include_retired:
        query = query.where(Article.status != ArticleStatus.RETIRED)
    if module_id is not None:
        query = query.where(ArticleVersion.module_id.in_(subtree_ids(session,
                                                                     module_id=module_id)))
    records = []
    for version in session.scalars(query):
        records.append({
            "code": version.code,
            "title": version.title,
            "body": version.body,
            "customer_answer": version.customer_answer,
            "module": path_label(modules, version.module_id),
            "queues": [queues[q] for q in sorted(version.queue_ids) if q in queues],
            "tags": list(version.tags),
            "similar_questions": list(version.similar_questions),
            "audience": version.audience,
            "valid_from": version.valid_from.isoformat() if version.valid_from else None,
            "valid_to": version.valid_to.isoformat() if version.valid_to else None,
        })
    return records


def record_export(session: Session, *, actor: User, fmt: FileFormat, count: int) -> None:
    """The audit entry of an export (who took how many articles, in which format).

    A request reads in a reading session and writes this in a short writer session of
    its own: on SQLite a writer's lock held for the whole export would stop every other
    write while thousands of articles are read and serialised."""
    if not actor.can(Perm.KB_EXPORT):
        raise PermissionDenied()
    record(session, actor=actor, action="kb.export", entity_type="export",
           summary=f"{fmt}: {count}", after={"format": fmt, "count": count})


def export_articles(session: Session, *, actor: User, fmt: FileFormat,
                    module_id: int | None = None) -> bytes:
    """Read, audit and serialise in one session (the CLI)."""
    records = export_records(session, actor=actor, module_id=module_id)
    record_export(session, actor=actor, fmt=fmt, count=len(records))
    return write_records(records, fmt)
