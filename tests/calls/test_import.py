"""Importing call records: all or nothing, line-level errors, updates, masking, formats."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from seci.audit.models import AuditEvent
from seci.calls.importing import CallImportRejected
from seci.calls.models import CallRecord, CallTranscript
from seci.core.errors import PermissionDenied
from seci.core.tabular import FileFormat
from tests.calls.helpers import call, run_import, write_jsonl
from tests.factories import World


def _count(db: Session) -> int:
    return int(db.scalar(select(func.count()).select_from(CallRecord)) or 0)


def test_jsonl_import_stores_calls_with_local_calendar_and_masked_transcripts(
        db: Session, world: World, tmp_path: Path) -> None:
    pii = call("C2", started_at="2026-09-13T23:30:00+08:00", turns=[
        {"speaker": "customer", "text": "我的号码是138 1234 5678，身份证51010319900101123X"},
        {"speaker": "agent", "text": "好的，尾号5678的机主您好"}])
    path = write_jsonl(tmp_path / "calls.jsonl", [call("C1"), pii])
    report = run_import(db, world, path)
    assert (report.rows, report.created, report.updated, report.masked) == (2, 2, 0, 2)
    stored = db.scalar(select(CallRecord).where(CallRecord.call_id == "C2"))
    assert stored is not None
    # 23:30 in Beijing on Sunday 13 September is 15:30 UTC; its week began Monday the 7th.
    assert stored.started_at == datetime(2026, 9, 13, 15, 30)
    assert (stored.day, stored.week, stored.month, stored.hour) == (
        date(2026, 9, 13), date(2026, 9, 7), date(2026, 9, 1), 23)
    assert stored.turn_count == 2
    transcript = db.get(CallTranscript, "C2")
    assert transcript is not None and transcript.masked == 2
    turns = json.loads(transcript.turns)
    assert turns[0] == ["c", "我的号码是138****5678，身份证**************123X", None]
    assert "1234 5678" not in transcript.turns and "19900101" not in transcript.turns
    assert db.scalar(select(AuditEvent).where(AuditEvent.action == "calls.import"))


def test_naive_times_are_in_the_centre_time_zone(db: Session, world: World,
                                                 tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "c.jsonl", [call("C1", started_at="2026-09-07 00:30:00")])
    run_import(db, world, path)
    stored = db.scalar(select(CallRecord))
    assert stored is not None
    assert stored.started_at == datetime(2026, 9, 6, 16, 30)  # Asia/Shanghai is UTC+8
    assert stored.day == date(2026, 9, 7) and stored.week == date(2026, 9, 7)


def test_reimporting_a_call_updates_it_and_keeps_its_transcript(
        db: Session, world: World, tmp_path: Path) -> None:
    run_import(db, world, write_jsonl(tmp_path / "a.jsonl", [call("C1"), call("C2")]))
    updated = call("C1", resolved_first_contact=False, satisfaction=2)
    del updated["turns"]
    report = run_import(db, world, write_jsonl(tmp_path / "b.jsonl", [updated, call("C3")]))
    assert (report.created, report.updated) == (1, 1)
    assert _count(db) == 3
    stored = db.scalar(select(CallRecord).where(CallRecord.call_id == "C1"))
    assert stored is not None and stored.fcr is False and stored.satisfaction == 2
    assert stored.turn_count == 2 and db.get(CallTranscript, "C1") is not None


def test_one_bad_row_rejects_the_file_with_line_field_and_value(
        db: Session, world: World, tmp_path: Path) -> None:
    rows = [call("C1"), call("C2", queue="Z9"), call("C3", satisfaction=7),
            call("C4", started_at="2026-02-30 10:00"), call("C5", complaint_category="资费")]
    path = write_jsonl(tmp_path / "bad.jsonl", rows)
    with pytest.raises(CallImportRejected) as rejected:
        run_import(db, world, path)
    errors = {(e.line, e.column, e.code, e.value) for e in rejected.value.report.errors}
    assert errors == {
        (2, "queue", "unknown_queue", "Z9"),
        (3, "satisfaction", "out_of_range", "7"),
        (4, "started_at", "date_does_not_exist", "2026-02-30 10:00"),
        (5, "complaint_category", "category_without_complaint", "资费"),
    }
    assert _count(db) == 0


def test_a_broken_line_and_a_repeated_call_are_reported(db: Session, world: World,
                                                        tmp_path: Path) -> None:
    path = tmp_path / "dup.jsonl"
    write_jsonl(path, [call("C1"), call("C2"), call("C1")])
    with pytest.raises(CallImportRejected) as rejected:
        run_import(db, world, path)
    [error] = rejected.value.report.errors
    assert (error.line, error.code, error.params) == (3, "duplicate_call_in_file",
                                                       {"first_row": 1})
    path.write_text(path.read_text(encoding="utf-8") + "{not json\n", encoding="utf-8")
    with pytest.raises(CallImportRejected) as rejected:
        run_import(db, world, path)
    assert [(e.line, e.code) for e in rejected.value.report.errors] == [(4, "bad_json")]


def test_dry_run_counts_without_writing(db: Session, world: World, tmp_path: Path) -> None:
    run_import(db, world, write_jsonl(tmp_path / "a.jsonl", [call("C1")]))
    report = run_import(db, world, write_jsonl(tmp_path / "b.jsonl", [call("C1"), call("C2")]),
                        dry_run=True)
    assert (report.dry_run, report.created, report.updated) == (True, 1, 1)
    assert _count(db) == 1


def test_gbk_csv_with_chinese_headers_and_a_separate_transcript_file(
        db: Session, world: World, tmp_path: Path) -> None:
    header = ("通话ID,坐席工号,班组,队列,开始时间,通话时长,地区,业务,一次解决,满意度,投诉,"
              "投诉类别,七天重复来电\n")
    lines = ["C1,A1001,A组,话费专席,2026/9/8 10:05,245,江北区,话费查询,是,4,否,,否\n",
             "C2,A1002,B组,B,2026/9/8 11:00:00,600,南岸区,宽带故障,否,,是,网络质量,是\n"]
    calls_csv = tmp_path / "calls.csv"
    calls_csv.write_bytes((header + "".join(lines)).encode("gbk"))
    transcripts = write_jsonl(tmp_path / "t.jsonl", [
        {"call_id": "C2", "turns": [{"speaker": "客户", "text": "宽带又断了，我电话13912345678"},
                                    {"speaker": "坐席", "text": "我这边帮您转到后台处理"}]}])
    report = run_import(db, world, calls_csv, fmt=FileFormat.CSV, transcripts=transcripts)
    assert (report.rows, report.created, report.transcripts, report.masked) == (2, 2, 1, 1)
    c2 = db.scalar(select(CallRecord).where(CallRecord.call_id == "C2"))
    assert c2 is not None
    assert (c2.fcr, c2.satisfaction, c2.complaint, c2.complaint_category, c2.repeat_7d,
            c2.turn_count) == (False, None, True, "网络质量", True, 2)
    stored = db.get(CallTranscript, "C2")
    assert stored is not None and "139****5678" in stored.turns


def test_a_transcript_of_an_unknown_call_is_refused(db: Session, world: World,
                                                    tmp_path: Path) -> None:
    transcripts = write_jsonl(tmp_path / "t.jsonl", [
        {"call_id": "NOPE", "turns": [{"speaker": "customer", "text": "喂"}]}])
    with pytest.raises(CallImportRejected) as rejected:
        run_import(db, world, None, transcripts=transcripts)
    [error] = rejected.value.report.errors
    assert (error.file, error.line, error.code, error.value) == (
        "transcripts", 1, "transcript_without_call", "NOPE")


def test_xlsx_export_with_date_cells(db: Session, world: World, tmp_path: Path) -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["call_id", "agent_id", "team", "queue", "started_at", "duration_s",
                  "region", "product", "resolved_first_contact", "satisfaction", "complaint",
                  "complaint_category", "repeat_within_7d"])
    sheet.append(["X1", "A1001", "A组", "VIP", datetime(2026, 9, 9, 14, 0), 180, "渝北区",
                  "积分兑换", 1, 5, 0, None, 0])
    path = tmp_path / "calls.xlsx"
    workbook.save(path)
    report = run_import(db, world, path, fmt=FileFormat.XLSX)
    assert report.created == 1
    stored = db.scalar(select(CallRecord))
    assert stored is not None and stored.started_at == datetime(2026, 9, 9, 6, 0)


def test_a_missing_outcome_column_in_a_csv_is_named(db: Session, world: World,
                                                    tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_text("call_id,agent_id,team,queue,started_at,duration_s,region,product\n"
                    "C1,A1,A组,A,2026-09-08 10:00,10,渝中区,话费\n", encoding="utf-8")
    with pytest.raises(Exception, match="resolved_first_contact"):
        run_import(db, world, path, fmt=FileFormat.CSV)


def test_only_importers_may_import(db: Session, world: World, tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "c.jsonl", [call("C1")])
    with pytest.raises(PermissionDenied):
        run_import(db, world, path, actor="agent")


@pytest.mark.parametrize("written", ["2026/02/30", "2026/02/30 10:00", "2026-02-30T10:00:00"])
def test_a_day_the_calendar_lacks_is_its_own_problem(db: Session, world: World,
                                                     tmp_path: Path, written: str) -> None:
    path = write_jsonl(tmp_path / "c.jsonl", [call("C1", started_at=written)])
    with pytest.raises(CallImportRejected) as rejected:
        run_import(db, world, path)
    [error] = rejected.value.report.errors
    assert (error.line, error.column, error.code) == (1, "started_at", "date_does_not_exist")
