"""Charts on server-rendered pages: what a page handler hands to the ``_charts.html`` macros.

A page builds a :class:`Chart` (translated title and labels, plain numbers) and renders it
with ``chart_figure(chart, labels)``. The browser draws it with ECharts (``static/charts.js``);
the :class:`Table` is rendered as HTML beside it, so the numbers are there without JavaScript,
for screen readers and in print, and the same table is what the xlsx download holds
(:func:`seci.web.exports.xlsx_response`).

The ``spec`` of each kind (labels translated by the server; numbers are plain floats;
``percent: true`` means shares 0–1 shown as %):

- ``control``: ``x``, ``values`` (float|None), ``cl``, ``ucl``/``lcl`` (float|None, one per
  point: limits vary with n), ``signals`` ([{index, rules, label}]), ``percent``, ``y_name``,
  ``drill`` (url|None per point), ``baseline`` ([start, end] indexes or None),
  ``legend`` {value, cl, ucl, lcl, signal?, baseline?}.
- ``funnel``: ``points`` ([{label, n, value, status: above|within|below, url}]), ``target``,
  ``curve`` {n, lower95, upper95, lower998, upper998}, ``percent``, ``x_name``, ``y_name``,
  ``legend`` {above, within, below, target, limit95, limit998}.
- ``pareto``: ``categories``, ``counts``, ``cumulative_share`` (0–1), ``urls``, ``y_name``,
  ``legend`` {counts, cumulative}; a dashed line marks 80 % on the share axis.
- ``heatmap``: ``x``, ``y``, ``cells`` ([[xi, yi, value|None, url|None]]), ``percent``,
  ``legend`` {value}.
- ``line`` / ``bar``: ``x``, ``series`` ([{name, values}]), ``percent``, ``y_name``.
- ``scatter``: ``points`` ([{x, y, label, url}]), ``x_name``, ``y_name``, optional ``fit``
  ([[x0, y0], [x1, y1]]).
- ``radar``: ``indicators`` ([{name, max}]), ``series`` ([{name, values}]).
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from typing import Any, Final, Literal

from markupsafe import Markup

KINDS: Final = frozenset({"control", "funnel", "pareto", "heatmap", "line", "bar", "scatter",
                          "radar"})
Cell = str | int | float | None
# How a table column shows its numbers (HTML and xlsx alike); None shows the value as is.
ColumnFormat = Literal["integer", "decimal", "percent"]
COLUMN_FORMATS: Final = frozenset({"integer", "decimal", "percent"})

_DOM_ID = re.compile(r"[A-Za-z][A-Za-z0-9_-]*")
# JSON inside <script>: no character may end the element, open a comment or an entity, and
# U+2028/U+2029 too, so the text is also valid JavaScript source.
_HTML_SAFE = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026",
                            "\u2028": "\\u2028", "\u2029": "\\u2029"})


@dataclass
class Table:
    """The chart's table view and its xlsx export: translated headers, raw values.

    ``formats`` (optional, one per column) says how numbers read: ``"integer"`` (1,234),
    ``"decimal"`` (two places) or ``"percent"`` (a share 0–1 shown as 82.5%). ``links``
    (optional, one per row) makes the row's first cell a link, the keyboard's way to the
    drill-down a click on the chart opens.
    """

    headers: list[str]
    rows: list[list[Cell]]
    formats: list[ColumnFormat | None] | None = None
    links: list[str | None] | None = None

    def __post_init__(self) -> None:
        width = len(self.headers)
        for number, row in enumerate(self.rows):
            if len(row) != width:
                raise ValueError(f"table row {number} has {len(row)} cells, expected {width}")
        if self.formats is not None:
            if len(self.formats) != width:
                raise ValueError("table formats need one entry per column")
            unknown = {f for f in self.formats if f is not None} - COLUMN_FORMATS
            if unknown:
                raise ValueError(f"unknown column formats: {sorted(unknown)}")
        if self.links is not None and len(self.links) != len(self.rows):
            raise ValueError("table links need one entry per row")

    def column_format(self, column: int) -> ColumnFormat | None:
        return self.formats[column] if self.formats else None

    def numeric_columns(self) -> list[bool]:
        """Which columns hold numbers (shown right-aligned, in tabular figures)."""
        return [self._numeric(column) for column in range(len(self.headers))]

    def _numeric(self, column: int) -> bool:
        if self.column_format(column) is not None:
            return True
        values = [row[column] for row in self.rows if row[column] is not None]
        return bool(values) and all(isinstance(v, int | float) and not isinstance(v, bool)
                                    for v in values)

    def text(self, column: int, value: Cell) -> str:
        """A cell as the HTML table shows it (the xlsx keeps the number)."""
        return format_cell(value, self.column_format(column))

    def link(self, row: int) -> str | None:
        return self.links[row] if self.links else None


@dataclass
class Chart:
    """One chart on a page; ``id`` is its DOM id (unique per page)."""

    id: str
    kind: str
    title: str
    spec: dict[str, Any]
    table: Table
    export_url: str | None = None
    # Canvas height in CSS pixels (charts.css has the classes); the width follows the page.
    height: Literal["short", "normal", "tall"] = field(default="normal")

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown chart kind {self.kind!r}")
        if not _DOM_ID.fullmatch(self.id):
            raise ValueError(f"chart id {self.id!r} is not a plain DOM id")

    def spec_json(self) -> Markup:
        """The spec as JSON that is safe inside ``<script type="application/json">``."""
        return script_json(self.spec)


def script_json(value: Any) -> Markup:
    """JSON for an HTML ``<script>`` element: ``<``, ``>``, ``&`` escaped as ``\\u003c``…

    NaN and infinities (a rate over zero calls) become null: JSON has no such numbers.
    """
    text = json.dumps(_finite(value), ensure_ascii=False, separators=(",", ":"),
                      allow_nan=False)
    return Markup(text.translate(_HTML_SAFE))  # noqa: S704 - nothing left to end the element


def _finite(value: Any) -> Any:
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {str(key): _finite(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(item) for item in value]
    return value


def format_cell(value: Cell, column_format: ColumnFormat | None = None) -> str:
    """``None`` → an em dash; numbers by the column's format; text as is."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "—"
    if isinstance(value, bool | str):
        return str(value)
    if column_format == "percent":
        return f"{value * 100:.1f}%"
    if column_format == "integer":
        return f"{round(value):,}"
    if column_format == "decimal":
        return f"{value:,.2f}"
    if isinstance(value, int):
        return f"{value:,}"
    return f"{value:,.4g}" if abs(value) < 1 else f"{value:,.2f}".rstrip("0").rstrip(".")
