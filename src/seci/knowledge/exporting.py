"""Export published articles in the import formats (export → import round-trips): a
spreadsheet, JSONL, or a knowledge package (``package``) that carries the images and files
the articles use as well."""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator
from enum import StrEnum
from typing import Any, BinaryIO

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from seci.accounts.models import Queue, User
from seci.accounts.roles import Perm
from seci.audit.service import record
from seci.core.errors import PermissionDenied
from seci.knowledge.attachments import readable_attachments, referenced_ids
from seci.knowledge.models import Article, ArticleStatus, ArticleVersion
from seci.knowledge.modules import module_names_by_id, path_label, subtree_ids
from seci.knowledge.package import MEDIA_TYPE as PACKAGE_MEDIA_TYPE
from seci.knowledge.package import TEXT_COLUMNS, StoredFile, write_package_to
from seci.knowledge.tabular import FileFormat, jsonl_line, write_records_to


class ExportFormat(StrEnum):
    """What an export may be written as: the import formats and the knowledge package."""

    XLSX = "xlsx"
    CSV = "csv"
    JSONL = "jsonl"
    ZIP = "zip"


MEDIA_TYPES = {
    ExportFormat.JSONL: "application/x-ndjson",
    ExportFormat.CSV: "text/csv; charset=utf-8",
    ExportFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ExportFormat.ZIP: PACKAGE_MEDIA_TYPE,
}


# Versions are read from the database this many at a time while the file is written, so
# an export's memory does not grow with the knowledge base.
READ_BATCH = 500


def export_records(session: Session, *, actor: User, module_id: int | None = None,
                   include_retired: bool = False) -> list[dict[str, Any]]:
    """The live version of every published article (also expired and scheduled ones)."""
    return list(iter_export_records(session, actor=actor, module_id=module_id,
                                    include_retired=include_retired))


def iter_export_records(session: Session, *, actor: User, module_id: int | None = None,
                        include_retired: bool = False) -> Iterator[dict[str, Any]]:
    """``export_records`` one by one, read from the database in batches (``READ_BATCH``)
    as they are written. The actor's rights are checked now, not when the first record
    is read."""
    _need_export_rights(actor)
    query = _live_versions(session, module_id=module_id, include_retired=include_retired)
    return _records(session, query)


def export_count(session: Session, *, actor: User, module_id: int | None = None,
                 include_retired: bool = False) -> int:
    """How many articles ``iter_export_records`` gives (for the audit entry, written
    before the file)."""
    _need_export_rights(actor)
    query = _live_versions(session, module_id=module_id, include_retired=include_retired)
    return session.scalar(select(func.count()).select_from(query.subquery())) or 0


def _need_export_rights(actor: User) -> None:
    if not actor.can(Perm.KB_EXPORT):
        raise PermissionDenied()


def _live_versions(session: Session, *, module_id: int | None, include_retired: bool
                   ) -> Select[ArticleVersion]:
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
    return query


def _records(session: Session, query: Select[ArticleVersion]
             ) -> Iterator[dict[str, Any]]:
    modules = module_names_by_id(session)
    queues = {q.id: q.code for q in session.scalars(select(Queue))}
    for version in session.scalars(query.execution_options(yield_per=READ_BATCH)):
        yield {
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
        }


def write_export(session: Session, *, actor: User, records: Iterable[dict[str, Any]],
                 fmt: ExportFormat, out: BinaryIO) -> int:
    """``records`` (``iter_export_records``) written into ``out`` as ``fmt`` as they
    come; returns how many. A package also carries the images and files their texts
    refer to that ``actor`` may read, copied from the store after the articles (never
    all in memory)."""
    if fmt is not ExportFormat.ZIP:
        return write_records_to(records, FileFormat(fmt.value), out)
    referenced: set[int] = set()
    written = 0

    def lines() -> Iterator[bytes]:
        nonlocal written
        for article in records:
            referenced.update(referenced_ids(*(article.get(column)
                                               for column in TEXT_COLUMNS)))
            written += 1
            yield jsonl_line(article)

    def stored() -> list[StoredFile]:
        return [StoredFile(id=attachment.id, filename=attachment.filename,
                           content_type=attachment.content_type, path=path)
                for attachment, path in readable_attachments(session, actor=actor,
                                                             ids=referenced)]

    write_package_to(out, lines(), stored)
    return written


def export_bytes(session: Session, *, actor: User, records: Iterable[dict[str, Any]],
                 fmt: ExportFormat) -> bytes:
    """``write_export`` into memory (small exports, tests)."""
    buffer = io.BytesIO()
    write_export(session, actor=actor, records=records, fmt=fmt, out=buffer)
    return buffer.getvalue()


def record_export(session: Session, *, actor: User, fmt: str, count: int) -> None:
    """The audit entry of an export (who took how many articles, in which format).

    A request reads in a reading session and writes this in a short writer session of
    its own: on SQLite a writer's lock held for the whole export would stop every other
    write while thousands of articles are read and serialised."""
    _need_export_rights(actor)
    record(session, actor=actor, action="kb.export", entity_type="export",
           summary=f"{fmt}: {count}", after={"format": fmt, "count": count})


def export_articles_to(session: Session, *, actor: User, fmt: ExportFormat, out: BinaryIO,
                       module_id: int | None = None) -> int:
    """Audit, read and write into ``out`` in one session (the CLI); returns the articles."""
    count = export_count(session, actor=actor, module_id=module_id)
    record_export(session, actor=actor, fmt=fmt, count=count)
    return write_export(session, actor=actor, fmt=fmt, out=out,
                        records=iter_export_records(session, actor=actor,
                                                    module_id=module_id))


def export_articles(session: Session, *, actor: User, fmt: ExportFormat,
                    module_id: int | None = None) -> bytes:
    """``export_articles_to`` into memory."""
    buffer = io.BytesIO()
    export_articles_to(session, actor=actor, fmt=fmt, out=buffer, module_id=module_id)
    return buffer.getvalue()
