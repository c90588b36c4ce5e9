"""Export published articles in the import formats (export → import round-trips): a
spreadsheet, JSONL, or a knowledge package (``package``) that carries the images and files
the articles use as well."""

from __future__ import annotations

import io
from enum import StrEnum
from typing import Any, BinaryIO

from sqlalchemy import select
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
from seci.knowledge.tabular import FileFormat, write_jsonl, write_records


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


def write_export(session: Session, *, actor: User, records: list[dict[str, Any]],
                 fmt: ExportFormat, out: BinaryIO) -> None:
    """``records`` (``export_records``) written into ``out`` as ``fmt``; a package also
    carries the images and files their texts refer to that ``actor`` may read, copied
    from the store as the archive is written (never all in memory)."""
    if fmt is not ExportFormat.ZIP:
        out.write(write_records(records, FileFormat(fmt.value)))
        return
    ids = referenced_ids(*(record.get(column) for record in records for column in TEXT_COLUMNS))
    stored = [StoredFile(id=attachment.id, filename=attachment.filename,
                         content_type=attachment.content_type, path=path)
              for attachment, path in readable_attachments(session, actor=actor, ids=ids)]
    write_package_to(out, write_jsonl(records), stored)


def export_bytes(session: Session, *, actor: User, records: list[dict[str, Any]],
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
    if not actor.can(Perm.KB_EXPORT):
        raise PermissionDenied()
    record(session, actor=actor, action="kb.export", entity_type="export",
           summary=f"{fmt}: {count}", after={"format": fmt, "count": count})


def export_articles_to(session: Session, *, actor: User, fmt: ExportFormat, out: BinaryIO,
                       module_id: int | None = None) -> int:
    """Read, audit and write into ``out`` in one session (the CLI); returns the articles."""
    records = export_records(session, actor=actor, module_id=module_id)
    record_export(session, actor=actor, fmt=fmt, count=len(records))
    write_export(session, actor=actor, records=records, fmt=fmt, out=out)
    return len(records)


def export_articles(session: Session, *, actor: User, fmt: ExportFormat,
                    module_id: int | None = None) -> bytes:
    """``export_articles_to`` into memory."""
    buffer = io.BytesIO()
    export_articles_to(session, actor=actor, fmt=fmt, out=buffer, module_id=module_id)
    return buffer.getvalue()
