"""Downloads of a chart's table as an Excel workbook (xlsx).

Handlers are plain ``def`` routes, so FastAPI runs the workbook's writing in a worker thread,
off the event loop; tables behind charts are small (hundreds of rows).
"""

from __future__ import annotations

import math
import re
import unicodedata
from io import BytesIO
from typing import Final, Literal
from urllib.parse import quote

from fastapi import Response
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from seci.core.tabular import FileFormat, template_file
from seci.web.charts import Cell, ColumnFormat, Table

XLSX_MEDIA_TYPE: Final = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
NUMBER_FORMATS: Final[dict[ColumnFormat, str]] = {
    "integer": "#,##0", "decimal": "#,##0.00", "percent": "0.0%"}
# A spreadsheet reads these first characters as a formula (or, for tab and CR, as a cell
# separator that a CSV re-import turns into one): OWASP "CSV injection".
_FORMULA_START: Final = ("=", "+", "-", "@", "\t", "\r")
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
_FILENAME_FORBIDDEN = re.compile(r'[\x00-\x1f\x7f/\\"]')
_MAX_COLUMN_WIDTH: Final = 60
# An import template is offered as a workbook or as CSV (JSONL users read the docs).
TemplateFormat = Literal[FileFormat.XLSX, FileFormat.CSV]


def xlsx_response(table: Table, filename: str, sheet: str) -> Response:
    """The table as an xlsx download named ``filename`` (Chinese allowed) with one sheet."""
    return Response(
        content=xlsx_bytes(table, sheet),
        media_type=XLSX_MEDIA_TYPE,
        headers={"Content-Disposition": content_disposition(filename),
                 "Cache-Control": "no-store"},
    )


def xlsx_bytes(table: Table, sheet: str) -> bytes:
    """Write the workbook in openpyxl's write-only (streaming) mode."""
    workbook = Workbook(write_only=True)
    worksheet = workbook.create_sheet(title=sheet_title(sheet))
    for index, width in enumerate(_column_widths(table), start=1):
        worksheet.column_dimensions[get_column_letter(index)].width = width
    worksheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header_row = []
    for header in table.headers:
        cell = WriteOnlyCell(worksheet, value=safe_text(header))
        cell.data_type = "s"
        cell.font = bold
        cell.alignment = Alignment(vertical="center")
        header_row.append(cell)
    worksheet.append(header_row)
    for row in table.rows:
        worksheet.append([_cell(worksheet, value, table.column_format(column))
                          for column, value in enumerate(row)])
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _cell(worksheet: object, value: Cell, column_format: ColumnFormat | None) -> WriteOnlyCell:
    if isinstance(value, str):
        cell = WriteOnlyCell(worksheet, value=safe_text(value))
        cell.data_type = "s"  # never a formula, whatever the text looks like
        return cell
    if isinstance(value, float) and not math.isfinite(value):
        value = None
    cell = WriteOnlyCell(worksheet, value=value)
    if column_format is not None and value is not None:
        cell.number_format = NUMBER_FORMATS[column_format]
    return cell


def safe_text(value: str) -> str:
    """Text a spreadsheet shows as text: formula starts (also after leading blanks) get an
    apostrophe in front; characters XML cannot hold are dropped."""
    value = ILLEGAL_CHARACTERS_RE.sub("", value)
    if value.startswith(_FORMULA_START) or value.lstrip().startswith(_FORMULA_START):
        return "'" + value
    return value


def sheet_title(name: str) -> str:
    """Excel's rules: at most 31 characters, none of []:*?/\\, not wrapped in apostrophes."""
    title = _SHEET_FORBIDDEN.sub("_", ILLEGAL_CHARACTERS_RE.sub("", name)).strip().strip("'")
    return title[:31] or "Sheet1"


def content_disposition(filename: str) -> str:
    """``attachment`` with an ASCII ``filename`` for old clients and the real (UTF-8) name
    in ``filename*`` (RFC 6266 / RFC 5987)."""
    name = _FILENAME_FORBIDDEN.sub("_", filename).strip().lstrip(".") or "export"
    if not name.lower().endswith(".xlsx"):
        name += ".xlsx"
    return (f'attachment; filename="{ascii_filename(name)}"; '
            f"filename*=UTF-8''{quote(name, safe='')}")


def ascii_filename(name: str) -> str:
    """``接通率-2026-11.xlsx`` → ``2026-11.xlsx``; ``质检.xlsx`` → ``export.xlsx``."""
    stem, dot, extension = name.rpartition(".")
    if not dot:
        stem, extension = name, ""
    ascii_stem = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode()
    ascii_stem = re.sub(r"[^A-Za-z0-9._-]+", "_", ascii_stem).strip("._-")
    ascii_extension = re.sub(r"[^A-Za-z0-9]", "", extension)
    return (ascii_stem or "export") + ("." + ascii_extension if ascii_extension else "")


def _column_widths(table: Table) -> list[float]:
    """Widths from the longest text per column; a Chinese character is two units wide."""
    widths: list[float] = []
    for column, header in enumerate(table.headers):
        texts = [header] + [table.text(column, row[column]) for row in table.rows]
        longest = max(_display_width(text) for text in texts)
        widths.append(min(max(longest + 2, 8), _MAX_COLUMN_WIDTH))
    return widths


def _display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def import_template_response(headers: tuple[str, ...], example: dict[str, str],
                             fmt: FileFormat, filename: str) -> Response:
    """An import file's template (header row and one example row) as a download."""
    media = XLSX_MEDIA_TYPE if fmt is FileFormat.XLSX else "text/csv; charset=utf-8"
    return Response(content=template_file(headers, example, fmt), media_type=media,
                    headers={"Content-Disposition": content_disposition(
                        f"{filename}.{fmt.value}")})
