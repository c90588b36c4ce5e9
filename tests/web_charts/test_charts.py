"""Chart specs as HTML-safe JSON, the figure macro, and the xlsx download of a chart's table."""

from __future__ import annotations

import json
import math
import re
from io import BytesIO
from urllib.parse import unquote

import pytest
from fastapi import FastAPI, Response
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from seci.web.charts import Chart, Table, format_cell, script_json
from seci.web.exports import ascii_filename, content_disposition, sheet_title, xlsx_response
from seci.web.templating import templates

BREAKOUT = "</script><script>alert(1)</script><!--"
LABELS = {"chart": "图表", "table": "表格", "download": "下载 Excel"}


def pareto(label: str = "话费争议", **overrides: object) -> Chart:
    fields: dict[str, object] = {
        "id": "complaints",
        "kind": "pareto",
        "title": "投诉原因帕累托图",
        "spec": {"categories": [label, "宽带故障"], "counts": [412, 198],
                 "cumulative_share": [412 / 610, 1.0], "urls": ["/a?x=1&y=2", None],
                 "y_name": "投诉量", "legend": {"counts": "投诉量", "cumulative": "累计占比"}},
        "table": Table(headers=["投诉原因", "投诉量", "累计占比"],
                       rows=[[label, 412, 412 / 610], ["宽带故障", 198, 1.0]],
                       formats=[None, "integer", "percent"], links=["/a?x=1&y=2", None]),
        "export_url": "/analytics/complaints.xlsx",
    }
    return Chart(**(fields | overrides))  # type: ignore[arg-type]


def render(source: str, **context: object) -> str:
    return templates().env.from_string(source).render(**context)


def figure(chart: Chart) -> str:
    return render('{% from "_charts.html" import chart_figure %}'
                  "{{ chart_figure(chart, labels) }}", chart=chart, labels=LABELS)


def data_script(html: str, chart_id: str) -> str:
    match = re.search(rf'<script type="application/json" id="{chart_id}-data">(.*?)</script>',
                      html, flags=re.S)
    assert match, html
    return match.group(1)


# ---- JSON inside the page ------------------------------------------------------------------

def test_a_label_cannot_end_the_data_script() -> None:
    chart = pareto(label=BREAKOUT + " & \u2028")
    html = figure(chart)
    text = data_script(html, "complaints")
    assert "<" not in text and ">" not in text and "&" not in text
    assert "\u2028" not in text
    assert "\\u003c/script\\u003e" in text
    assert json.loads(text) == chart.spec  # the browser's JSON.parse gets the label back
    # The label ends nowhere but in escaped form: one data script, no second script opens.
    assert html.count("<script") == 1
    assert "<script>alert(1)" not in html


def test_script_json_turns_non_finite_numbers_into_null() -> None:
    text = str(script_json({"values": [0.5, math.nan, math.inf, None], "n": 3}))
    assert json.loads(text) == {"values": [0.5, None, None, None], "n": 3}


def test_json_keeps_chinese_readable() -> None:
    assert str(script_json({"y_name": "首次解决率"})) == '{"y_name":"首次解决率"}'


# ---- the figure macro ------------------------------------------------------------------

def test_figure_holds_the_data_script_the_table_and_the_download() -> None:
    html = figure(pareto())
    assert '<figure class="chart chart-pareto chart-h-normal" id="complaints"' in html
    assert 'data-chart="pareto"' in html
    assert '<span class="chart-title" id="complaints-title">投诉原因帕累托图</span>' in html
    assert 'role="img" aria-label="投诉原因帕累托图" hidden' in html
    assert '<caption class="chart-table-caption">投诉原因帕累托图</caption>' in html
    # The table: headers, formatted numbers, the drill-down as a link on the row's first cell.
    assert '<th scope="col">投诉原因</th><th scope="col" class="num">投诉量</th>' in html
    assert '<th scope="row"><a href="/a?x=1&amp;y=2">话费争议</a></th>' in html
    assert '<td class="num">67.5%</td>' in html
    assert '<th scope="row">宽带故障</th><td class="num">198</td>' in html
    # The switch is hidden until charts.js runs; its labels come from the page.
    assert '<span class="chart-views" role="group" hidden>' in html
    assert ">图表</button>" in html and ">表格</button>" in html
    assert '<a class="chart-export" href="/analytics/complaints.xlsx" download>下载 Excel</a>' \
        in html
    assert data_script(html, "complaints")


def test_figure_markup_suits_the_content_security_policy() -> None:
    html = figure(pareto())
    assert "style=" not in html
    scripts = re.findall(r"<script[^>]*>", html)
    assert scripts == ['<script type="application/json" id="complaints-data">']
    assert not re.search(r"\son\w+=", html)  # no inline event handlers


def test_figure_escapes_titles_and_cells() -> None:
    html = figure(pareto(label="<b>话费</b>", title="<i>投诉</i>"))
    assert "<b>" not in html and "<i>" not in html
    assert "&lt;b&gt;话费&lt;/b&gt;" in html


def test_figure_without_download_has_no_link() -> None:
    assert "chart-export" not in figure(pareto(export_url=None))


def test_chart_assets_load_local_files_deferred() -> None:
    html = render('{% from "_charts.html" import chart_assets %}{{ chart_assets() }}')
    assert '<link rel="stylesheet" href="/static/charts.css">' in html
    assert '<script src="/static/vendor/echarts/echarts.min.js" defer></script>' in html
    assert '<script src="/static/charts.js" defer></script>' in html
    assert "//" not in html.replace("/static/", "")  # nothing from another host


def test_charts_reject_unknown_kinds_and_odd_ids() -> None:
    with pytest.raises(ValueError, match="kind"):
        pareto(kind="pie")
    with pytest.raises(ValueError, match="DOM id"):
        pareto(id="a b")


def test_table_rows_must_match_the_headers() -> None:
    with pytest.raises(ValueError, match="row 1"):
        Table(headers=["a", "b"], rows=[[1, 2], [3]])
    with pytest.raises(ValueError, match="formats"):
        Table(headers=["a"], rows=[[1]], formats=["money"])  # type: ignore[list-item]


@pytest.mark.parametrize(("value", "column_format", "text"), [
    (None, "percent", "—"),
    (math.nan, None, "—"),
    (0.8234, "percent", "82.3%"),
    (48210, None, "48,210"),
    (48210.4, "integer", "48,210"),
    (3.14159, "decimal", "3.14"),
    (1234.5, None, "1,234.5"),
    (0.0213, None, "0.0213"),
    ("话费争议", "integer", "话费争议"),
])
def test_cells_read_as_the_column_says(value: float | str | None, column_format: str | None,
                                       text: str) -> None:
    assert format_cell(value, column_format) == text  # type: ignore[arg-type]


# ---- the xlsx download -----------------------------------------------------------------

NASTY = ["=cmd|' /C calc'!A0", "  =cmd", "+86 10086", "-2+3", "@SUM(A1:A2)", "\tx", "\r=y",
         "\u3000=HYPERLINK(\"http://x\")"]


def export_table() -> Table:
    rows: list[list[str | int | float | None]] = [
        ["话费争议", 412, 0.675, 3.25],
        ["宽带故障", 198, 1.0, None],
        *([text, 0, math.nan, -1.5] for text in NASTY),
        ["普通文本", -7, 0.0, 2],
    ]
    return Table(headers=["投诉原因", "投诉量", "累计占比", "平均处理时长（分）"], rows=rows,
                 formats=[None, "integer", "percent", None])


def download(table: Table, filename: str, sheet: str) -> Response:
    app = FastAPI()

    @app.get("/export")
    def export() -> Response:
        return xlsx_response(table, filename, sheet)

    with TestClient(app) as client:
        response = client.get("/export")
    assert response.status_code == 200
    return response  # type: ignore[return-value]


def test_xlsx_round_trip() -> None:
    response = download(export_table(), "投诉原因-2026-11.xlsx", "投诉原因（11月）")
    assert response.headers["content-type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    workbook = load_workbook(BytesIO(response.content))
    sheet = workbook["投诉原因（11月）"]
    rows = list(sheet.iter_rows())
    assert [c.value for c in rows[0]] == ["投诉原因", "投诉量", "累计占比", "平均处理时长（分）"]
    assert all(c.font.b for c in rows[0])
    assert [c.value for c in rows[1]] == ["话费争议", 412, 0.675, 3.25]
    assert [c.value for c in rows[2]] == ["宽带故障", 198, 1, None]
    # Numbers stay numbers, with the column's format.
    count, share = rows[1][1], rows[1][2]
    assert count.data_type == "n" and count.number_format == "#,##0"
    assert share.data_type == "n" and share.number_format == "0.0%"
    assert rows[-1][1].value == -7 and rows[-1][1].data_type == "n"
    assert sheet.freeze_panes == "A2"


def test_xlsx_neutralises_formulas() -> None:
    response = download(export_table(), "x.xlsx", "Sheet")
    sheet = load_workbook(BytesIO(response.content)).active
    texts = [row[0] for row in sheet.iter_rows(min_row=4, max_row=3 + len(NASTY))]
    # (XML reads a stored carriage return back as a line feed.)
    assert [cell.value for cell in texts] == ["'" + text.replace("\r", "\n") for text in NASTY]
    for cell in texts:
        assert cell.data_type == "s", cell.value
    assert sheet["A4"].value == "'=cmd|' /C calc'!A0"
    assert sheet["A5"].value == "'  =cmd"  # a formula start after leading spaces, too
    # Ordinary text and NaN: untouched text, an empty cell.
    assert sheet[f"A{4 + len(NASTY)}"].value == "普通文本"
    assert sheet["C4"].value is None


def test_xlsx_strips_characters_xml_cannot_hold() -> None:
    table = Table(headers=["坐席\x00"], rows=[["王\x07芳"]])
    sheet = load_workbook(BytesIO(download(table, "a.xlsx", "s").content)).active
    assert [sheet["A1"].value, sheet["A2"].value] == ["坐席", "王芳"]


def test_download_names_the_file_in_chinese_with_an_ascii_fallback() -> None:
    response = download(export_table(), "投诉原因-2026-11.xlsx", "s")
    header = response.headers["content-disposition"]
    assert header.startswith('attachment; filename="2026-11.xlsx"; filename*=UTF-8\'\'')
    encoded = header.split("filename*=UTF-8''", 1)[1]
    assert re.fullmatch(r"[A-Za-z0-9%._~-]+", encoded)
    assert unquote(encoded) == "投诉原因-2026-11.xlsx"
    assert response.headers["cache-control"] == "no-store"


@pytest.mark.parametrize(("filename", "fallback", "real"), [
    ("质检.xlsx", "export.xlsx", "质检.xlsx"),
    ("首次解决率 2026", "2026.xlsx", "首次解决率 2026.xlsx"),
    ('../a"b\\c\r\n.xlsx', "a_b_c.xlsx", "_a_b_c__.xlsx"),
    ("Café report.XLSX", "Cafe_report.XLSX", "Café report.XLSX"),
])
def test_content_disposition(filename: str, fallback: str, real: str) -> None:
    header = content_disposition(filename)
    header.encode("latin-1")  # what HTTP headers may carry
    assert f'filename="{fallback}"' in header
    assert unquote(header.split("filename*=UTF-8''", 1)[1]) == real


def test_ascii_filename_never_empty() -> None:
    assert ascii_filename("报表") == "export"
    assert ascii_filename("...") == "export"


def test_sheet_titles_follow_excel_rules() -> None:
    assert sheet_title("投诉[11/2026]: 原因?*") == "投诉_11_2026__ 原因__"
    assert len(sheet_title("长" * 40)) == 31
    assert sheet_title("''") == "Sheet1"
