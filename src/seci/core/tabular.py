"""Reading tabular exchange files row by row: JSONL, CSV (UTF-8 / GBK / GB18030) and xlsx.

Call-platform exports run to millions of rows, so these readers stream from a file on disk
and never hold the file in memory. Each row comes with its line (JSONL, CSV) or sheet row
number (xlsx, header = 1) so that problems can be reported where they are. What a value
means is decided by the importing domain; file-level trouble (size, encoding, not a
spreadsheet) raises an error that says so in plain words, never a stack trace.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
import zipfile
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
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


MAX_UNPACKED_XLSX = 512 * 1024 * 1024
# A CSV cell may be as long as the whole file; the row checks report over-long values.
_CSV_FIELD_LIMIT = 2**31 - 1
# How much of a text file decides its encoding (a GBK file is rarely valid UTF-8 this far).
_SNIFF_BYTES = 1 << 20

# Cells Excel would evaluate as formulas (CSV injection): '=…', or '+', '-', '@' directly
# followed by formula text (numbers, operators, names) that reaches a function call, a DDE
# pipe or a sheet reference, e.g. '@SUM(…)' or '-2+3+cmd|' /C calc'!A0'. Ordinary text such
# as '-5元优惠', '+86', '@客服' or a Markdown list item ('- 第一步', '- APP(首页)') is not.
# Leading blanks do not make a formula harmless: Excel ignores them.
FORMULA = re.compile(
    r"^[\s]*(=|[+\-@](?!\s)[\w.+\-*/^&%$]*?[A-Za-z_][\w.]*\s*[(|!])", re.ASCII
)


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


class TooManyRows(ImportFileError):
    code = "import_too_many_rows"
    message = N_("The file has more than {limit} rows; split it into several files.")


@dataclass
class RawRow:
    number: int  # line (JSONL, CSV) or sheet row (xlsx, header = 1)
    values: dict[str, Any]
    formula_columns: list[str] = field(default_factory=list)
    broken: str | None = None  # a JSONL line that is not a JSON object (its text)


@dataclass(frozen=True)
class Columns:
    """The columns a file kind has: canonical names, their header aliases, the required."""

    names: tuple[str, ...]
    aliases: Mapping[str, str]
    required: tuple[str, ...]
    # Header → canonical name, remembered: JSONL repeats every key on every line.
    _seen: dict[object, str] = field(default_factory=dict, compare=False, repr=False)

    def canonical(self, header: object) -> str:
        known = self._seen.get(header)
        if known is not None:
            return known
        name = " ".join(str(header or "").replace("\ufeff", "").split()).lower()
        canonical = self.aliases.get(name, name.replace(" ", "_"))
        if len(self._seen) < 1000:
            self._seen[header] = canonical
        return canonical

    def check_headers(self, headers: list[str]) -> None:
        present = [h for h in headers if h]
        unknown = [h for h in present if h not in self.names]
        if unknown:
            raise UnknownColumns(columns=", ".join(unknown), allowed=", ".join(self.names))
        missing = [c for c in self.required if c not in present]
        if missing:
            raise MissingColumns(columns=", ".join(missing))


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


def megabytes(size: int) -> str:
    return f"{size / 1_048_576:.3g}"


def check_size(size: int, limit: int) -> None:
    if size > limit:
        raise FileTooLarge(size_mb=megabytes(size), limit_mb=megabytes(limit))


def sniff_encoding(head: bytes) -> str:
    """UTF-8 (with or without BOM), else GB18030 (a superset of GBK) as Chinese Excel and
    call platforms write text exports."""
    nul = head.find(b"\x00")
    if nul >= 0:  # binary data (or UTF-16), never a text export
        raise BadEncoding(position=nul)
    try:
        # The sniffed piece may end inside a character: decode it incrementally.
        codecs.getincrementaldecoder("utf-8-sig")().decode(head, final=False)
        return "utf-8-sig"
    except UnicodeDecodeError:
        pass
    try:
        codecs.getincrementaldecoder("gb18030")().decode(head, final=False)
    except UnicodeDecodeError as exc:
        raise BadEncoding(position=exc.start) from None
    return "gb18030"


class Progress:
    """How far a reader has got: bytes of a text file, or rows of a sheet."""

    def __init__(self, total: int | None) -> None:
        self.done = 0
        self.total = total


def _text_lines(path: Path, progress: Progress) -> Iterator[str]:
    """The file's lines, decoded one by one, counting the bytes read (no byte of a line
    break occurs inside a UTF-8 or GB18030 character, so line-wise decoding is exact)."""
    with path.open("rb") as handle:
        encoding = sniff_encoding(handle.read(_SNIFF_BYTES))
        handle.seek(0)
        for number, raw in enumerate(handle, start=1):
            progress.done += len(raw)
            yield _decoded(raw, encoding, number, progress)


def _decoded(raw: bytes, encoding: str, number: int, progress: Progress) -> str:
    """Line ``number`` as text (``progress.done`` counts the bytes up to its end)."""
    try:
        line = raw.decode(encoding)
    except UnicodeDecodeError as exc:
        raise BadEncoding(position=f"{progress.done - len(raw) + exc.start} "
                                   f"(line {number})") from None
    if number == 1 and line.startswith("\ufeff"):
        line = line[1:]
    return line


def cell_value(value: Any) -> Any:
    """Spreadsheet cells as the text a CSV export would hold (dates stay dates)."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return value


def _row_from_cells(number: int, headers: list[str], cells: list[Any]) -> RawRow | None:
    values: dict[str, Any] = {}
    formulas: list[str] = []
    for header, cell in zip(headers, cells, strict=False):
        if not header:
            continue
        value = cell_value(cell)
        if isinstance(value, str) and FORMULA.match(value):
            formulas.append(header)
        values[header] = value
    if all(v is None or (isinstance(v, str) and not v.strip()) for v in values.values()):
        return None  # blank line in a sheet
    return RawRow(number, values, formulas)


def read_csv(path: Path, columns: Columns, progress: Progress) -> Iterator[RawRow]:
    if csv.field_size_limit() < _CSV_FIELD_LIMIT:
        csv.field_size_limit(_CSV_FIELD_LIMIT)
    lines = _text_lines(path, progress)
    header_line = next(lines, "")
    if not header_line.strip():
        raise EmptyFile()
    delimiter = "\t" if header_line.count("\t") > header_line.count(",") else ","
    headers = [columns.canonical(h) for h in
               next(csv.reader([header_line], delimiter=delimiter))]
    columns.check_headers(headers)
    reader = csv.reader(lines, delimiter=delimiter)
    number = 1
    try:
        for cells in reader:
            number = reader.line_num + 1  # the header was line 1
            row = _row_from_cells(number, headers, cells)
            if row is not None:
                yield row
    except csv.Error as exc:
        raise ImportFileError(detail=f"line {reader.line_num + 1}: {exc}") from None


def read_jsonl(path: Path, columns: Columns, progress: Progress,
               loads: Callable[[str], Any] = json.loads, *,
               binary_loads: bool = False) -> Iterator[RawRow]:
    """The objects of a JSON Lines file; a line that is not one is a ``broken`` row.

    ``binary_loads``: ``loads`` also takes UTF-8 bytes (orjson does), so the lines of a
    UTF-8 file are parsed as read, without decoding them first (a tenth of the reading
    time of a call export). A line that does not parse that way into an object (blank,
    broken, not UTF-8, behind a byte-order mark) takes the text path below, so the rows,
    broken lines and encoding errors are the same either way."""
    if binary_loads:
        yield from _read_jsonl_binary(path, columns, progress, loads)
        return
    for number, line in enumerate(_text_lines(path, progress), start=1):
        row = _jsonl_row(number, line, columns, loads)
        if row is not None:
            yield row


def _jsonl_row(number: int, line: str, columns: Columns, loads: Callable[[str], Any]
               ) -> RawRow | None:
    if not line or line.isspace():  # as "not line.strip()", without copying the line
        return None
    try:
        obj = loads(line)
    except ValueError:
        return RawRow(number, {}, broken=line.strip()[:200])
    if not isinstance(obj, dict):
        return RawRow(number, {}, broken=line.strip()[:200])
    canonical = columns.canonical
    return RawRow(number, {canonical(k): v for k, v in obj.items()})


def _read_jsonl_binary(path: Path, columns: Columns, progress: Progress,
                       loads: Callable[[Any], Any]) -> Iterator[RawRow]:
    canonical = columns.canonical
    with path.open("rb") as handle:
        encoding = sniff_encoding(handle.read(_SNIFF_BYTES))
        handle.seek(0)
        utf8 = encoding == "utf-8-sig"
        for number, raw in enumerate(handle, start=1):
            progress.done += len(raw)
            if utf8:
                try:
                    obj = loads(raw)
                except ValueError:
                    pass
                else:
                    if isinstance(obj, dict):
                        yield RawRow(number, {canonical(k): v for k, v in obj.items()})
                        continue
            row = _jsonl_row(number, _decoded(raw, encoding, number, progress), columns,
                             loads)
            if row is not None:
                yield row


def check_unpacked_size(path: Path) -> None:
    """Refuse zip bombs: an .xlsx is a zip whose parts may unpack to far more than it weighs."""
    try:
        with zipfile.ZipFile(path) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError):
        raise NotASpreadsheet() from None
    if unpacked > MAX_UNPACKED_XLSX:
        raise FileTooLarge(size_mb=megabytes(unpacked), limit_mb=megabytes(MAX_UNPACKED_XLSX))


def read_xlsx(path: Path, columns: Columns, progress: Progress) -> Iterator[RawRow]:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    check_unpacked_size(path)
    try:
        workbook = load_workbook(path, read_only=True, data_only=False)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError):
        raise NotASpreadsheet() from None
    try:
        sheet = workbook.worksheets[0]
        progress.total = sheet.max_row  # from the sheet's stated dimension, if any
        rows = sheet.iter_rows(values_only=True)
        try:
            header_cells = next(rows)
        except StopIteration:
            raise EmptyFile() from None
        headers = [columns.canonical(h) for h in header_cells]
        columns.check_headers(headers)
        for number, cells in enumerate(rows, start=2):
            progress.done = number
            row = _row_from_cells(number, headers, list(cells))
            if row is not None:
                yield row
    except ImportFileError:
        raise
    except Exception:  # a damaged workbook fails in many ways deep inside openpyxl
        raise NotASpreadsheet() from None
    finally:
        workbook.close()


class RowStream:
    """The rows of a file one by one, with how far reading has got (``progress``); refuses
    more than ``max_rows`` rows with a clear message."""

    def __init__(self, path: Path, fmt: FileFormat, columns: Columns, *,
                 max_rows: int | None = None, loads: Callable[[str], Any] = json.loads,
                 binary_loads: bool = False) -> None:
        self.path = path
        self.format = fmt
        self.columns = columns
        self.max_rows = max_rows
        self.loads = loads
        self.binary_loads = binary_loads  # loads takes UTF-8 bytes too (read_jsonl)
        text = fmt is not FileFormat.XLSX
        self.progress = Progress(path.stat().st_size if text else None)

    def __iter__(self) -> Iterator[RawRow]:
        if self.format is FileFormat.JSONL:
            rows = read_jsonl(self.path, self.columns, self.progress, self.loads,
                              binary_loads=self.binary_loads)
        elif self.format is FileFormat.CSV:
            rows = read_csv(self.path, self.columns, self.progress)
        else:
            rows = read_xlsx(self.path, self.columns, self.progress)
        count = 0
        for row in rows:
            count += 1
            if self.max_rows is not None and count > self.max_rows:
                raise TooManyRows(limit=self.max_rows)
            yield row
        if count == 0:
            raise EmptyFile()


def text_of(value: Any) -> str:
    """A cell as text: dates in ISO form, None as empty."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


__all__ = [
    "FORMULA",
    "BadEncoding",
    "Columns",
    "EmptyFile",
    "FileFormat",
    "FileTooLarge",
    "ImportFileError",
    "MissingColumns",
    "NotASpreadsheet",
    "RawRow",
    "RowStream",
    "TooManyRows",
    "UnknownColumns",
    "UnknownFormat",
    "check_size",
    "detect_format",
    "text_of",
]


def template_file(headers: tuple[str, ...], example: Mapping[str, str], fmt: FileFormat
                  ) -> bytes:
    """An import template: the header row and one example row, as CSV (UTF-8 with BOM, so
    Chinese Excel opens it) or xlsx; the importers read both back without a change."""
    row = [example.get(name, "") for name in headers]
    if fmt is FileFormat.XLSX:
        from openpyxl import Workbook

        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet("template")
        sheet.append(list(headers))
        sheet.append(row)
        buffer = io.BytesIO()
        workbook.save(buffer)
        return buffer.getvalue()
    if fmt is not FileFormat.CSV:
        raise UnknownFormat(name=fmt.value)
    text = io.StringIO(newline="")
    writer = csv.writer(text)
    writer.writerow(headers)
    writer.writerow(row)
    return text.getvalue().encode("utf-8-sig")
