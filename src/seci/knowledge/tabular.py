"""Reading and writing the article exchange formats: xlsx, CSV (UTF-8/GBK) and JSONL.

Reading yields raw rows with their row (line) numbers; what a value means is decided by
``importing``. File-level trouble (size, encoding, not a spreadsheet) raises an error that
says so in plain words, never a stack trace.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, BinaryIO

from seci.core.tabular import (
    BadEncoding,
    EmptyFile,
    FileFormat,
    FileTooLarge,
    ImportFileError,
    MissingColumns,
    NotASpreadsheet,
    TooManyRows,
    UnknownColumns,
    UnknownFormat,
    check_size,
    detect_format,
    megabytes,
)

# The file-level errors and helpers live in core.tabular (shared with the call import);
# they are re-exported here for the knowledge import's callers.
__all__ = ["BadEncoding", "EmptyFile", "FileFormat", "FileTooLarge", "ImportFileError",
           "MissingColumns", "NotASpreadsheet", "UnknownColumns", "UnknownFormat",
           "check_size", "detect_format"]

COLUMNS = (
    "code", "title", "body", "customer_answer", "module", "queues", "tags",
    "similar_questions", "audience", "valid_from", "valid_to",
)
MAX_UNPACKED_XLSX = 512 * 1024 * 1024
# A knowledge base holds thousands of articles, not hundreds of thousands: a file beyond
# this is a mistake (a call export picked by accident) and is refused before it is
# validated row by row, which at 800,000 rows took most of a minute.
MAX_IMPORT_ROWS = 50_000
REQUIRED_COLUMNS = ("code", "title", "module")
LIST_COLUMNS = ("queues", "tags", "similar_questions")

# Header spellings a Chinese spreadsheet may use for each column.
COLUMN_ALIASES: dict[str, str] = {
    "知识编号": "code", "编号": "code", "编码": "code",
    "标题": "title", "知识标题": "title",
    "正文": "body", "内容": "body", "答案": "body",
    "答复口径": "customer_answer", "客户答复": "customer_answer", "对客口径": "customer_answer",
    "标准答复": "customer_answer", "customer answer": "customer_answer",
    "模块": "module", "业务模块": "module", "分类": "module",
    "队列": "queues", "适用队列": "queues", "queue": "queues",
    "标签": "tags", "tag": "tags",
    "相似问法": "similar_questions", "相似问题": "similar_questions",
    "similar questions": "similar_questions",
    "受众": "audience", "可见范围": "audience",
    "生效日期": "valid_from", "生效": "valid_from",
    "失效日期": "valid_to", "失效": "valid_to",
}

# Cells Excel would evaluate as formulas (CSV injection): '=…', or '+', '-', '@' directly
# followed by formula text (numbers, operators, names) that reaches a function call, a DDE
# pipe or a sheet reference, e.g. '@SUM(…)' or '-2+3+cmd|' /C calc'!A0'. Ordinary text such
# as '-5元优惠', '+86', '@客服' or a Markdown list item ('- 第一步', '- APP(首页)') is not.
# Leading blanks do not make a formula harmless (' =HYPERLINK(…)'): Excel ignores them.
_FORMULA = re.compile(
    r"^\s*(=|[+\-@](?!\s)[\w.+\-*/^&%$]*?[A-Za-z_][\w.]*\s*[(|!])", re.ASCII
)
# Export escapes formula-like cells with one more leading apostrophe; import removes one.
# (Texts that already start with apostrophes before such a character are escaped too, so
# that export → import returns exactly the original text.)
# A cell needs it when its first non-blank character is one of = + - @, or it starts with a
# tab or CR.
_NEEDS_ESCAPE = re.compile(r"^'*(?:\s*[=+\-@]|[\t\r])")
_ESCAPED = re.compile(r"^'(?='*(?:\s*[=+\-@]|[\t\r]))")
# A CSV cell may be as long as the whole file; the row checks report over-long values.
_CSV_FIELD_LIMIT = 2**31 - 1


@dataclass
class RawRow:
    number: int  # spreadsheet row (header = 1) or JSONL line
    values: dict[str, Any]
    formula_columns: list[str]


def decode_text(data: bytes) -> str:
    """UTF-8 (with or without BOM), else GB18030 as Chinese Excel writes CSV."""
    nul = data.find(b"\x00")
    if nul >= 0:  # binary data (or UTF-16), never a text export of a spreadsheet
        raise BadEncoding(position=nul)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError as exc:
        raise BadEncoding(position=exc.start) from None


def canonical_column(header: object) -> str:
    name = " ".join(str(header or "").replace("\ufeff", "").split()).lower()
    return COLUMN_ALIASES.get(name, name.replace(" ", "_"))


def _check_headers(headers: list[str]) -> None:
    present = [h for h in headers if h]
    unknown = [h for h in present if h not in COLUMNS]
    if unknown:
        raise UnknownColumns(columns=", ".join(unknown), allowed=", ".join(COLUMNS))
    missing = [c for c in REQUIRED_COLUMNS if c not in present]
    if missing:
        raise MissingColumns(columns=", ".join(missing))


def _cell_text(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, int | float):
        return str(value)
    return value


def _row_from_cells(number: int, headers: list[str], cells: list[Any]) -> RawRow | None:
    values: dict[str, Any] = {}
    formulas: list[str] = []
    for header, cell in zip(headers, cells, strict=False):
        if not header:
            continue
        value = _cell_text(cell)
        if isinstance(value, str):
            if _FORMULA.match(value):
                formulas.append(header)
            value = _ESCAPED.sub("", value)
        values[header] = value
    if all(v is None or (isinstance(v, str) and not v.strip()) for v in values.values()):
        return None  # blank line in a sheet
    return RawRow(number, values, formulas)


def read_csv(data: bytes) -> Iterator[RawRow]:
    text = decode_text(data)
    # The header line decides: bodies further down may hold any number of tabs or commas.
    header_line = text.split("\n", 1)[0]
    delimiter = "\t" if header_line.count("\t") > header_line.count(",") else ","
    if csv.field_size_limit() < _CSV_FIELD_LIMIT:
        csv.field_size_limit(_CSV_FIELD_LIMIT)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header_cells = next(reader)
    except StopIteration:
        raise EmptyFile() from None
    except csv.Error as exc:
        raise ImportFileError(detail=str(exc)) from None
    headers = [canonical_column(h) for h in header_cells]
    _check_headers(headers)
    number = 1
    try:
        for cells in reader:
            number += 1
            row = _row_from_cells(number, headers, cells)
            if row is not None:
                yield row
    except csv.Error as exc:
        raise ImportFileError(detail=f"row {number + 1}: {exc}") from None


def _check_unpacked_size(data: bytes) -> None:
    """Refuse zip bombs: an .xlsx is a zip whose parts may unpack to far more than it weighs."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile:
        raise NotASpreadsheet() from None
    if unpacked > MAX_UNPACKED_XLSX:
        raise FileTooLarge(size_mb=megabytes(unpacked), limit_mb=megabytes(MAX_UNPACKED_XLSX))


def read_xlsx(data: bytes) -> Iterator[RawRow]:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    _check_unpacked_size(data)
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError):
        raise NotASpreadsheet() from None
    try:
        sheet = workbook.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        try:
            header_cells = next(rows)
        except StopIteration:
            raise EmptyFile() from None
        headers = [canonical_column(h) for h in header_cells]
        _check_headers(headers)
        for number, cells in enumerate(rows, start=2):
            row = _row_from_cells(number, headers, list(cells))
            if row is not None:
                yield row
    except ImportFileError:
        raise
    except Exception:  # a damaged workbook fails in many ways deep inside openpyxl
        raise NotASpreadsheet() from None
    finally:
        workbook.close()


def read_jsonl(data: bytes) -> Iterator[RawRow]:
    text = decode_text(data)
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        # A broken line is reported with the line itself as the offending value.
        try:
            obj = json.loads(line)
        except json.JSONDecodeError:
            yield RawRow(number, {"__error__": line.strip()}, [])
            continue
        if not isinstance(obj, dict):
            yield RawRow(number, {"__error__": line.strip()}, [])
            continue
        values = {canonical_column(k): v for k, v in obj.items()}
        unknown = sorted(k for k in values if k not in COLUMNS)
        if unknown:
            values["__unknown__"] = unknown
        yield RawRow(number, values, [])


def read_rows(data: bytes, fmt: FileFormat, max_rows: int | None = None) -> list[RawRow]:
    """Every row of the file; more than ``max_rows`` (default ``MAX_IMPORT_ROWS``) is
    refused as soon as the reader gets there."""
    limit = MAX_IMPORT_ROWS if max_rows is None else max_rows
    readers = {FileFormat.CSV: read_csv, FileFormat.XLSX: read_xlsx, FileFormat.JSONL: read_jsonl}
    rows: list[RawRow] = []
    for row in readers[fmt](data):
        if len(rows) == limit:
            raise TooManyRows(limit=limit)
        rows.append(row)
    if not rows:
        raise EmptyFile()
    return rows


# --- writing -----------------------------------------------------------------------------

LIST_SEPARATOR = "|"
# How list cells are split on import: a cell holding '|' is split on '|' only (that is what
# export writes); hand-made cells may also use these commas, semicolons and 、.
LIST_SEPARATORS = {
    "queues": "|,，;；、\n",
    "tags": "|,，;；、\n",
    "similar_questions": "|;；\n",
}
# Control characters an .xlsx (XML 1.0) cannot hold.
_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def split_list_cell(text: str, column: str) -> list[str]:
    """The items of a list cell (blank items are dropped by the caller)."""
    separators = LIST_SEPARATOR if LIST_SEPARATOR in text else LIST_SEPARATORS[column]
    return re.split(f"[{re.escape(separators)}]", text)


def _escape_formula(text: str) -> str:
    """Neutralise spreadsheet formulas in exported cells (OWASP CSV injection)."""
    return "'" + text if _NEEDS_ESCAPE.match(text) else text


def _join_list(column: str, values: list[Any]) -> str:
    text = LIST_SEPARATOR.join(str(v) for v in values)
    if len(values) == 1 and any(ch in text for ch in LIST_SEPARATORS.get(column, "")):
        # One item that holds a separator (e.g. a question with '；'): a trailing '|' makes
        # the import split on '|' only, so the item comes back whole.
        text += LIST_SEPARATOR
    return text


def _flat(record: dict[str, Any]) -> list[str]:
    cells = []
    for column in COLUMNS:
        value = record.get(column)
        if isinstance(value, list):
            text = _join_list(column, value)
        else:
            text = "" if value is None else str(value)
        cells.append(_escape_formula(text))
    return cells


# A streamed CSV is encoded and written in pieces of about this many characters.
_CHUNK = 1 << 16


def write_csv(records: Iterable[dict[str, Any]]) -> bytes:
    """UTF-8 with BOM so that Chinese Excel opens it without garbling."""
    buffer = io.BytesIO()
    write_csv_to(records, buffer)
    return buffer.getvalue()


def write_csv_to(records: Iterable[dict[str, Any]], out: BinaryIO) -> int:
    """CSV rows written into ``out`` as they come (``write_csv``); returns the rows."""
    out.write(codecs.BOM_UTF8)
    text = io.StringIO(newline="")
    writer = csv.writer(text)
    writer.writerow(COLUMNS)
    count = 0
    for record in records:
        writer.writerow(_flat(record))
        count += 1
        if text.tell() > _CHUNK:
            out.write(text.getvalue().encode("utf-8"))
            text.seek(0)
            text.truncate()
    out.write(text.getvalue().encode("utf-8"))
    return count


def jsonl_line(record: dict[str, Any]) -> bytes:
    """One article as a JSONL line (the import's columns, in order)."""
    return (json.dumps({c: record.get(c) for c in COLUMNS}, ensure_ascii=False)
            + "\n").encode("utf-8")


def write_jsonl(records: Iterable[dict[str, Any]]) -> bytes:
    return b"".join(jsonl_line(record) for record in records)


def write_jsonl_to(records: Iterable[dict[str, Any]], out: BinaryIO) -> int:
    count = 0
    for record in records:
        out.write(jsonl_line(record))
        count += 1
    return count


def write_xlsx(records: Iterable[dict[str, Any]]) -> bytes:
    buffer = io.BytesIO()
    write_xlsx_to(records, buffer)
    return buffer.getvalue()


def write_xlsx_to(records: Iterable[dict[str, Any]], out: BinaryIO) -> int:
    """openpyxl's write-only workbook keeps the rows in a temporary file, not in memory."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("articles")
    sheet.append(list(COLUMNS))
    count = 0
    for record in records:
        sheet.append([_XML_ILLEGAL.sub("", cell) for cell in _flat(record)])
        count += 1
    workbook.save(out)
    return count


def write_records(records: Iterable[dict[str, Any]], fmt: FileFormat) -> bytes:
    buffer = io.BytesIO()
    write_records_to(records, fmt, buffer)
    return buffer.getvalue()


def write_records_to(records: Iterable[dict[str, Any]], fmt: FileFormat, out: BinaryIO
                     ) -> int:
    """``records`` written into ``out`` as ``fmt`` as they come; returns how many."""
    writers = {FileFormat.CSV: write_csv_to, FileFormat.XLSX: write_xlsx_to,
               FileFormat.JSONL: write_jsonl_to}
    return writers[fmt](records, out)


# One made-up article for the import template: every column filled the way the importer
# reads it (lists separated by |, dates as YYYY-MM-DD).
TEMPLATE_EXAMPLE: dict[str, str] = {
    "code": "KB-EXAMPLE-001",
    "title": "示例：国际漫游开通方法",
    "body": "### 业务说明\n出境前开通国际漫游，可在境外正常通话和上网。\n"
            "### 办理渠道\n- 营业厅\n- 客服热线",
    "customer_answer": "您好，出境前可通过营业厅或客服热线开通国际漫游。",
    "module": "个人业务/国际漫游",
    "queues": "A|B",
    "tags": "漫游|出境",
    "similar_questions": "出国怎么开漫游|境外能打电话吗",
    "audience": "customer",
    "valid_from": "2026-01-01",
    "valid_to": "",
}
