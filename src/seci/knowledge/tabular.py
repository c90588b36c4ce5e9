"""Reading and writing the article exchange formats: xlsx, CSV (UTF-8/GBK) and JSONL.

Reading yields raw rows with their row (line) numbers; what a value means is decided by
``importing``. File-level trouble (size, encoding, not a spreadsheet) raises an error that
says so in plain words, never a stack trace.
"""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from seci.core.errors import InvalidInput
from seci.core.i18n import N_


class FileFormat(StrEnum):
    XLSX = "xlsx"
    CSV = "csv"
    JSONL = "jsonl"


COLUMNS = (
    "code", "title", "body", "module", "queues", "tags", "similar_questions",
    "audience", "valid_from", "valid_to",
)
MAX_UNPACKED_XLSX = 512 * 1024 * 1024
REQUIRED_COLUMNS = ("code", "title", "module")
LIST_COLUMNS = ("queues", "tags", "similar_questions")

# Header spellings a Chinese spreadsheet may use for each column.
COLUMN_ALIASES: dict[str, str] = {
    "知识编号": "code", "编号": "code", "编码": "code",
    "标题": "title", "知识标题": "title",
    "正文": "body", "内容": "body", "答案": "body",
    "模块": "module", "业务模块": "module", "分类": "module",
    "队列": "queues", "适用队列": "queues", "queue": "queues",
    "标签": "tags", "tag": "tags",
    "相似问法": "similar_questions", "相似问题": "similar_questions",
    "similar questions": "similar_questions",
    "受众": "audience", "可见范围": "audience",
    "生效日期": "valid_from", "生效": "valid_from",
    "失效日期": "valid_to", "失效": "valid_to",
}

# Cells Excel would evaluate as formulas (CSV injection): '=…', or '+', '-', '@'
# followed by a function call or a DDE pipe.
_FORMULA = re.compile(r"^[\t\r]*(=|[+\-@]\s*[A-Za-z_][A-Za-z0-9_.]*\s*[(|!])")
# Export escapes formula-like cells with a leading apostrophe; import removes it again.
_ESCAPED = re.compile(r"^'(?=[=+\-@\t\r])")


class ImportFileError(InvalidInput):
    code = "import_file_invalid"
    message = N_("The file cannot be read: {detail}")


class FileTooLarge(ImportFileError):
    code = "import_file_too_large"
    message = N_("The file is {size_mb} MB; the limit is {limit_mb} MB.")


class UnknownFormat(ImportFileError):
    code = "import_unknown_format"
    message = N_("Unknown file type {name}: use .xlsx, .csv or .jsonl.")


class BadEncoding(ImportFileError):
    code = "import_bad_encoding"
    message = N_("The file is neither UTF-8 nor GBK/GB18030 text (problem near byte {position}).")


class NotASpreadsheet(ImportFileError):
    code = "import_not_xlsx"
    message = N_("The file is not an Excel .xlsx workbook (old .xls files must be saved as .xlsx).")


class EmptyFile(ImportFileError):
    code = "import_empty"
    message = N_("The file holds no rows.")


class MissingColumns(ImportFileError):
    code = "import_missing_columns"
    message = N_("Required columns are missing: {columns}.")


class UnknownColumns(ImportFileError):
    code = "import_unknown_columns"
    message = N_("Unknown columns: {columns}. Allowed: {allowed}.")


@dataclass
class RawRow:
    number: int  # spreadsheet row (header = 1) or JSONL line
    values: dict[str, Any]
    formula_columns: list[str]


def detect_format(name: str, explicit: str | None = None) -> FileFormat:
    if explicit:
        try:
            return FileFormat(explicit.lower().lstrip("."))
        except ValueError:
            raise UnknownFormat(name=explicit) from None
    suffix = Path(name).suffix.lower().lstrip(".")
    if suffix in {"jsonl", "ndjson"}:
        return FileFormat.JSONL
    if suffix in {"csv", "txt"}:
        return FileFormat.CSV
    if suffix in {"xlsx", "xlsm"}:
        return FileFormat.XLSX
    raise UnknownFormat(name=name)


def check_size(size: int, limit: int) -> None:
    if size > limit:
        raise FileTooLarge(size_mb=round(size / 1_048_576, 1), limit_mb=round(limit / 1_048_576))


def decode_text(data: bytes) -> str:
    """UTF-8 (with or without BOM), else GB18030 as Chinese Excel writes CSV."""
    if b"\x00" in data[:65536]:
        raise ImportFileError(detail="binary data (NUL bytes)")
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
    sample = text[:4096]
    delimiter = "\t" if sample.count("\t") > sample.count(",") else ","
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
        raise FileTooLarge(size_mb=round(unpacked / 1_048_576, 1),
                           limit_mb=round(MAX_UNPACKED_XLSX / 1_048_576))


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
    finally:
        workbook.close()


def read_jsonl(data: bytes) -> Iterator[RawRow]:
    text = decode_text(data)
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            yield RawRow(number, {"__error__": f"json:{exc.msg}"}, [])
            continue
        if not isinstance(obj, dict):
            yield RawRow(number, {"__error__": "not_an_object"}, [])
            continue
        values = {canonical_column(k): v for k, v in obj.items()}
        unknown = sorted(k for k in values if k not in COLUMNS)
        if unknown:
            values["__unknown__"] = unknown
        yield RawRow(number, values, [])


def read_rows(data: bytes, fmt: FileFormat) -> list[RawRow]:
    readers = {FileFormat.CSV: read_csv, FileFormat.XLSX: read_xlsx, FileFormat.JSONL: read_jsonl}
    rows = list(readers[fmt](data))
    if not rows:
        raise EmptyFile()
    return rows


# --- writing -----------------------------------------------------------------------------

LIST_SEPARATOR = "|"


def _escape_formula(text: str) -> str:
    """Neutralise spreadsheet formulas in exported cells (OWASP CSV injection)."""
    return "'" + text if text[:1] in {"=", "+", "-", "@", "\t", "\r"} else text


def _flat(record: dict[str, Any]) -> list[str]:
    cells = []
    for column in COLUMNS:
        value = record.get(column)
        if isinstance(value, list):
            text = LIST_SEPARATOR.join(str(v) for v in value)
        else:
            text = "" if value is None else str(value)
        cells.append(_escape_formula(text))
    return cells


def write_csv(records: list[dict[str, Any]]) -> bytes:
    """UTF-8 with BOM so that Chinese Excel opens it without garbling."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    for record in records:
        writer.writerow(_flat(record))
    return buffer.getvalue().encode("utf-8-sig")


def write_jsonl(records: list[dict[str, Any]]) -> bytes:
    lines = [json.dumps({c: r.get(c) for c in COLUMNS}, ensure_ascii=False) for r in records]
    return ("\n".join(lines) + "\n").encode("utf-8") if lines else b""


def write_xlsx(records: list[dict[str, Any]]) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("articles")
    sheet.append(list(COLUMNS))
    for record in records:
        sheet.append(_flat(record))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def write_records(records: list[dict[str, Any]], fmt: FileFormat) -> bytes:
    writers = {FileFormat.CSV: write_csv, FileFormat.XLSX: write_xlsx,
               FileFormat.JSONL: write_jsonl}
    return writers[fmt](records)
