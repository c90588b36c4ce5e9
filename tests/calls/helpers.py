"""Hand-made call records for the call-domain tests (small, every value chosen)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from seci.calls.importing import CallImportReport, CallSource, import_calls, load_row_context
from seci.core.tabular import FileFormat
from tests.factories import World


def call(call_id: str, **overrides: Any) -> dict[str, Any]:
    """One call in the platform's JSONL form; outcome fields may be overridden flat."""
    outcome = {"resolved_first_contact": True, "satisfaction": 5, "complaint": False,
               "complaint_category": None, "repeat_within_7d": False}
    for key in list(overrides):
        if key in outcome:
            outcome[key] = overrides.pop(key)
    record: dict[str, Any] = {
        "call_id": call_id, "agent_id": "A1001", "team": "A组", "queue": "A",
        "started_at": "2026-09-07T09:15:02+08:00", "duration_s": 300, "region": "渝中区",
        "product": "流量套餐", "channel": "voice",
        "turns": [{"speaker": "agent", "text": "您好，很高兴为您服务", "start_ms": 0},
                  {"speaker": "customer", "text": "我流量咋个用得这么快哦", "start_ms": 3000}],
        "outcome": outcome,
    }
    record.update(overrides)
    return record


def write_jsonl(path: Path, records: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records),
                    encoding="utf-8")
    return path


NOW = datetime(2026, 12, 1, tzinfo=UTC)


def run_import(db: Session, world: World, path: Path | None, *, actor: str = "analyst",
               dry_run: bool = False, fmt: FileFormat | None = None,
               transcripts: Path | None = None,
               transcripts_fmt: FileFormat | None = None) -> CallImportReport:
    context = load_row_context(db, now=NOW)
    return import_calls(
        db, actor=world[actor], context=context, dry_run=dry_run,
        source=CallSource(calls=path, calls_format=fmt, transcripts=transcripts,
                          transcripts_format=transcripts_fmt))
