"""Export in the import formats, and export → import round trips for xlsx, CSV and JSONL."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import Connection, func, select
from sqlalchemy.orm import Session

from seci.audit.models import AuditEvent
from seci.core.errors import PermissionDenied
from seci.knowledge import articles as kb
from seci.knowledge import exporting
from seci.knowledge.exporting import (
    export_articles,
    export_count,
    export_records,
    iter_export_records,
)
from seci.knowledge.importing import ImportReport, import_articles
from seci.knowledge.models import Article, ArticleVersion, Module
from seci.knowledge.modules import find_by_path
from seci.knowledge.tabular import COLUMNS, FileFormat, read_rows, write_csv
from tests.factories import World, bearer, make_article, revise

LIMIT = 5 * 1024 * 1024
FORMATS = [FileFormat.XLSX, FileFormat.CSV, FileFormat.JSONL]
EXPORTED_CODES = ["HB-3", "KB-1", "KB-2", "KB-4", "KB-5"]

KB1: dict[str, Any] = {
    "code": "KB-1",
    "title": "国际漫游开通说明",
    "body": "### 办理方式\n发送 KTMY 到 10086，资费见“附表”, 含\"引号\"。\n\n- 日租 25 元",
    "customer_answer": "出国前发送 KTMY 到 10086 开通；\n境外日租 25 元。",
    "module": "个人业务/资费套餐",
    "queues": ["A", "VIP"],
    "tags": ["漫游", "国际"],
    "similar_questions": ["出国了手机还能用不；怎么开通", "境外上网, 收费吗"],
    "audience": "internal",
    "valid_from": "2026-01-01",
    "valid_to": "2026-12-31",
}
HB3: dict[str, Any] = {
    "code": "HB-3", "title": "宽带故障报修", "body": "先重启光猫。", "customer_answer": "",
    "module": "家庭业务/宽带/故障报修",
    "queues": [], "tags": [], "similar_questions": [], "audience": "customer",
    "valid_from": None, "valid_to": None,
}


def run_import(db: Session, world: World, data: bytes, filename: str,
               **options: Any) -> ImportReport:
    report = import_articles(db, data=data, filename=filename, actor=world["manager"],
                             max_bytes=LIMIT, **options)
    db.commit()
    return report


def snapshot(db: Session) -> dict[str, int]:
    return {
        model.__name__: db.scalar(select(func.count()).select_from(model)) or 0
        for model in (Article, ArticleVersion, Module)
    }


def export(db: Session, world: World, fmt: FileFormat, user: str = "manager") -> bytes:
    data = export_articles(db, actor=world[user], fmt=fmt)
    db.commit()
    return data


def seed(db: Session, world: World) -> None:
    """Published articles with every kind of field, plus some that must not be exported."""
    make_article(db, world, code="KB-1", title=KB1["title"], body=KB1["body"],
                 customer_answer=KB1["customer_answer"],
                 queue_ids=world.queue_ids("VIP", "A"), tags=KB1["tags"],
                 similar_questions=KB1["similar_questions"], audience="internal",
                 valid_from=date(2026, 1, 1), valid_to=date(2026, 12, 31))
    # formula-looking texts and a single list item holding a separator
    make_article(db, world, code="KB-2", title="=SUM(1,2) 话费计算规则",
                 body="- 第一步：查询余额\n- 第二步：缴费\n\t备注",
                 module_id=world.modules["账务"].id, queue_ids=world.queue_ids("话费专席"),
                 tags=["-5折", "+86"],
                 similar_questions=["停机了还能接电话吗；能打出去吗"])
    run_import(db, world, (json.dumps(HB3, ensure_ascii=False) + "\n").encode(), "hb.jsonl")
    make_article(db, world, code="KB-4", title="'=不是公式的标题", body="@客服 回复模板",
                 tags=["@SUM(A1)"], similar_questions=[])
    pending = make_article(db, world, code="KB-5", title="已发布的标题")
    revise(db, world, pending, title="审核中的新标题", reviewer=None)
    retired = make_article(db, world, code="KB-6", title="已下线")
    kb.retire_article(db, article_id=retired.id, actor=world["manager"])
    make_article(db, world, code="KB-7", title="从未发布的草稿", reviewer=None)
    db.commit()


def records(db: Session, world: World) -> list[dict[str, Any]]:
    db.expire_all()
    return export_records(db, actor=world["manager"])


# --- what an export holds ----------------------------------------------------------------


def test_jsonl_export_holds_every_field_of_each_live_version(db: Session,
                                                             world: World) -> None:
    seed(db, world)
    lines = export(db, world, FileFormat.JSONL).decode("utf-8").splitlines()
    rows = [json.loads(line) for line in lines]
    assert [r["code"] for r in rows] == EXPORTED_CODES
    assert all(list(r) == list(COLUMNS) for r in rows)
    by_code = {r["code"]: r for r in rows}
    assert by_code["KB-1"] == KB1
    assert by_code["HB-3"] == HB3
    assert by_code["KB-2"]["title"] == "=SUM(1,2) 话费计算规则"  # JSON needs no escaping
    assert by_code["KB-5"]["title"] == "已发布的标题"  # the live version, not the revision


def test_csv_export_is_utf8_with_bom_and_joins_lists_with_pipes(db: Session,
                                                               world: World) -> None:
    seed(db, world)
    data = export(db, world, FileFormat.CSV)
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert rows[0] == list(COLUMNS)
    by_code = {r[0]: dict(zip(COLUMNS, r, strict=True)) for r in rows[1:]}
    assert list(by_code) == EXPORTED_CODES
    assert by_code["KB-1"] == {
        **{k: str(v) for k, v in KB1.items() if isinstance(v, str)},
        "queues": "A|VIP", "tags": "漫游|国际",
        "similar_questions": "出国了手机还能用不；怎么开通|境外上网, 收费吗",
    }
    assert by_code["HB-3"]["valid_from"] == "" and by_code["HB-3"]["queues"] == ""


def test_xlsx_export_is_a_workbook_with_the_import_columns(db: Session, world: World) -> None:
    seed(db, world)
    workbook = load_workbook(io.BytesIO(export(db, world, FileFormat.XLSX)))
    sheet = workbook.worksheets[0]
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0] == list(COLUMNS)
    assert [r[0] for r in rows[1:]] == EXPORTED_CODES
    kb1 = dict(zip(COLUMNS, rows[2], strict=True))
    assert (kb1["title"], kb1["module"], kb1["queues"], kb1["valid_to"]) == (
        "国际漫游开通说明", "个人业务/资费套餐", "A|VIP", "2026-12-31")
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)


def test_export_leaves_out_drafts_and_retired_articles(db: Session, world: World) -> None:
    seed(db, world)
    codes = [r["code"] for r in records(db, world)]
    assert "KB-6" not in codes and "KB-7" not in codes
    assert codes == EXPORTED_CODES


@pytest.mark.parametrize("fmt", [FileFormat.CSV, FileFormat.XLSX])
def test_export_escapes_formula_looking_cells_and_import_restores_them(
        db: Session, world: World, fmt: FileFormat) -> None:
    seed(db, world)
    data = export(db, world, fmt)
    if fmt == FileFormat.CSV:
        cells = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    else:
        sheet = load_workbook(io.BytesIO(data)).worksheets[0]
        cells = [[str(c.value or "") for c in row] for row in sheet.iter_rows()]
    by_code = {r[0]: dict(zip(COLUMNS, r, strict=True)) for r in cells[1:]}
    assert by_code["KB-2"]["title"] == "'=SUM(1,2) 话费计算规则"
    assert by_code["KB-2"]["body"].startswith("'- 第一步")
    assert by_code["KB-2"]["tags"] == "'-5折|+86"
    assert by_code["KB-4"]["title"] == "''=不是公式的标题"  # a real leading apostrophe
    assert by_code["KB-4"]["body"] == "'@客服 回复模板"
    assert by_code["KB-4"]["tags"] == "'@SUM(A1)"
    report = run_import(db, world, data, f"export.{fmt}")
    assert report.unchanged == EXPORTED_CODES
    article = kb.get_article_by_code(db, code="KB-2")
    assert (article.title, article.tags) == ("=SUM(1,2) 话费计算规则", ["-5折", "+86"])
    assert kb.get_article_by_code(db, code="KB-4").title == "'=不是公式的标题"


@pytest.mark.parametrize("fmt", [FileFormat.CSV, FileFormat.XLSX])
def test_a_formula_after_leading_blanks_is_escaped_too(db: Session, world: World,
                                                       fmt: FileFormat) -> None:
    body = '  =HYPERLINK("http://evil.example/","点我")'
    make_article(db, world, code="KB-8", body=body, tags=[" @SUM(A1)"])
    data = export(db, world, fmt)
    if fmt == FileFormat.CSV:
        cells = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    else:
        sheet = load_workbook(io.BytesIO(data)).worksheets[0]
        cells = [[str(c.value or "") for c in row] for row in sheet.iter_rows()]
    row = dict(zip(COLUMNS, cells[1], strict=True))
    assert row["body"] == "'" + body
    assert row["tags"] == "' @SUM(A1)"
    report = run_import(db, world, data, f"export.{fmt}")
    assert report.errors == []  # the escaped cells are text, not formulas
    assert kb.get_article_by_code(db, code="KB-8").body == body


def test_xlsx_export_drops_control_characters_excel_cannot_hold(db: Session,
                                                               world: World) -> None:
    # Text pasted from Word carries vertical tabs; openpyxl refuses them in a cell
    make_article(db, world, code="KB-9", body="第一行\x0b第二行\x07")
    sheet = load_workbook(io.BytesIO(export(db, world, FileFormat.XLSX))).worksheets[0]
    assert [c.value for c in next(sheet.iter_rows(min_row=2))][2] == "第一行第二行"


def test_export_is_audited(db: Session, world: World) -> None:
    seed(db, world)
    export(db, world, FileFormat.CSV)
    event = db.scalar(select(AuditEvent).where(AuditEvent.action == "kb.export"))
    assert event is not None and event.after == {"format": "csv", "count": 5}


def test_agent_may_not_export(db: Session, world: World) -> None:
    with pytest.raises(PermissionDenied):
        export_articles(db, actor=world["agent"], fmt=FileFormat.CSV)
    # Refused when asked, not when the first record would be read.
    with pytest.raises(PermissionDenied):
        iter_export_records(db, actor=world["agent"])
    with pytest.raises(PermissionDenied):
        export_count(db, actor=world["agent"])


def test_records_are_read_in_batches_and_counted_alike(db: Session, world: World,
                                                       monkeypatch: pytest.MonkeyPatch
                                                       ) -> None:
    seed(db, world)
    monkeypatch.setattr(exporting, "READ_BATCH", 2)  # five articles: three batches
    everything = [r["code"] for r in iter_export_records(db, actor=world["manager"])]
    assert everything == EXPORTED_CODES
    assert export_count(db, actor=world["manager"]) == len(EXPORTED_CODES)
    billing = world.modules["账务"].id
    assert [r["code"] for r in iter_export_records(db, actor=world["manager"],
                                                   module_id=billing)] == ["KB-2"]
    assert export_count(db, actor=world["manager"], module_id=billing) == 1
    assert export_count(db, actor=world["manager"], include_retired=True) == 6


def test_a_long_csv_is_written_in_pieces_that_read_back_whole() -> None:
    # Bodies of 1,000 characters: the writer flushes about every 65,000 characters, so a
    # row, a multi-byte character or a quoted line break may sit on a piece's edge.
    rows = [KB1 | {"code": f"LONG-{i:03d}", "body": f"第{i}条：\n" + "话费“余额”查询，" * 125}
            for i in range(200)]
    data = write_csv(rows)
    assert data.startswith(b"\xef\xbb\xbf") and data.count(b"\xef\xbb\xbf") == 1
    read = [r.values for r in read_rows(data, FileFormat.CSV)]
    assert [r["code"] for r in read] == [r["code"] for r in rows]
    assert all(r["body"] == row["body"] for r, row in zip(read, rows, strict=True))


# --- round trips -------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_reimporting_an_export_changes_nothing(db: Session, world: World,
                                               fmt: FileFormat) -> None:
    seed(db, world)
    before_records = records(db, world)
    before = snapshot(db)
    report = run_import(db, world, export(db, world, fmt), f"export.{fmt}")
    assert (report.created, report.updated) == ([], [])
    assert report.unchanged == EXPORTED_CODES
    assert report.modules_created == []
    assert snapshot(db) == before
    assert records(db, world) == before_records
    # the revision waiting for review is kept as it was
    pending = kb.get_article_by_code(db, code="KB-5")
    assert (pending.status, pending.title) == ("draft", "审核中的新标题")


def _edit_title(data: bytes, fmt: FileFormat, code: str, title: str) -> bytes:
    """Change one title in an exported file the way a user would."""
    if fmt == FileFormat.JSONL:
        rows = [json.loads(line) for line in data.decode().splitlines()]
        for row in rows:
            if row["code"] == code:
                row["title"] = title
        return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows).encode()
    if fmt == FileFormat.CSV:
        rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
        for row in rows:
            if row[0] == code:
                row[1] = title
        buffer = io.StringIO(newline="")
        csv.writer(buffer).writerows(rows)
        return buffer.getvalue().encode("utf-8-sig")
    workbook = load_workbook(io.BytesIO(data))
    sheet = workbook.worksheets[0]
    for row in sheet.iter_rows(min_row=2):
        if row[0].value == code:
            row[1].value = title
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


@pytest.mark.parametrize("fmt", FORMATS)
def test_export_edit_one_title_and_reimport_updates_only_that_article(
        db: Session, world: World, fmt: FileFormat) -> None:
    seed(db, world)
    before = records(db, world)
    data = _edit_title(export(db, world, fmt), fmt, "KB-1", "国际漫游开通说明（2026版）")
    report = run_import(db, world, data, f"edited.{fmt}")
    assert report.updated == ["KB-1"]
    assert report.unchanged == [c for c in EXPORTED_CODES if c != "KB-1"]
    article = kb.get_article_by_code(db, code="KB-1")
    assert article.latest_version_no == 2
    assert article.live_version is not None
    assert article.live_version.title == "国际漫游开通说明（2026版）"
    after = records(db, world)
    assert after == [r | {"title": "国际漫游开通说明（2026版）"} if r["code"] == "KB-1" else r
                     for r in before]


@pytest.mark.parametrize("fmt", FORMATS)
def test_export_imported_into_an_empty_knowledge_base_recreates_everything(
        db: Session, world: World, connection: Connection, fmt: FileFormat) -> None:
    db.commit()
    empty = connection.begin_nested()  # the knowledge base as it is now: no articles
    seed(db, world)
    original = records(db, world)
    data = export(db, world, fmt)
    db.rollback()
    empty.rollback()
    db.expire_all()
    assert db.scalar(select(func.count()).select_from(Article)) == 0
    assert find_by_path(db, path="家庭业务/宽带/故障报修") is None

    report = run_import(db, world, data, f"export.{fmt}")
    assert report.created == EXPORTED_CODES
    assert report.modules_created == ["家庭业务/宽带/故障报修"]
    assert records(db, world) == original
    by_code = {r["code"]: r for r in original}
    assert by_code["KB-1"] == KB1 and by_code["HB-3"] == HB3
    assert by_code["KB-2"]["tags"] == ["-5折", "+86"]
    assert by_code["KB-2"]["similar_questions"] == ["停机了还能接电话吗；能打出去吗"]
    assert all(kb.get_article_by_code(db, code=c).latest_version_no == 1
               for c in EXPORTED_CODES)


# --- REST API ----------------------------------------------------------------------------


@pytest.mark.parametrize(("fmt", "media"), [
    ("jsonl", "application/x-ndjson"),
    ("csv", "text/csv"),
    ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
])
def test_api_export_round_trips_through_api_import(client: TestClient, db: Session,
                                                   world: World, fmt: str, media: str) -> None:
    seed(db, world)
    headers = bearer(db, world, "manager")
    response = client.get(f"/api/v1/export?format={fmt}", headers=headers)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(media)
    assert f"seci-articles.{fmt}" in response.headers["content-disposition"]
    imported = client.post("/api/v1/import", headers=headers,
                           files={"file": (f"seci-articles.{fmt}", response.content)})
    assert imported.status_code == 200, imported.text
    assert (imported.json()["unchanged"], imported.json()["updated"]) == (5, 0)


def test_api_export_of_one_module_holds_only_its_subtree(client: TestClient, db: Session,
                                                         world: World) -> None:
    seed(db, world)
    response = client.get(f"/api/v1/export?format=jsonl&module={world.modules['家庭业务'].id}",
                          headers=bearer(db, world, "manager"))
    assert [json.loads(line)["code"] for line in response.text.splitlines()] == ["HB-3"]


def test_api_export_is_forbidden_for_an_agent(client: TestClient, db: Session,
                                              world: World) -> None:
    response = client.get("/api/v1/export?format=csv", headers=bearer(db, world, "agent"))
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
