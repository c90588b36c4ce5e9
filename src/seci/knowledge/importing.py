"""Bulk import of articles: validate every row first, then write all or nothing.

Re-importing a code publishes a new version of that article (or nothing, if the content
is unchanged). Rows are written with bulk statements so that 10,000 rows take seconds.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any, cast

from sqlalchemy import Table, bindparam, insert, select, update
from sqlalchemy.orm import Session

from seci.accounts.models import Queue, User
from seci.accounts.roles import Perm
from seci.audit.service import record
from seci.core.clock import utcnow
from seci.core.config import get_settings
from seci.core.errors import InvalidInput, PermissionDenied
from seci.core.i18n import N_
from seci.core.tabular import megabytes
from seci.knowledge import attachments as files
from seci.knowledge.access import module_scope
from seci.knowledge.articles import content_of, note_live_change
from seci.knowledge.models import (
    Article,
    ArticleFeedback,
    ArticleStatus,
    ArticleVersion,
    FeedbackStatus,
    Module,
    VersionQueue,
)
from seci.knowledge.modules import ensure_path, split_path
from seci.knowledge.package import (
    NO_FILE,
    TEXT_COLUMNS,
    Package,
    PackedFile,
    PackedFileRefused,
    PackedFileTooLarge,
    is_package,
    read_package,
)
from seci.knowledge.package import SUFFIX as PACKAGE_SUFFIX
from seci.knowledge.tabular import (
    COLUMNS,
    LIST_SEPARATORS,
    FileFormat,
    RawRow,
    check_size,
    detect_format,
    read_rows,
    split_list_cell,
)
from seci.knowledge.validation import (
    ArticleFields,
    FieldProblem,
    check_code,
    check_fields,
    clean_text_list,
    date_problem,
    normalise_body,
    parse_audience,
    parse_date,
)
from seci.people.certification import flag_recertification

# How list cells are split in CSV/xlsx (JSONL uses real lists); see tabular.split_list_cell.
SEPARATORS = LIST_SEPARATORS
MAX_REPORTED_ERRORS = 1000
MAX_MODULE_NAME = 80
_CHUNK = 500


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    code: str
    value: str = ""
    params: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "code": self.code, "value": self.value,
                **self.params}


@dataclass
class ImportReport:
    filename: str
    format: str
    rows: int = 0
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    modules_created: list[str] = field(default_factory=list)
    # A knowledge package's images and files the rows use: kept (or found kept already),
    # and references to files the package did not carry (pointed at no file).
    files_kept: int = 0
    files_missing: int = 0
    errors: list[RowError] = field(default_factory=list)
    error_count: int = 0
    dry_run: bool = False
    as_draft: bool = False

    @property
    def ok(self) -> bool:
        return self.error_count == 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "filename": self.filename, "format": self.format, "rows": self.rows,
            "created": len(self.created), "updated": len(self.updated),
            "unchanged": len(self.unchanged), "modules_created": self.modules_created,
            "files_kept": self.files_kept, "files_missing": self.files_missing,
            "dry_run": self.dry_run, "as_draft": self.as_draft, "ok": self.ok,
            "error_count": self.error_count, "errors": [e.as_dict() for e in self.errors],
        }


class ImportRejected(InvalidInput):
    code = "import_rejected"
    message = N_("{count} problem(s) found in the file; nothing was imported.")

    def __init__(self, report: ImportReport) -> None:
        super().__init__(count=report.error_count)
        self.report = report

    def extra(self) -> dict[str, Any]:
        return {"report": self.report.as_dict()}


@dataclass
class _ParsedRow:
    number: int
    code: str
    module_path: str
    fields: ArticleFields


class _Validator:
    """Turns raw rows into clean article fields, collecting every problem with its row."""

    def __init__(self, session: Session, actor: User) -> None:
        self.queues = {q.code: q.id for q in session.scalars(select(Queue))}
        self.queue_ids = set(self.queues.values())
        self.modules = {(m.parent_id, m.name): m for m in session.scalars(select(Module))}
        self.scope = module_scope(session, actor)
        self.errors: list[RowError] = []
        self.count = 0
        self.reported: set[tuple[int, str]] = set()
        # (row, code) of every row with a well-formed code, valid or not: duplicates are
        # reported even when the other row has problems of its own.
        self.codes: list[tuple[int, str]] = []

    def problem(self, row: int, column: str, code: str, value: object = "",
                **params: Any) -> None:
        self.count += 1
        self.reported.add((row, column))
        if len(self.errors) < MAX_REPORTED_ERRORS:
            text = "" if value is None else str(value)
            self.errors.append(RowError(row, column, code, text[:80], params))

    def text_list(self, raw: RawRow, column: str) -> list[str]:
        value = raw.values.get(column)
        if value is None:
            return []
        if isinstance(value, list):
            if not all(isinstance(v, str | int | float) for v in value):
                self.problem(raw.number, column, "not_a_list", value)
                return []
            return clean_text_list([str(v) for v in value])
        if isinstance(value, str | int | float):
            return clean_text_list(split_list_cell(str(value), column))
        self.problem(raw.number, column, "not_a_list", value)
        return []

    def text(self, raw: RawRow, column: str) -> str:
        value = raw.values.get(column)
        if value is None:
            return ""
        if not isinstance(value, str | int | float):
            self.problem(raw.number, column, "not_text", value)
            return ""
        return str(value)

    def date(self, raw: RawRow, column: str) -> date | None:
        try:
            return parse_date(raw.values.get(column))
        except ValueError as error:
            self.problem(raw.number, column, date_problem(error), raw.values.get(column))
            return None

    def module(self, number: int, path: str) -> None:
        """Check a module path: archived parts and module access (new modules are fine)."""
        parts = split_path(path)
        if not parts:
            self.problem(number, "module", "required")
            return
        for part in parts:
            if len(part) > MAX_MODULE_NAME:
                self.problem(number, "module", "too_long", part, max=MAX_MODULE_NAME)
                return
        parent_id: int | None = None
        for part in parts:
            module = self.modules.get((parent_id, part))
            if module is None:
                if self.scope is not None:
                    self.problem(number, "module", "no_module_access", path)
                return
            if module.archived:
                self.problem(number, "module", "module_archived", path)
                return
            parent_id = module.id
        if self.scope is not None and parent_id not in self.scope:
            self.problem(number, "module", "no_module_access", path)

    def row(self, raw: RawRow) -> _ParsedRow | None:
        before = self.count
        if "__error__" in raw.values:
            self.problem(raw.number, "", "bad_json", raw.values["__error__"])
            return None
        for column in raw.values.get("__unknown__", []):
            self.problem(raw.number, column, "unknown_column", column)
        for column in raw.formula_columns:
            self.problem(raw.number, column, "formula", raw.values.get(column))
        code = self.text(raw, "code").strip()
        if problem := check_code(code):
            self.problem(raw.number, "code", problem.code, problem.value, **problem.params)
        else:
            self.codes.append((raw.number, code))
        queue_codes = self.text_list(raw, "queues")
        for queue_code in queue_codes:
            if queue_code not in self.queues:
                self.problem(raw.number, "queues", "unknown_queue", queue_code)
        audience = parse_audience(self.text(raw, "audience") if "audience" in raw.values
                                  else None)
        if audience is None:
            self.problem(raw.number, "audience", "invalid_choice", raw.values.get("audience"))
        module_path = self.text(raw, "module")
        self.module(raw.number, module_path)
        fields = ArticleFields(
            title=" ".join(self.text(raw, "title").split()),
            body=normalise_body(self.text(raw, "body")),
            customer_answer=normalise_body(self.text(raw, "customer_answer")).strip(),
            module_id=0,
            queue_ids=sorted({self.queues[c] for c in queue_codes if c in self.queues}),
            tags=self.text_list(raw, "tags"),
            similar_questions=self.text_list(raw, "similar_questions"),
            audience=str(audience or "customer"),
            valid_from=self.date(raw, "valid_from"),
            valid_to=self.date(raw, "valid_to"),
        )
        for p in check_fields(fields, known_queue_ids=self.queue_ids):
            if (raw.number, p.field) not in self.reported:  # e.g. no "required" after not_text
                self.problem(raw.number, p.field, p.code, p.value, **p.params)
        if self.count > before:
            return None
        return _ParsedRow(raw.number, code, "/".join(split_path(module_path)), fields)


def _existing_by_code(session: Session, codes: list[str]) -> dict[str, Article]:
    found: dict[str, Article] = {}
    for start in range(0, len(codes), _CHUNK):
        chunk = codes[start:start + _CHUNK]
        for article in session.scalars(select(Article).where(Article.code.in_(chunk))):
            found[article.code] = article
    return found


def _check_duplicates(codes: Iterable[tuple[int, str]], validator: _Validator) -> None:
    """Every row of a code that appears more than once; each names another of its rows."""
    rows_of: dict[str, list[int]] = {}
    for number, code in codes:
        rows_of.setdefault(code, []).append(number)
    for code, numbers in rows_of.items():
        if len(numbers) < 2:
            continue
        for number in numbers:
            other = numbers[1] if number == numbers[0] else numbers[0]
            validator.problem(number, "code", "duplicate_in_file", code, first_row=other)


def import_articles(session: Session, *, data: bytes, filename: str, actor: User,
                    max_bytes: int, fmt: str | None = None, dry_run: bool = False,
                    as_draft: bool = False) -> ImportReport:
    """Validate the whole file, then create or update every article in one transaction."""
    if not actor.can(Perm.KB_IMPORT):
        raise PermissionDenied()
    check_size(len(data), max_bytes)
    package = read_package(data) if is_package(filename, fmt) else None
    if package is None:
        file_format = detect_format(filename, fmt)
        raw_rows = read_rows(data, file_format)
    else:
        raw_rows = read_rows(package.articles, FileFormat.JSONL)
    report = ImportReport(filename=filename, dry_run=dry_run, as_draft=as_draft,
                          format=PACKAGE_SUFFIX if package is not None else file_format,
                          rows=len(raw_rows))
    kept = _bring_in_files(session, raw_rows, package, actor, report) \
        if package is not None else set()
    validator = _Validator(session, actor)
    parsed = [p for p in (validator.row(raw) for raw in raw_rows) if p is not None]
    _check_duplicates(validator.codes, validator)
    existing = _existing_by_code(session, [p.code for p in parsed])
    for row in parsed:
        article = existing.get(row.code)
        # A pending revision must not be overwritten; a row equal to the live version
        # (e.g. from an export) changes nothing and is fine.
        if (article is not None
                and article.status in {ArticleStatus.DRAFT, ArticleStatus.IN_REVIEW}
                and not (article.live_version is not None
                         and _same_content(session, article, row, validator))):
            validator.problem(row.number, "code", "pending_revision", row.code)
    report.errors = sorted(validator.errors, key=lambda e: (e.row, COLUMNS.index(e.column)
                                                           if e.column in COLUMNS else 99))
    report.error_count = validator.count
    if not report.ok:
        if dry_run:
            return report
        raise ImportRejected(report)
    _plan(session, parsed, existing, report, validator)
    if not dry_run:
        _write(session, parsed, existing, report, actor)
        _link_files(session, parsed, actor, kept)
    return report


def _bring_in_files(session: Session, rows: list[RawRow], package: Package, actor: User,
                    report: ImportReport) -> set[int]:
    """Keep the package's files the rows refer to (checked like uploads; one kept already
    with the same name and bytes is used again) and point the rows at their ids here. A
    reference to a file the package lacks is pointed at no file: left as it was, it would
    name whatever file has that id here. A dry run keeps nothing. Returns the ids here
    of the files kept or found kept."""
    wanted = files.referenced_ids(*_texts(rows))
    new_ids: dict[int, int] = {old: NO_FILE for old in wanted - package.files.keys()}
    checked = {old: _checked(package.files[old]) for old in sorted(wanted & package.files.keys())}
    copies = files.kept_copies(session, actor=actor, checked=list(checked.values()))
    for old, file in checked.items():
        kept = copies.get((file.sha256, file.filename))
        if kept is None and not report.dry_run:
            kept = files.keep_imported_file(session, actor=actor, checked=file)
            copies[(file.sha256, file.filename)] = kept  # the same file twice in a package
        if kept is not None:
            new_ids[old] = kept.id
    report.files_kept = len(checked)  # a dry run: would be kept
    report.files_missing = len(wanted - package.files.keys())
    for row in rows:
        for column in TEXT_COLUMNS:
            value = row.values.get(column)
            if isinstance(value, str):
                row.values[column] = files.rewrite_references(value, new_ids)
    return {new for new in new_ids.values() if new != NO_FILE}


def _texts(rows: Iterable[RawRow]) -> Iterator[str]:
    for row in rows:
        for column in TEXT_COLUMNS:
            value = row.values.get(column)
            if isinstance(value, str):
                yield value


def _checked(packed: PackedFile) -> files.CheckedFile:
    """The upload checks, as errors that name the file in the package."""
    try:
        return files.check_file(packed.filename, packed.data)
    except files.AttachmentTooLarge:
        raise PackedFileTooLarge(
            filename=packed.filename, id=packed.id, size_mb=megabytes(len(packed.data)),
            limit_mb=megabytes(get_settings().attachment_max_bytes)) from None
    except (files.AttachmentTypeRefused, files.AttachmentEmpty):
        raise PackedFileRefused(filename=packed.filename, id=packed.id) from None


def _link_files(session: Session, rows: list[_ParsedRow], actor: User, kept: set[int]
                ) -> None:
    """Imported articles use the files their texts refer to (those the import kept, and
    others the importer may read, as when an editor saves), so that their readers may
    open them."""
    used = {r.code: refs for r in rows
            if (refs := files.referenced_ids(r.fields.body, r.fields.customer_answer))}
    article_ids = _ids_by_code(session, list(used))
    files.link_imported(session, uses={article_ids[code]: refs for code, refs in used.items()},
                        actor=actor, kept=kept)


def _plan(session: Session, rows: list[_ParsedRow], existing: dict[str, Article],
          report: ImportReport, validator: _Validator) -> None:
    """Sort rows into created / updated / unchanged and list modules to be created."""
    new_paths: set[str] = set()
    for row in rows:
        if _module_id(validator, row.module_path) is None:
            new_paths.add(row.module_path)
        article = existing.get(row.code)
        if article is None:
            report.created.append(row.code)
        elif (article.status != ArticleStatus.RETIRED and article.live_version is not None
              and _same_content(session, article, row, validator)):
            report.unchanged.append(row.code)
        else:
            report.updated.append(row.code)
    report.modules_created = sorted(new_paths)


def _module_id(validator: _Validator, path: str) -> int | None:
    """The id of an existing module path, or None when (part of) it is still to be created."""
    parent_id: int | None = None
    for part in split_path(path):
        module = validator.modules.get((parent_id, part))
        if module is None:
            return None
        parent_id = module.id
    return parent_id


def _same_content(session: Session, article: Article, row: _ParsedRow,
                  validator: _Validator) -> bool:
    assert article.live_version is not None
    fields = row.fields
    candidate = content_of(article.live_version)
    incoming = {
        "title": fields.title, "body": fields.body,
        "customer_answer": fields.customer_answer,
        "module_id": _module_id(validator, row.module_path),
        "queue_ids": sorted(fields.queue_ids), "tags": fields.tags,
        "similar_questions": fields.similar_questions, "audience": fields.audience,
        "valid_from": fields.valid_from.isoformat() if fields.valid_from else None,
        "valid_to": fields.valid_to.isoformat() if fields.valid_to else None,
    }
    return candidate == incoming


def _write(session: Session, rows: list[_ParsedRow], existing: dict[str, Article],
           report: ImportReport, actor: User) -> None:
    module_ids = {
        path: ensure_path(session, path=path, actor=actor).id
        for path in sorted({r.module_path for r in rows})
    }
    now = utcnow()
    unchanged = set(report.unchanged)
    new_rows = [r for r in rows if r.code not in existing]
    changed_rows = [r for r in rows if r.code in existing and r.code not in unchanged]
    status = ArticleStatus.DRAFT if report.as_draft else ArticleStatus.PUBLISHED

    def content(row: _ParsedRow) -> dict[str, Any]:
        f = row.fields
        return {
            "title": f.title, "body": f.body, "customer_answer": f.customer_answer,
            "module_id": module_ids[row.module_path],
            "queue_ids": f.queue_ids, "tags": f.tags, "similar_questions": f.similar_questions,
            "audience": f.audience, "valid_from": f.valid_from, "valid_to": f.valid_to,
        }

    ids: dict[str, int] = {}
    table = cast(Table, Article.__table__)
    if new_rows:
        # Core executemany without RETURNING: SQLite cannot return ids in parameter order in
        # batches, and one statement per row was most of the import time. Ids are read back
        # by code instead.
        session.execute(
            insert(table),
            [
                content(r) | {
                    "code": r.code, "status": status, "owner_id": actor.id,
                    "created_by_id": actor.id, "updated_by_id": actor.id, "created_at": now,
                    "updated_at": now, "lock_version": 1, "latest_version_no": 0,
                    "view_count": 0, "helpful_count": 0, "unhelpful_count": 0,
                }
                for r in new_rows
            ],
        )
        ids.update(_ids_by_code(session, [r.code for r in new_rows]))
    if changed_rows:
        session.execute(
            update(table)
            .where(table.c.id == bindparam("b_id"))
            .values(
                {name: bindparam(f"b_{name}") for name in (
                    "title", "body", "customer_answer", "module_id", "queue_ids", "tags",
                    "similar_questions", "audience", "valid_from", "valid_to")}
                | {"status": status, "updated_by_id": actor.id, "updated_at": now,
                   "lock_version": table.c.lock_version + 1, "retired_at": None,
                   "retire_reason": None}
            ),
            [{"b_id": existing[r.code].id} | {f"b_{k}": v for k, v in content(r).items()}
             for r in changed_rows],
        )
        ids.update({r.code: existing[r.code].id for r in changed_rows})
    if not report.as_draft:
        _publish_imported(session, new_rows + changed_rows, existing, ids, content, actor, now)
    session.expire_all()
    record(
        session, actor=actor, action="kb.import", entity_type="import", entity_id=None,
        summary=f"{report.filename}: +{len(report.created)} ~{len(report.updated)}",
        after={"file": report.filename, "format": report.format, "as_draft": report.as_draft,
               "created": report.created, "updated": report.updated,
               "unchanged": len(report.unchanged), "modules_created": report.modules_created},
    )
    session.flush()


def _ids_by_code(session: Session, codes: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for start in range(0, len(codes), _CHUNK):
        rows = session.execute(select(Article.code, Article.id)
                               .where(Article.code.in_(codes[start:start + _CHUNK])))
        found.update({code: article_id for code, article_id in rows})
    return found


def _new_version_ids(session: Session, numbers: dict[int, int]) -> dict[int, int]:
    """article id → id of its version with the given number (just inserted)."""
    article_ids = list(numbers)
    found: dict[int, int] = {}
    for start in range(0, len(article_ids), _CHUNK):
        rows = session.execute(
            select(ArticleVersion.article_id, ArticleVersion.version_no, ArticleVersion.id)
            .where(ArticleVersion.article_id.in_(article_ids[start:start + _CHUNK]))
        )
        found.update({article_id: version_id for article_id, number, version_id in rows
                      if numbers[article_id] == number})
    return found


def _publish_imported(session: Session, rows: list[_ParsedRow], existing: dict[str, Article],
                      ids: dict[str, int], content: Any, actor: User, now: Any) -> None:
    """Each imported row becomes the next version of its article and goes live."""
    if not rows:
        return
    numbers = {r.code: (existing[r.code].latest_version_no + 1 if r.code in existing else 1)
               for r in rows}
    session.execute(
        insert(cast(Table, ArticleVersion.__table__)),
        [
            content(r) | {
                "article_id": ids[r.code], "version_no": numbers[r.code], "code": r.code,
                "author_id": actor.id, "approved_by_id": actor.id, "published_at": now,
                "source": "import", "change_note": "", "notify_agents": True,
            }
            for r in rows
        ],
    )
    version_ids = _new_version_ids(session, {ids[r.code]: numbers[r.code] for r in rows})
    queue_rows = [
        {"version_id": version_ids[ids[r.code]], "queue_id": q}
        for r in rows for q in r.fields.queue_ids
    ]
    if queue_rows:
        session.execute(insert(cast(Table, VersionQueue.__table__)), queue_rows)
    table = cast(Table, Article.__table__)
    session.execute(
        update(table).where(table.c.id == bindparam("b_id")).values(
            live_version_id=bindparam("b_vid"), latest_version_no=bindparam("b_no")
        ),
        [{"b_id": ids[r.code], "b_vid": version_ids[ids[r.code]], "b_no": numbers[r.code]}
         for r in rows],
    )
    note_live_change(session, [ids[r.code] for r in rows])
    updated_ids = [existing[r.code].id for r in rows if r.code in existing]
    # An imported new version is pushed to agents: a material change for re-certification.
    flag_recertification(session, article_ids=updated_ids)
    for start in range(0, len(updated_ids), _CHUNK):
        session.execute(
            update(ArticleFeedback)
            .where(ArticleFeedback.article_id.in_(updated_ids[start:start + _CHUNK]),
                   ArticleFeedback.status == FeedbackStatus.ACCEPTED)
            .values(status=FeedbackStatus.FIXED, handled_at=now)
            .execution_options(synchronize_session=False)
        )


__all__ = ["FieldProblem", "FileFormat", "ImportRejected", "ImportReport", "import_articles"]
