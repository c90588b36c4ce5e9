"""Jobs of the call domain: importing call records (thin: sessions, the service, progress).

The import runs in three transactions on one connection: the row context is read first;
the file is then staged and merged (``importing.import_calls``), all or nothing; the
topics' over-long thresholds are recomputed last, from what was committed.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from seci.accounts.models import User
from seci.calls.importing import (
    CallImportReport,
    CallSource,
    ProgressCallback,
    import_calls,
    load_row_context,
    no_progress,
)
from seci.calls.kpis import Period
from seci.calls.thresholds import refresh_thresholds
from seci.core.errors import NotFound
from seci.core.tabular import FileFormat
from seci.jobs.queue import announce
from seci.jobs.runner import JobContext


def load_actor(factory: sessionmaker[Session], actor_id: int | None) -> User:
    with factory() as session:
        actor = session.get(User, actor_id) if actor_id is not None else None
        if actor is None or not actor.is_active:
            raise NotFound()
        return actor


def run_call_import(factory: sessionmaker[Session], *, actor: User, source: CallSource,
                    dry_run: bool, job_id: int | None = None,
                    progress: ProgressCallback | None = None) -> CallImportReport:
    """The whole import as the CLI and the job runner run it."""
    with factory() as session:
        context = load_row_context(session)
        session.rollback()
    with factory() as session:
        try:
            report = import_calls(session, actor=actor, source=source, context=context,
                                  dry_run=dry_run, job_id=job_id,
                                  progress=progress or no_progress)
            session.commit()
        except BaseException:
            session.rollback()
            raise
    if not dry_run and report.rows:
        if progress:
            progress("thresholds", 0, None)
        with factory() as session:
            refresh_thresholds(session)
            session.commit()
    return report


def source_from_params(params: dict[str, Any]) -> CallSource:
    def path(key: str) -> Path | None:
        return Path(params[key]) if params.get(key) else None

    def fmt(key: str) -> FileFormat | None:
        return FileFormat(params[key]) if params.get(key) else None

    return CallSource(calls=path("calls_path"), calls_format=fmt("calls_format"),
                      transcripts=path("transcripts_path"),
                      transcripts_format=fmt("transcripts_format"),
                      calls_name=params.get("calls_name", ""),
                      transcripts_name=params.get("transcripts_name", ""))


def call_import_task(context: JobContext) -> dict[str, Any]:
    """The job: import the uploaded files, then delete them (raw transcripts hold the
    customers' numbers unmasked; only the masked copy in the database remains)."""
    params = context.params
    try:
        report = run_call_import(
            context.session_factory,
            actor=load_actor(context.session_factory, context.created_by_id),
            source=source_from_params(params), dry_run=bool(params.get("dry_run")),
            job_id=context.job_id, progress=context.report)
    finally:
        upload_dir = params.get("upload_dir")
        if upload_dir:
            shutil.rmtree(upload_dir, ignore_errors=True)
    if not report.dry_run and report.rows:
        # New calls: mine them (incrementally: only their features are extracted). Imported
        # here: the miners load scikit-learn and SciPy (~200 MB) that an import never needs.
        from seci.mining.tasks import queue_mining

        with context.session_factory() as session:
            queue_mining(session, actor=None, period=Period())
            session.commit()
        announce(1)
    return report.as_dict()
