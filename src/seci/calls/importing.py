"""Importing call records (and their transcripts) from the call platform's exports.

Like the knowledge import, every row is checked first and nothing is written when any row
fails (atomic per file), with each problem reported at its line, field and value; a dry
run checks without writing; re-importing a ``call_id`` updates that call. Unlike it, a
file may hold millions of calls: rows are streamed from disk, checked, masked and staged
in batches (``staging``), so memory stays flat, and the calls table is written by one
merge at the end. Personal numbers in transcripts are masked before anything is stored.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from seci.accounts.models import Queue, User
from seci.audit.service import record
from seci.calls.access import require_import
from seci.calls.columns import CALL_COLUMNS, FLAT_CALL_COLUMNS, TRANSCRIPT_COLUMNS
from seci.calls.staging import CALL_STAGE, TRANSCRIPT_STAGE, Stage
from seci.calls.validation import (
    CallRow,
    Problem,
    RowContext,
    parse_call,
    parse_turns,
    transcript_json,
)
from seci.core.clock import utcnow
from seci.core.config import get_settings
from seci.core.db import lock_for_writing
from seci.core.errors import InvalidInput
from seci.core.i18n import N_
from seci.core.tabular import FileFormat, RawRow, RowStream, detect_format
from seci.jobs.models import Job
from seci.jobs.service import create_job, list_jobs

BATCH = 5000
MAX_REPORTED_ERRORS = 200
# A call platform's daily export is tens of thousands of calls; a year of a large centre
# is a few million. Beyond this a file is refused before any row is read into the stage.
DEFAULT_MAX_ROWS = 5_000_000

ProgressCallback = Callable[[str, int, int | None], None]


def no_progress(_phase: str, _done: int, _total: int | None) -> None:
    return None


@dataclass(frozen=True)
class RowError:
    line: int
    column: str
    code: str
    value: str = ""
    params: dict[str, Any] = field(default_factory=dict)
    file: str = "calls"  # or "transcripts"

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.line, "column": self.column, "code": self.code,
                "value": self.value, "file": self.file, **self.params}


@dataclass
class CallImportReport:
    filename: str
    format: str
    transcripts_filename: str | None = None
    dry_run: bool = False
    rows: int = 0
    created: int = 0
    updated: int = 0
    transcripts: int = 0
    masked: int = 0
    first_day: date | None = None
    last_day: date | None = None
    errors: list[RowError] = field(default_factory=list)
    error_count: int = 0

    @property
    def ok(self) -> bool:
        return self.error_count == 0

    def add_error(self, error: RowError) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_REPORTED_ERRORS:
            self.errors.append(error)

    def as_dict(self) -> dict[str, Any]:
        return {
            "filename": self.filename, "format": self.format,
            "transcripts_filename": self.transcripts_filename, "dry_run": self.dry_run,
            "rows": self.rows, "created": self.created, "updated": self.updated,
            "transcripts": self.transcripts, "masked": self.masked,
            "first_day": self.first_day.isoformat() if self.first_day else None,
            "last_day": self.last_day.isoformat() if self.last_day else None,
            "ok": self.ok, "error_count": self.error_count,
            "errors": [e.as_dict() for e in self.errors],
        }


class CallImportRejected(InvalidInput):
    code = "call_import_rejected"
    message = N_("{count} problem(s) found in the file; nothing was imported.")

    def __init__(self, report: CallImportReport) -> None:
        super().__init__(count=report.error_count)
        self.report = report

    def extra(self) -> dict[str, Any]:
        return {"report": self.report.as_dict()}


@dataclass(frozen=True)
class CallSource:
    """The files of one import: call records, and optionally their transcripts apart."""

    calls: Path | None
    calls_format: FileFormat | None = None
    transcripts: Path | None = None
    transcripts_format: FileFormat | None = None
    calls_name: str = ""
    transcripts_name: str = ""


def load_row_context(session: Session, *, now: datetime | None = None) -> RowContext:
    """What rows are checked against, read in a transaction of its own: on SQLite the
    import's transaction must not read the main database before its merge (a reader that
    later writes fails when someone else wrote in between)."""
    queues = frozenset(session.scalars(select(Queue.code).where(Queue.archived.is_(False))))
    return RowContext(queues=queues, tz=get_settings().tz, now=now or datetime.now(UTC))


def _problem_error(line: int, problem: Problem, file: str = "calls") -> RowError:
    return RowError(line, problem.field, problem.code, problem.value, problem.params or {},
                    file)


def _stage_calls(stage: Stage, rows: RowStream, context: RowContext,
                 report: CallImportReport, progress: ProgressCallback) -> None:
    batch: list[CallRow] = []
    for raw in rows:
        report.rows += 1
        call, problems = parse_call(raw, context)
        for problem in problems:
            report.add_error(_problem_error(raw.number, problem))
        if call is not None and report.ok:  # after the first error, only check
            report.masked += call.masked
            batch.append(call)
            if len(batch) >= BATCH:
                stage.add_calls(batch)
                batch.clear()
        if report.rows % BATCH == 0:
            progress("reading", rows.progress.done, rows.progress.total)
    if batch and report.ok:
        stage.add_calls(batch)
    progress("reading", rows.progress.done, rows.progress.total)


def _transcript_of(raw: RawRow) -> tuple[str, list[list[Any]], int] | list[Problem]:
    """One line of a separate transcript file: ``{"call_id": ..., "turns": [...]}``."""
    if raw.broken is not None:
        return [Problem("", "bad_json", raw.broken[:60])]
    call_id = str(raw.values.get("call_id") or "").strip()
    if not call_id:
        return [Problem("call_id", "required")]
    parsed = parse_turns(raw.values.get("turns"))
    if isinstance(parsed, Problem):
        return [parsed]
    return call_id, parsed[0], parsed[1]


def _stage_transcripts(stage: Stage, rows: RowStream, report: CallImportReport,
                       progress: ProgressCallback) -> None:
    batch: list[tuple[int, str, str, int, int]] = []
    for raw in rows:
        parsed = _transcript_of(raw)
        if isinstance(parsed, list):
            for problem in parsed:
                report.add_error(_problem_error(raw.number, problem, "transcripts"))
            continue
        call_id, turns, masked = parsed
        report.masked += masked
        report.transcripts += 1
        if report.ok:
            batch.append((raw.number, call_id, transcript_json(turns), len(turns), masked))
            if len(batch) >= BATCH:
                stage.add_transcripts(batch)
                batch.clear()
        if report.transcripts % BATCH == 0:
            progress("transcripts", rows.progress.done, rows.progress.total)
    if batch and report.ok:
        stage.add_transcripts(batch)


def _report_duplicates(stage: Stage, report: CallImportReport, table: str, file: str) -> None:
    """The same call twice in one file is an export error: which line repeats which."""
    duplicates = stage.connection.execute(text(
        f"SELECT call_id, MIN(line), MAX(line), COUNT(*) FROM {table} "
        f"GROUP BY call_id HAVING COUNT(*) > 1 ORDER BY MIN(line) LIMIT {MAX_REPORTED_ERRORS}"))
    for call_id, first, last, _count in duplicates:
        report.add_error(RowError(int(last), "call_id", "duplicate_call_in_file",
                                  str(call_id)[:40], {"first_row": int(first)}, file))


def _report_orphan_transcripts(stage: Stage, report: CallImportReport) -> None:
    """A transcript must belong to a call of this import or one already stored."""
    has_calls = stage.exists(CALL_STAGE)
    in_file = (f"AND NOT EXISTS (SELECT 1 FROM {CALL_STAGE} s WHERE s.call_id = t.call_id) "
               if has_calls else "")
    orphans = stage.connection.execute(text(
        f"SELECT t.line, t.call_id FROM {TRANSCRIPT_STAGE} t "
        f"WHERE NOT EXISTS (SELECT 1 FROM calls c WHERE c.call_id = t.call_id) {in_file}"
        f"ORDER BY t.line LIMIT {MAX_REPORTED_ERRORS}"))
    for line, call_id in orphans:
        report.add_error(RowError(int(line), "call_id", "transcript_without_call",
                                  str(call_id)[:40], {}, "transcripts"))


def _count_existing(stage: Stage) -> int:
    return int(stage.connection.execute(text(
        f"SELECT COUNT(*) FROM {CALL_STAGE} s "
        f"WHERE EXISTS (SELECT 1 FROM calls c WHERE c.call_id = s.call_id)")).scalar_one())


def _day_range(stage: Stage) -> tuple[date | None, date | None]:
    first, last = stage.connection.execute(
        text(f"SELECT MIN(day), MAX(day) FROM {CALL_STAGE}")).one()
    return _as_date(first), _as_date(last)


def _as_date(value: object) -> date | None:
    """A DATE column as read back: a date (PostgreSQL) or its ISO text (SQLite)."""
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


_UPDATED_COLUMNS = ("agent_id", "team", "queue", "started_at", "day", "week", "month", "hour",
                    "duration_s", "region", "product", "channel", "fcr", "satisfaction",
                    "complaint", "complaint_category", "repeat_7d", "job_id", "updated_at")


def _merge_calls(stage: Stage, *, job_id: int | None, now: datetime) -> None:
    columns = ("call_id", *_UPDATED_COLUMNS[:-2])
    updates = ", ".join(f"{c} = excluded.{c}" for c in _UPDATED_COLUMNS)
    stage.connection.execute(text(
        f"INSERT INTO calls ({', '.join(columns)}, turn_count, job_id, updated_at) "
        f"SELECT {', '.join(columns)}, turn_count, :job_id, :now FROM {CALL_STAGE} WHERE 1 = 1 "
        f"ON CONFLICT (call_id) DO UPDATE SET {updates}, "
        # A re-export without turns keeps the transcript already stored.
        f"turn_count = CASE WHEN excluded.turn_count > 0 THEN excluded.turn_count "
        f"ELSE calls.turn_count END"), {"job_id": job_id, "now": now})
    stage.connection.execute(text(
        f"INSERT INTO call_transcripts (call_id, turns, masked) "
        f"SELECT call_id, transcript, masked FROM {CALL_STAGE} "
        f"WHERE transcript IS NOT NULL AND turn_count > 0 "
        f"ON CONFLICT (call_id) DO UPDATE SET turns = excluded.turns, masked = excluded.masked"))


# Share of the calls table an import must add or rewrite before the planner's statistics
# are renewed with it (autovacuum's default analyze scale factor).
ANALYZE_FRACTION = 0.1


def _refresh_statistics(stage: Stage, *, merged: int) -> None:
    """PostgreSQL: renew the calls table's statistics in the import's transaction when the
    import changed a tenth of it or more. Until autovacuum gets round to it (a minute or
    more after the commit), the planner believes a table filled by an import is nearly
    empty: the first dashboards after a million-call import sorted every call on disk
    instead of aggregating in parallel (1.1 s instead of 0.3 s for a week × team slice).
    ANALYZE reads a sample (30,000 rows: 0.3 s at a million calls) and counts this
    transaction's own rows; SKIP_LOCKED: when a vacuum holds the table, it analyzes it
    itself and the import does not wait for it."""
    if stage.dialect != "postgresql" or merged == 0:
        return
    known = stage.connection.execute(text(
        "SELECT reltuples FROM pg_class WHERE oid = 'calls'::regclass")).scalar()
    if known is None or known < 0 or merged >= ANALYZE_FRACTION * float(known):
        stage.connection.exec_driver_sql("ANALYZE (SKIP_LOCKED) calls")


def _merge_transcripts(stage: Stage) -> None:
    stage.connection.execute(text(
        f"INSERT INTO call_transcripts (call_id, turns, masked) "
        f"SELECT call_id, turns, masked FROM {TRANSCRIPT_STAGE} WHERE 1 = 1 "
        f"ON CONFLICT (call_id) DO UPDATE SET turns = excluded.turns, masked = excluded.masked"))
    stage.connection.execute(text(
        f"UPDATE calls SET turn_count = (SELECT t.turn_count FROM {TRANSCRIPT_STAGE} t "
        f"WHERE t.call_id = calls.call_id) "
        f"WHERE call_id IN (SELECT call_id FROM {TRANSCRIPT_STAGE})"))


def _rows(path: Path, fmt: FileFormat | None, kind: str, max_rows: int) -> RowStream:
    file_format = fmt or FileFormat.JSONL
    if kind == "calls":
        columns = CALL_COLUMNS if file_format is FileFormat.JSONL else FLAT_CALL_COLUMNS
    else:
        columns = TRANSCRIPT_COLUMNS
    return RowStream(path, file_format, columns, max_rows=max_rows, loads=orjson.loads,
                     binary_loads=True)


def import_calls(session: Session, *, actor: User, source: CallSource, context: RowContext,
                 dry_run: bool = False, job_id: int | None = None,
                 max_rows: int = DEFAULT_MAX_ROWS,
                 progress: ProgressCallback = no_progress) -> CallImportReport:
    """Check every row of the files, then write all calls (and transcripts) or none.

    Raises ``CallImportRejected`` (with the report) when any row is wrong; the caller's
    transaction must then be rolled back. ``context`` comes from ``load_row_context``,
    read in an earlier transaction.
    """
    require_import(actor)
    report = CallImportReport(
        filename=source.calls_name or (source.calls.name if source.calls else ""),
        format=(source.calls_format or FileFormat.JSONL).value if source.calls else "",
        transcripts_filename=source.transcripts_name or (
            source.transcripts.name if source.transcripts else None),
        dry_run=dry_run)
    stage = Stage(session.connection())
    stage.create(transcripts=source.transcripts is not None)
    try:
        _stage_and_check(session, stage, source, context, report, dry_run=dry_run,
                         max_rows=max_rows, progress=progress)
        if not report.ok:
            raise CallImportRejected(report)
        report.updated = _count_existing(stage) if source.calls else 0
        report.created = report.rows - report.updated
        if source.calls:
            report.first_day, report.last_day = _day_range(stage)
        if not dry_run:
            _write(session, stage, source, report, job_id=job_id, actor=actor)
    finally:
        stage.drop()
    return report


def _stage_and_check(session: Session, stage: Stage, source: CallSource,
                     context: RowContext, report: CallImportReport, *, dry_run: bool,
                     max_rows: int, progress: ProgressCallback) -> None:
    if source.calls is not None:
        _stage_calls(stage, _rows(source.calls, source.calls_format, "calls", max_rows),
                     context, report, progress)
    if source.transcripts is not None:
        _stage_transcripts(stage, _rows(source.transcripts, source.transcripts_format,
                                        "transcripts", max_rows), report, progress)
    if not report.ok:
        return
    # The last report: whoever writes progress down (the job runner) must not wait for
    # the write lock this import is about to hold until it commits.
    progress("checking", 0, None)
    if not dry_run:
        # From here on the main tables are read, then written: queue as a writer now.
        lock_for_writing(session)
    stage.index_call_ids()
    if source.calls is not None:
        _report_duplicates(stage, report, CALL_STAGE, "calls")
    if source.transcripts is not None:
        _report_duplicates(stage, report, TRANSCRIPT_STAGE, "transcripts")
        _report_orphan_transcripts(stage, report)


def _write(session: Session, stage: Stage, source: CallSource, report: CallImportReport, *,
           job_id: int | None, actor: User) -> None:
    if source.calls is not None:
        _merge_calls(stage, job_id=job_id, now=utcnow())
        _refresh_statistics(stage, merged=report.rows)
    if source.transcripts is not None:
        _merge_transcripts(stage)
    record(session, actor=actor, action="calls.import", entity_type="call_import",
           entity_id=job_id, summary=report.filename or report.transcripts_filename or "",
           after={k: v for k, v in report.as_dict().items() if k != "errors"})


CALL_IMPORT_JOB = "calls.import"


def submit_call_import(session: Session, *, actor: User, upload_dir: Path,
                       calls: Path | None, transcripts: Path | None, dry_run: bool,
                       calls_name: str = "", transcripts_name: str = "") -> Job:
    """Queue the import of uploaded files as a background job (the files were saved to
    ``upload_dir``, which the job deletes when it is done)."""
    require_import(actor)
    if calls is None and transcripts is None:
        raise NothingToImport()
    params: dict[str, Any] = {
        "upload_dir": str(upload_dir), "dry_run": dry_run,
        "calls_path": str(calls) if calls else None,
        "calls_format": detect_format(calls.name).value if calls else None,
        "calls_name": calls_name,
        "transcripts_path": str(transcripts) if transcripts else None,
        "transcripts_format": detect_format(transcripts.name).value if transcripts else None,
        "transcripts_name": transcripts_name,
    }
    return create_job(session, kind=CALL_IMPORT_JOB, params=params, created_by=actor)


class NothingToImport(InvalidInput):
    code = "nothing_to_import"
    message = N_("Choose a file of call records, a file of transcripts, or both.")


def recent_imports(session: Session, *, actor: User, limit: int = 20) -> list[Job]:
    """The latest call imports, for whoever may import."""
    require_import(actor)
    return list_jobs(session, kinds=[CALL_IMPORT_JOB], limit=limit)
