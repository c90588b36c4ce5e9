"""Every chart kind drawn by the real macros and charts.js, under SECI's Content-Security-Policy.

A small app of its own (no database): SECI's header middleware, /static from the package,
one dashboard page with a chart of every kind (realistic hotline numbers), drill-down pages
and the xlsx download. Screenshots go to /tmp/charts-*.png for a look at the Chinese labels.
"""

from __future__ import annotations

import math
import random
import re
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from fastapi import FastAPI, Request, Response
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from playwright.sync_api import Browser, ConsoleMessage, Page, expect

from seci.web.charts import Chart, Table
from seci.web.exports import xlsx_response
from seci.web.middleware import LocaleAndHeaders
from seci.web.templating import templates
from tests.browser.conftest import STARTUP_SECONDS, VIEWPORT, _free_socket, _ThreadedServer

pytestmark = pytest.mark.browser

STATIC_DIR = Path(__file__).resolve().parents[2] / "src" / "seci" / "web" / "static"
SHOTS = Path("/tmp")
LABELS = {"chart": "图表", "table": "表格", "download": "下载 Excel"}
# The page passes its gettext'ed labels in; here they are what zh_CN shows.
PAGE = """{% extends "base.html" %}
{% from "_charts.html" import chart_figure, chart_assets %}
{% block title %}话务分析{% endblock %}
{% block scripts %}{{ chart_assets() }}{% endblock %}
{% block content %}
<h1>话务分析</h1>
{{ chart_figure(charts.control, labels) }}
<div class="chart-grid">
{{ chart_figure(charts.funnel, labels) }}
{{ chart_figure(charts.pareto, labels) }}
</div>
{{ chart_figure(charts.heatmap, labels) }}
{{ chart_figure(charts.line, labels) }}
<div class="chart-grid">
{{ chart_figure(charts.bar, labels) }}
{{ chart_figure(charts.scatter, labels) }}
{{ chart_figure(charts.radar, labels) }}
</div>
{% endblock %}
"""
KINDS = ["control", "funnel", "pareto", "heatmap", "line", "bar", "scatter", "radar"]
CSP_WATCH = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__cspViolations.push(e.violatedDirective + " " + e.blockedURI + " " + e.sample);
});
"""


# ---- the numbers: a hotline's month, made up but plausible --------------------------------

def control_chart() -> Chart:
    """p chart of first-contact resolution per week; limits from the first 12 weeks."""
    rng = random.Random(7)
    weeks = [f"{m:02d}-{d:02d}" for m, d in
             [(7, 6), (7, 13), (7, 20), (7, 27), (8, 3), (8, 10), (8, 17), (8, 24), (8, 31),
              (9, 7), (9, 14), (9, 21), (9, 28), (10, 5), (10, 12), (10, 19), (10, 26),
              (11, 2), (11, 9), (11, 16)]]
    calls = [rng.randint(1700, 2600) for _ in weeks]
    calls[13] = 1150  # the National Day week: fewer calls, wider limits
    rates = [0.823 + rng.gauss(0, 0.006) for _ in weeks]
    rates[15] = 0.781  # billing-system outage
    resolved = [round(n * p) for n, p in zip(calls, rates, strict=True)]
    values = [r / n for r, n in zip(resolved, calls, strict=True)]
    centre = sum(resolved[:12]) / sum(calls[:12])
    sigma = [math.sqrt(centre * (1 - centre) / n) for n in calls]
    ucl = [centre + 3 * s for s in sigma]
    lcl = [centre - 3 * s for s in sigma]
    signals = [{"index": 15, "rules": ["we1"], "label": "判异准则 1：超出控制下限"}]
    drill = [f"/drill/control/{i}" for i in range(len(weeks))]
    drill[0] = None  # type: ignore[call-overload]
    table = Table(headers=["周（起始日）", "来电量", "首次解决", "首次解决率", "控制上限",
                           "中心线", "控制下限"],
                  rows=[[weeks[i], calls[i], resolved[i], values[i], ucl[i], centre, lcl[i]]
                        for i in range(len(weeks))],
                  formats=[None, "integer", "integer", "percent", "percent", "percent",
                           "percent"],
                  links=list(drill))
    return Chart(id="fcr-control", kind="control", title="首次解决率控制图（p 图，按周）",
                 spec={"x": weeks, "values": values, "cl": [centre] * len(weeks), "ucl": ucl,
                       "lcl": lcl, "signals": signals, "percent": True,
                       "y_name": "首次解决率", "drill": drill, "baseline": [0, 11],
                       "legend": {"value": "首次解决率", "cl": "中心线", "ucl": "控制上限",
                                  "lcl": "控制下限", "signal": "判异点",
                                  "baseline": "基线期"}},
                 table=table, export_url="/export/fcr-control")


AGENTS = ["王芳", "李娜", "张伟", "刘洋", "陈静", "杨帆", "赵磊", "黄敏", "周杰", "吴婷",
          "徐强", "孙丽", "马超", "朱琳", "胡斌", "郭晓"]


def funnel_chart() -> Chart:
    """Complaint rate per agent against calls handled, with 95 % and 99.8 % limits."""
    rng = random.Random(11)
    target = 0.021
    calls = [rng.randint(180, 1450) for _ in AGENTS]
    rates = [max(0.0, target + rng.gauss(0, 0.004)) for _ in AGENTS]
    rates[3], rates[9], rates[12] = 0.052, 0.006, 0.041
    complaints = [round(n * p) for n, p in zip(calls, rates, strict=True)]
    z95, z998 = 1.959964, 3.090232
    points = []
    for name, n, k in zip(AGENTS, calls, complaints, strict=True):
        spread = math.sqrt(target * (1 - target) / n)
        value = k / n
        status = ("above" if value > target + z998 * spread else
                  "below" if value < target - z998 * spread else "within")
        points.append({"label": name, "n": n, "value": value, "status": status,
                       "url": f"/drill/funnel/{name}"})
    grid = list(range(100, 1525, 25))

    def limit(z: float) -> list[float]:
        return [target + z * math.sqrt(target * (1 - target) / n) for n in grid]

    curve = {"n": grid, "upper95": limit(z95), "lower95": [max(0.0, v) for v in limit(-z95)],
             "upper998": limit(z998), "lower998": [max(0.0, v) for v in limit(-z998)]}
    status_text = {"above": "高于上限", "within": "控制限内", "below": "低于下限"}
    table = Table(headers=["坐席", "通话量", "投诉量", "投诉率", "判定"],
                  rows=[[p["label"], p["n"], k, p["value"], status_text[str(p["status"])]]
                        for p, k in zip(points, complaints, strict=True)],
                  formats=[None, "integer", "integer", "percent", None])
    return Chart(id="complaint-funnel", kind="funnel", title="坐席投诉率漏斗图",
                 spec={"points": points, "target": target, "curve": curve, "percent": True,
                       "x_name": "通话量（通）", "y_name": "投诉率",
                       "legend": {"above": "高于 99.8% 上限", "within": "控制限内",
                                  "below": "低于 99.8% 下限", "target": "目标值 2.1%",
                                  "limit95": "95% 控制限", "limit998": "99.8% 控制限"}},
                 table=table, export_url="/export/complaint-funnel")


def pareto_chart() -> Chart:
    reasons = [("话费争议", 412), ("网络信号差", 287), ("宽带故障", 198), ("套餐变更", 121),
               ("服务态度", 86), ("国际漫游", 54), ("携号转网", 31), ("其他", 43)]
    total = sum(count for _, count in reasons)
    shares, running = [], 0
    for _, count in reasons:
        running += count
        shares.append(running / total)
    urls = [f"/drill/pareto/{i}" for i in range(len(reasons))]
    table = Table(headers=["投诉原因", "投诉量", "累计占比"],
                  rows=[[name, count, share] for (name, count), share
                        in zip(reasons, shares, strict=True)],
                  formats=[None, "integer", "percent"], links=urls)
    return Chart(id="complaint-pareto", kind="pareto", title="投诉原因帕累托图（11 月）",
                 spec={"categories": [name for name, _ in reasons],
                       "counts": [count for _, count in reasons], "cumulative_share": shares,
                       "urls": urls, "y_name": "投诉量（件）",
                       "legend": {"counts": "投诉量", "cumulative": "累计占比"}},
                 table=table, export_url="/export/complaint-pareto")


WEEKDAYS = ["周一", "周二", "周三", "周四", "周五", "周六", "周日"]
HOURS = [f"{h:02d}:00" for h in range(8, 22)]


def heatmap_chart() -> Chart:
    rng = random.Random(3)
    cells: list[list[Any]] = []
    for yi, _day in enumerate(WEEKDAYS):
        for xi, _hour in enumerate(HOURS):
            load = 0.09 if xi in (1, 2, 3) else 0.06 if xi in (6, 7) else 0.02
            weekend = 0.03 if yi >= 5 else 0.0
            value: float | None = min(0.99, 0.95 - load + weekend + rng.gauss(0, 0.012))
            if yi == 6 and xi == len(HOURS) - 1:
                value = None  # Sunday evenings the hotline closes at 21:00
            cells.append([xi, yi, value, f"/drill/heatmap/{yi}/{xi}"])
    table = Table(headers=["时段", *WEEKDAYS],
                  rows=[[hour] + [cells[yi * len(HOURS) + xi][2] for yi in range(7)]
                        for xi, hour in enumerate(HOURS)],
                  formats=[None] + ["percent"] * 7)
    return Chart(id="answer-heatmap", kind="heatmap", title="接通率热力图（星期 × 时段）",
                 spec={"x": HOURS, "y": WEEKDAYS, "cells": cells, "percent": True,
                       "legend": {"value": "接通率"}},
                 table=table, height="tall")


def line_chart() -> Chart:
    rng = random.Random(5)
    days = [f"11-{d:02d}" for d in range(1, 31)]
    queues = {"移动业务": 312, "宽带业务": 405, "国际业务": 478}
    series = [{"name": name, "values": [round(base + rng.gauss(0, 14) + 18 * (d % 7 == 0))
                                        for d in range(30)]}
              for name, base in queues.items()]
    table = Table(headers=["日期", *queues],
                  rows=[[day] + [s["values"][i] for s in series] for i, day in enumerate(days)],
                  formats=[None, "integer", "integer", "integer"])
    return Chart(id="aht-line", kind="line", title="平均处理时长（按队列，11 月）",
                 spec={"x": days, "series": series, "percent": False, "y_name": "秒"},
                 table=table)


def bar_chart() -> Chart:
    queues = ["移动业务", "宽带业务", "国际业务", "政企专线", "投诉专席"]
    this_month, last_month = [48210, 21344, 6420, 3915, 2870], [45102, 23080, 5911, 4020, 3312]
    table = Table(headers=["队列", "本月", "上月"],
                  rows=[[q, a, b] for q, a, b in zip(queues, this_month, last_month,
                                                     strict=True)],
                  formats=[None, "integer", "integer"])
    return Chart(id="volume-bar", kind="bar", title="各队列来电量",
                 spec={"x": queues, "series": [{"name": "本月", "values": this_month},
                                               {"name": "上月", "values": last_month}],
                       "percent": False, "y_name": "来电量（通）"},
                 table=table, export_url="/export/volume-bar")


def scatter_chart() -> Chart:
    rng = random.Random(9)
    hours = [rng.uniform(4, 40) for _ in AGENTS]
    scores = [min(99.0, 71 + 0.55 * h + rng.gauss(0, 3.2)) for h in hours]
    labels = list(AGENTS)
    labels[3] = "刘洋 <新人>"  # markup-like text must show as text
    mean_x, mean_y = sum(hours) / len(hours), sum(scores) / len(scores)
    slope = (sum((x - mean_x) * (y - mean_y) for x, y in zip(hours, scores, strict=True))
             / sum((x - mean_x) ** 2 for x in hours))
    fit = [[4.0, mean_y + slope * (4 - mean_x)], [40.0, mean_y + slope * (40 - mean_x)]]
    points = [{"x": round(x, 1), "y": round(y, 1), "label": label,
               "url": f"/drill/scatter/{i}"}
              for i, (x, y, label) in enumerate(zip(hours, scores, labels, strict=True))]
    table = Table(headers=["坐席", "培训时长（小时）", "质检得分"],
                  rows=[[p["label"], p["x"], p["y"]] for p in points],
                  formats=[None, "decimal", "decimal"])
    return Chart(id="training-scatter", kind="scatter", title="培训时长与质检得分",
                 spec={"points": points, "x_name": "培训时长（小时）", "y_name": "质检得分",
                       "fit": fit}, table=table)


def radar_chart() -> Chart:
    indicators = ["开场与身份核实", "业务准确性", "沟通表达", "情绪安抚", "合规话术", "结束语"]
    series = [{"name": "王芳", "values": [92, 88, 95, 90, 84, 97]},
              {"name": "团队平均", "values": [86, 83, 85, 79, 88, 90]}]
    table = Table(headers=["质检维度", "王芳", "团队平均"],
                  rows=[[name, series[0]["values"][i], series[1]["values"][i]]
                        for i, name in enumerate(indicators)])
    return Chart(id="quality-radar", kind="radar", title="质检维度得分",
                 spec={"indicators": [{"name": name, "max": 100} for name in indicators],
                       "series": series}, table=table)


def sparse_charts() -> list[Chart]:
    """Edge cases a page can hand over: gaps, no limits, no signals, nothing at all."""
    empty = Table(headers=["项目"], rows=[])
    return [
        Chart(id="gaps", kind="control", title="缺数据的周", table=empty,
              spec={"x": ["W1", "W2", "W3", "W4"], "values": [0.8, None, 0.82, None],
                    "cl": [0.81] * 4, "ucl": [0.9, None, 0.88, None],
                    "lcl": [None, None, 0.74, None], "signals": [], "percent": True,
                    "y_name": "首次解决率", "drill": [None] * 4, "baseline": None,
                    "legend": {"value": "首次解决率", "cl": "中心线", "ucl": "控制上限",
                               "lcl": "控制下限"}}),
        Chart(id="no-curve", kind="funnel", title="无控制限", table=empty,
              spec={"points": [{"label": "一组", "n": 10, "value": 0.5, "status": "within",
                                "url": None}],
                    "target": None, "curve": {"n": [], "lower95": [], "upper95": [],
                                              "lower998": [], "upper998": []},
                    "percent": True, "x_name": "通话量", "y_name": "投诉率", "legend": {}}),
        Chart(id="no-reasons", kind="pareto", title="本月无投诉", table=empty,
              spec={"categories": [], "counts": [], "cumulative_share": [], "urls": [],
                    "y_name": "投诉量", "legend": {"counts": "投诉量", "cumulative": "累计占比"}}),
        Chart(id="no-cells", kind="heatmap", title="无数据", table=empty,
              spec={"x": ["周一"], "y": ["08:00"], "cells": [], "percent": False,
                    "legend": {"value": "来电量"}}),
        Chart(id="no-series", kind="line", title="无序列", table=empty,
              spec={"x": [], "series": [], "percent": False, "y_name": "秒"}),
        Chart(id="all-null", kind="bar", title="全部为空", table=empty,
              spec={"x": ["A", "B"], "series": [{"name": "本月", "values": [None, None]}],
                    "percent": True, "y_name": "占比"}),
        Chart(id="no-points", kind="scatter", title="无散点", table=empty,
              spec={"points": [], "x_name": "培训时长", "y_name": "质检得分"}),
        Chart(id="one-radar", kind="radar", title="单一序列", table=empty,
              spec={"indicators": [{"name": "沟通", "max": 100}, {"name": "合规", "max": 100},
                                   {"name": "准确", "max": 100}],
                    "series": [{"name": "王芳", "values": [90, None, 70]}]}),
    ]


def all_charts() -> dict[str, Chart]:
    return {"control": control_chart(), "funnel": funnel_chart(), "pareto": pareto_chart(),
            "heatmap": heatmap_chart(), "line": line_chart(), "bar": bar_chart(),
            "scatter": scatter_chart(), "radar": radar_chart()}


# ---- the app and its server ------------------------------------------------------------

def chart_app() -> FastAPI:
    app = FastAPI()
    app.add_middleware(LocaleAndHeaders)  # SECI's CSP and friends, as create_app installs them
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    charts = all_charts()
    page = templates().env.from_string(PAGE)

    @app.get("/charts", response_class=HTMLResponse)
    def dashboard(request: Request) -> HTMLResponse:
        return HTMLResponse(page.render(charts=charts, labels=LABELS, user=None,
                                        locale="zh_CN", path="/charts", flash=None,
                                        csrf_token=""))

    sparse = templates().env.from_string(
        '{% extends "base.html" %}{% from "_charts.html" import chart_figure, chart_assets %}'
        "{% block scripts %}{{ chart_assets() }}{% endblock %}{% block content %}"
        "{% for chart in charts %}{{ chart_figure(chart, labels) }}{% endfor %}{% endblock %}")

    @app.get("/sparse", response_class=HTMLResponse)
    def sparse_page() -> HTMLResponse:
        return HTMLResponse(sparse.render(charts=sparse_charts(), labels=LABELS, user=None,
                                          locale="zh_CN", path="/sparse", flash=None))

    @app.get("/favicon.ico")
    def favicon() -> Response:
        return Response(status_code=204)

    @app.get("/drill/{rest:path}", response_class=HTMLResponse)
    def drill(rest: str) -> HTMLResponse:
        return HTMLResponse("<!doctype html><title>drill</title><h1>明细</h1>")

    @app.get("/export/{chart_id}")
    def export(chart_id: str) -> Response:
        chart = next(c for c in charts.values() if c.id == chart_id)
        return xlsx_response(chart.table, f"{chart.title}.xlsx", chart.title)

    return app


@dataclass
class ChartServer:
    url: str
    charts: dict[str, Chart]


@pytest.fixture(scope="module")
def chart_server() -> Iterator[ChartServer]:
    sock = _free_socket()
    port = sock.getsockname()[1]
    config = uvicorn.Config(chart_app(), host="127.0.0.1", port=port, log_level="warning",
                            lifespan="off", ws="none", access_log=False)
    server = _ThreadedServer(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]},
                              name="chart-test-server", daemon=True)
    thread.start()
    try:
        for _ in range(int(STARTUP_SECONDS / 0.05)):
            if server.started:
                break
            threading.Event().wait(0.05)
        assert server.started, "the chart test server did not start"
        yield ChartServer(f"http://127.0.0.1:{port}", all_charts())
    finally:
        server.should_exit = True
        thread.join(timeout=STARTUP_SECONDS)
        sock.close()


@dataclass
class Watched:
    page: Page
    console: list[str]

    def violations(self) -> list[str]:
        return list(self.page.evaluate("window.__cspViolations || []"))

    def assert_clean(self) -> None:
        assert self.console == [], self.console
        assert self.violations() == []


@pytest.fixture
def open_page(browser: Browser, chart_server: ChartServer) -> Iterator[Callable[..., Watched]]:
    """Open a page of the chart app in a fresh zh-CN context, recording console errors and
    warnings, page errors and CSP violations (the listener runs before any page script)."""
    contexts = []

    def open_(path: str = "/charts", **options: Any) -> Watched:
        context = browser.new_context(base_url=chart_server.url, viewport=VIEWPORT,
                                      locale="zh-CN", timezone_id="Asia/Shanghai", **options)
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        messages: list[str] = []

        def remember(message: ConsoleMessage) -> None:
            if message.type in {"error", "warning"}:
                messages.append(f"{message.type}: {message.text}")

        page.on("console", remember)
        page.on("pageerror", lambda error: messages.append(f"pageerror: {error}"))
        page.add_init_script(CSP_WATCH)
        page.goto(path)
        return Watched(page, messages)

    yield open_
    for context in contexts:
        context.close()


def drawn(page: Page, kind: str) -> None:
    """Wait until the chart of ``kind`` has painted (ECharts' 'finished' after animation)."""
    figure = page.locator(f"figure.chart-{kind}")
    expect(figure.locator(".chart-canvas canvas").first).to_be_visible()
    expect(figure).to_have_attribute("data-drawn", "true")


def painted_pixels(page: Page, kind: str) -> int:
    """How many pixels of the chart's canvases (ECharts may draw on several layers) are not
    transparent."""
    return int(page.locator(f"figure.chart-{kind} .chart-canvas").evaluate(
        """(holder) => {
             let painted = 0;
             for (const canvas of holder.querySelectorAll('canvas')) {
               const data = canvas.getContext('2d').getImageData(0, 0, canvas.width,
                                                                   canvas.height).data;
               for (let i = 3; i < data.length; i += 4) { if (data[i] > 0) { painted++; } }
             }
             return painted;
           }"""))


def pixel(page: Page, kind: str, finder: dict[str, int], value: list[Any]) -> tuple[float, float]:
    """Page coordinates of a data value, computed by the chart itself (convertToPixel)."""
    holder = page.locator(f"figure.chart-{kind} .chart-canvas")
    x, y = holder.evaluate(
        "(el, [finder, value]) => echarts.getInstanceByDom(el).convertToPixel(finder, value)",
        [finder, value])
    box = holder.bounding_box()
    assert box is not None
    return box["x"] + x, box["y"] + y


def radar_pixel(page: Page, series_values: list[float], indicator: int) -> tuple[float, float]:
    holder = page.locator("figure.chart-radar .chart-canvas")
    x, y = holder.evaluate(
        """(el, [value, index]) => echarts.getInstanceByDom(el).getModel()
             .getComponent('radar').coordinateSystem.dataToPoint(value, index)""",
        [series_values[indicator], indicator])
    box = holder.bounding_box()
    assert box is not None
    return box["x"] + x, box["y"] + y


# ---- the tests ---------------------------------------------------------------------------

def test_every_kind_draws_under_the_csp(open_page: Callable[..., Watched]) -> None:
    watched = open_page()
    page = watched.page
    for kind in KINDS:
        drawn(page, kind)
        assert painted_pixels(page, kind) > 5_000, kind
        figure = page.locator(f"figure.chart-{kind}")
        canvas = figure.locator(".chart-canvas")
        expect(canvas).to_have_attribute("role", "img")
        expect(canvas).to_have_attribute("aria-label", figure.locator(".chart-title")
                                         .inner_text())
        expect(figure.locator("figcaption")).to_be_visible()
        # Chart view: the table leaves the screen but stays for screen readers.
        expect(figure.get_by_role("table")).to_be_attached()
        assert figure.locator(".chart-table").bounding_box() is not None
        figure.screenshot(path=SHOTS / f"charts-{kind}.png")
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=SHOTS / "charts-page.png", full_page=True)
    watched.assert_clean()


def test_charts_follow_the_window_size(open_page: Callable[..., Watched]) -> None:
    watched = open_page()
    page = watched.page
    drawn(page, "control")
    holder = page.locator("figure.chart-control .chart-canvas")
    canvas = holder.locator("canvas").first

    def widths() -> tuple[float, float]:
        return (holder.evaluate("el => el.clientWidth"),
                canvas.evaluate("el => el.getBoundingClientRect().width"))

    before = widths()
    assert before[0] == pytest.approx(before[1], abs=1)
    page.set_viewport_size({"width": 1100, "height": 768})
    page.wait_for_function(
        "([el, old]) => el.querySelector('canvas').getBoundingClientRect().width < old - 100",
        arg=[holder.element_handle(), before[1]])
    after = widths()
    assert after[0] == pytest.approx(after[1], abs=1)
    watched.assert_clean()


def test_the_csp_listener_sees_violations(open_page: Callable[..., Watched]) -> None:
    """The check above could pass by seeing nothing: an inline style attribute is reported."""
    watched = open_page()
    watched.page.evaluate(
        "document.body.insertAdjacentHTML('beforeend', '<p style=\"color: red\">x</p>')")
    watched.page.wait_for_function("window.__cspViolations.length > 0")
    assert "style-src" in watched.violations()[0]


HOVERS: dict[str, tuple[Any, ...]] = {
    # kind: (how to find the point, texts the tooltip shows)
    "control": ("series", 0, 15, ("10-19", "判异准则 1：超出控制下限", "78.")),
    "funnel": ("funnel", "刘洋", ("刘洋", "高于 99.8% 上限", "投诉率")),
    "pareto": ("series", 0, 0, ("话费争议", "412", "33.4%")),
    "heatmap": ("heatmap", 2, 1, ("周二 · 10:00", "接通率")),
    "line": ("series", 0, 9, ("11-10", "移动业务", "国际业务")),
    "bar": ("series", 0, 1, ("宽带业务", "21,344", "23,080")),
    "scatter": ("scatter", 3, ("刘洋 <新人>", "质检得分")),
    "radar": ("radar", 0, ("王芳", "情绪安抚", "90")),
}


def hover_point(page: Page, charts: dict[str, Chart], kind: str) -> tuple[float, float]:
    how = HOVERS[kind]
    spec = charts[kind].spec
    if how[0] == "series":
        series, index = how[1], how[2]
        values = spec.get("values") or spec.get("counts") or spec["series"][series]["values"]
        value = values[index]
        if kind in {"pareto", "bar"}:
            value = value / 2  # the middle of the bar
        return pixel(page, kind, {"seriesIndex": series}, [index, value])
    if how[0] == "funnel":
        point = next(p for p in spec["points"] if p["label"] == how[1])
        series = 5 + ["above", "within", "below"].index(point["status"])
        return pixel(page, kind, {"seriesIndex": series}, [point["n"], point["value"]])
    if how[0] == "heatmap":
        return pixel(page, kind, {"seriesIndex": 0}, [how[1], how[2]])
    if how[0] == "scatter":
        point = spec["points"][how[1]]
        return pixel(page, kind, {"seriesIndex": 0}, [point["x"], point["y"]])
    return radar_pixel(page, spec["series"][how[1]]["values"], 3)


@pytest.mark.parametrize("kind", KINDS)
def test_tooltip_shows_the_point(open_page: Callable[..., Watched], chart_server: ChartServer,
                                 kind: str) -> None:
    watched = open_page()
    page = watched.page
    drawn(page, kind)
    figure = page.locator(f"figure.chart-{kind}")
    figure.scroll_into_view_if_needed()
    x, y = hover_point(page, chart_server.charts, kind)
    page.mouse.move(x - 30, y - 30)
    page.mouse.move(x, y, steps=4)
    tip = figure.locator(".chart-tooltip")
    expect(tip).to_be_visible()
    for text in HOVERS[kind][-1]:
        expect(tip).to_contain_text(text)
    page.wait_for_timeout(450)  # the tooltip's slide-in transition, for the screenshot
    figure.screenshot(path=SHOTS / f"charts-{kind}-tooltip.png")
    watched.assert_clean()


def test_table_view_by_mouse_and_keyboard(open_page: Callable[..., Watched]) -> None:
    watched = open_page()
    page = watched.page
    for kind in KINDS:
        drawn(page, kind)
        figure = page.locator(f"figure.chart-{kind}")
        table_button = figure.get_by_role("button", name="表格")
        chart_button = figure.get_by_role("button", name="图表")
        expect(chart_button).to_have_attribute("aria-pressed", "true")
        table_button.click()
        expect(figure.locator(".chart-table")).to_be_visible()
        expect(figure.locator(".chart-canvas")).to_be_hidden()
        expect(table_button).to_have_attribute("aria-pressed", "true")
        expect(figure.locator("tbody tr").first).to_be_visible()
        if kind == "control":
            figure.screenshot(path=SHOTS / "charts-control-table.png")
        # Back to the chart from the keyboard.
        chart_button.focus()
        page.keyboard.press("Enter")
        expect(figure.locator(".chart-canvas")).to_be_visible()
        expect(chart_button).to_have_attribute("aria-pressed", "true")
        assert painted_pixels(page, kind) > 5_000
    # Tab reaches the switch: it is an ordinary button in the page's order.
    page.locator("h1").click()
    for _ in range(6):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.dataset.view === 'table'"):
            break
    page.keyboard.press("Enter")
    expect(page.locator("figure.chart-control .chart-table")).to_be_visible()
    watched.assert_clean()


def test_clicks_open_the_drill_down(open_page: Callable[..., Watched],
                                    chart_server: ChartServer) -> None:
    charts = chart_server.charts
    cases = [
        ("control", lambda page: pixel(page, "control", {"seriesIndex": 0},
                                       [15, charts["control"].spec["values"][15]]),
         "/drill/control/15"),
        ("pareto", lambda page: pixel(page, "pareto", {"seriesIndex": 0},
                                      [1, charts["pareto"].spec["counts"][1] / 2]),
         "/drill/pareto/1"),
        ("funnel", lambda page: hover_point(page, charts, "funnel"), "/drill/funnel/"),
        ("heatmap", lambda page: hover_point(page, charts, "heatmap"), "/drill/heatmap/1/2"),
    ]
    for kind, where, url in cases:
        watched = open_page()
        page = watched.page
        drawn(page, kind)
        page.locator(f"figure.chart-{kind}").scroll_into_view_if_needed()
        x, y = where(page)
        with page.expect_navigation():
            page.mouse.click(x, y)
        assert url in page.url, (kind, page.url)
    # A point without a drill-down (the first week) stays on the page.
    watched = open_page()
    page = watched.page
    drawn(page, "control")
    x, y = pixel(page, "control", {"seriesIndex": 0}, [0, charts["control"].spec["values"][0]])
    page.mouse.click(x, y)
    page.wait_for_timeout(300)
    assert page.url.endswith("/charts")
    watched.assert_clean()


def test_table_links_reach_the_drill_down_from_the_keyboard(
        open_page: Callable[..., Watched]) -> None:
    page = open_page().page
    figure = page.locator("figure.chart-pareto")
    figure.get_by_role("button", name="表格").focus()
    page.keyboard.press("Enter")
    link = figure.get_by_role("link", name="宽带故障")
    expect(link).to_be_visible()
    link.focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/drill/pareto/2$"))


def test_download_has_the_chinese_file_name(open_page: Callable[..., Watched]) -> None:
    page = open_page().page
    with page.expect_download() as download:
        page.locator("figure.chart-pareto").get_by_role("link", name="下载 Excel").click()
    assert download.value.suggested_filename == "投诉原因帕累托图（11 月）.xlsx"


def test_without_javascript_the_tables_show(open_page: Callable[..., Watched]) -> None:
    page = open_page(java_script_enabled=False).page
    for kind in KINDS:
        figure = page.locator(f"figure.chart-{kind}")
        expect(figure.locator(".chart-table table")).to_be_visible()
        expect(figure.locator(".chart-canvas")).to_be_hidden()
        expect(figure.locator(".chart-views")).to_be_hidden()
    page.screenshot(path=SHOTS / "charts-nojs.png", full_page=True)


def test_print_shows_the_charts_without_controls(open_page: Callable[..., Watched]) -> None:
    watched = open_page()
    page = watched.page
    for kind in KINDS:
        drawn(page, kind)
    page.locator("figure.chart-heatmap").get_by_role("button", name="表格").click()
    page.emulate_media(media="print")
    for kind in KINDS:
        figure = page.locator(f"figure.chart-{kind}")
        expect(figure.locator(".chart-actions")).to_be_hidden()
        if kind == "heatmap":  # printed as it is on screen: the table
            expect(figure.locator(".chart-table")).to_be_visible()
            expect(figure.locator(".chart-canvas")).to_be_hidden()
        else:
            expect(figure.locator(".chart-canvas canvas").first).to_be_visible()
            expect(figure.locator(".chart-table")).to_be_hidden()
    page.screenshot(path=SHOTS / "charts-print.png", full_page=True)
    # Printing (beforeprint) puts a sharp picture of each chart shown as a chart in its figure.
    page.pdf(path=SHOTS / "charts-print.pdf", format="A4", print_background=True)
    images = page.locator("img.chart-print-image")
    expect(images).to_have_count(len(KINDS) - 1)
    assert images.first.evaluate("img => img.naturalWidth") == 1600  # 800 px, twice the pixels
    expect(page.locator("figure.chart-control .chart-print-image")).to_be_visible()
    expect(page.locator("figure.chart-control .chart-canvas")).to_be_hidden()
    watched.assert_clean()


def test_sparse_and_empty_specs_draw_without_errors(open_page: Callable[..., Watched]) -> None:
    watched = open_page("/sparse")
    page = watched.page
    for chart in sparse_charts():
        figure = page.locator(f"#{chart.id}")
        expect(figure).to_have_attribute("data-drawn", "true")
        expect(figure.locator(".chart-canvas canvas").first).to_be_visible()
    page.screenshot(path=SHOTS / "charts-sparse.png", full_page=True)
    watched.assert_clean()
