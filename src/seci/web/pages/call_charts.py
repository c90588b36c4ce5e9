"""Turning the call statistics into charts for the pages: translated labels, a table for
every chart (its accessible and printable view, and its xlsx download), and a drill-down
URL for every point, bar and cell."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any
from urllib.parse import urlencode

from seci.calls.charts import Funnel, HeatMap, KpiControlChart, rate_parts
from seci.calls.kpis import RATE_KPIS, Period
from seci.core.i18n import gettext
from seci.core.messages import label
from seci.stats.pareto import ParetoRow
from seci.web.charts import Chart, ColumnFormat, Table

# What a drill-down from a KPI point lists: the calls that make the KPI what it is.
DRILL_CONDITIONS: dict[str, dict[str, str]] = {
    "fcr": {"fcr": "false"},
    "complaint_rate": {"complaint": "true"},
    "complaints_per_100": {"complaint": "true"},
    "repeat_complaint_rate": {"complaint": "true", "repeat_7d": "true"},
    "repeat_7d_rate": {"repeat_7d": "true"},
    "over_long_share": {"over_long": "true"},
}

UrlFor = Callable[[dict[str, Any]], str]


def list_url(params: dict[str, Any]) -> str:
    """The drill-down list of calls for these parameters."""
    query = [(k, v.isoformat() if isinstance(v, date) else str(v))
             for k, v in params.items() if v not in (None, "")]
    filters = query_filters(params.get("filters") or {})
    query = [(k, v) for k, v in query if k != "filters"] + filters
    return "/calls/list?" + urlencode(query)


def query_filters(filters: dict[str, str]) -> list[tuple[str, str]]:
    return [("filter", f"{name}={value}") for name, value in filters.items()]


def period_params(period: Period) -> dict[str, Any]:
    return {"from": period.start, "to": period.end}


def control_chart(result: KpiControlChart, *, chart_id: str, period: Period,
                  filters: dict[str, str], export_url: str | None) -> Chart:
    kpi, chart = result.kpi, result.chart
    percent = kpi in RATE_KPIS
    drill = [list_url({result.grain: p, "filters": filters, **DRILL_CONDITIONS.get(kpi, {})})
             for p in result.periods]
    baseline = [i for i, inside in enumerate(chart.baseline) if inside]
    signals = result.signals
    labels = [p.isoformat() for p in result.periods]
    spec = {
        "x": labels, "values": chart.values, "cl": chart.centers, "ucl": chart.upper,
        "lcl": chart.lower, "percent": percent, "y_name": label("kpi", kpi),
        "drill": drill,
        "baseline": [baseline[0], baseline[-1]] if baseline and len(baseline) < len(labels)
        else None,
        "signals": [{"index": i, "rules": rules,
                     "label": "；".join(label("spc_rule", r) for r in rules)}
                    for i, rules in sorted(signals.items())],
        "legend": {"value": label("kpi", kpi), "cl": gettext("Centre line"),
                   "ucl": gettext("Upper control limit"), "lcl": gettext("Lower control limit"),
                   "signal": gettext("Special cause"), "baseline": gettext("Baseline")},
    }
    rows: list[list[Any]] = []
    for i in range(len(result.periods)):
        n = rate_parts(kpi, result.counts[i])[1] if kpi in RATE_KPIS else result.counts[i].n
        rows.append([labels[i], n, chart.values[i], chart.lower[i], chart.centers[i],
                     chart.upper[i], "；".join(label("spc_rule", r) for r in signals.get(i, []))])
    value_format: ColumnFormat = "percent" if percent else "decimal"
    table = Table(
        headers=[label("grain", result.grain), gettext("n"), label("kpi", kpi),
                 gettext("Lower control limit"), gettext("Centre line"),
                 gettext("Upper control limit"), gettext("Special cause")],
        rows=rows, formats=[None, "integer", value_format, value_format, value_format,
                            value_format, None], links=list[str | None](drill))
    title = gettext("{kpi} by {grain} ({chart})", kpi=label("kpi", kpi),
                    grain=label("grain", result.grain), chart=label("spc_chart", chart.chart))
    return Chart(chart_id, "control", title, spec, table, export_url, height="tall")


def funnel_chart(funnel: Funnel, *, chart_id: str, period: Period, filters: dict[str, str],
                 names: dict[str, str], export_url: str | None) -> Chart:
    percent = funnel.kpi in RATE_KPIS
    urls = [list_url({**period_params(period), "filters": {**filters, funnel.unit: p.unit}})
            for p in funnel.points]
    points = [{"label": names.get(p.unit, p.unit), "n": p.n, "value": p.value,
               "status": p.position_95.value if p.position_95 else "within", "url": url}
              for p, url in zip(funnel.points, urls, strict=True) if p.value is not None]
    spec = {
        "points": points, "target": funnel.target,
        "curve": {"n": [c.n for c in funnel.curve],
                  "lower95": [c.lower_95 for c in funnel.curve],
                  "upper95": [c.upper_95 for c in funnel.curve],
                  "lower998": [c.lower_998 for c in funnel.curve],
                  "upper998": [c.upper_998 for c in funnel.curve]},
        "percent": percent, "x_name": gettext("Calls"), "y_name": label("kpi", funnel.kpi),
        "legend": {"above": label("funnel_position", "above"),
                   "within": label("funnel_position", "within"),
                   "below": label("funnel_position", "below"),
                   "target": gettext("Centre average"), "limit95": gettext("95% limits"),
                   "limit998": gettext("99.8% limits")},
    }
    fmt: ColumnFormat = "percent" if percent else "decimal"
    table = Table(
        headers=[_unit_header(funnel.unit),
                 gettext("Calls"), label("kpi", funnel.kpi), gettext("95% limits"),
                 gettext("99.8% limits"), gettext("Position (95%)")],
        rows=[[names.get(p.unit, p.unit), p.n, p.value,
               _range(p.limits.lower_95, p.limits.upper_95, percent) if p.limits else None,
               _range(p.limits.lower_998, p.limits.upper_998, percent) if p.limits else None,
               label("funnel_position", p.position_95.value) if p.position_95 else None]
              for p in funnel.points],
        formats=[None, "integer", fmt, None, None, None], links=list[str | None](urls))
    title = gettext("{kpi} per {unit}: funnel plot", kpi=label("kpi", funnel.kpi),
                    unit=_unit_header(funnel.unit))
    return Chart(chart_id, "funnel", title, spec, table, export_url, height="tall")


def _unit_header(unit: str) -> str:
    return {"agent": gettext("Agent"), "team": gettext("Team"), "queue": gettext("Queue"),
            "region": gettext("Region"), "product": gettext("Business topic"),
            "stage": gettext("Growth stage")}.get(unit, unit)


def _range(low: float, high: float, percent: bool) -> str:
    if percent:
        return f"{low * 100:.1f}% – {high * 100:.1f}%"
    return f"{low:.2f} – {high:.2f}"


def pareto_chart(rows: list[ParetoRow], *, chart_id: str, period: Period,
                 filters: dict[str, str], export_url: str | None) -> Chart:
    names = [r.category or gettext("(no category)") for r in rows]
    urls = [list_url({**period_params(period), "filters": filters,
                      "complaint_category": r.category or "-"}) for r in rows]
    spec = {"categories": names, "counts": [r.count for r in rows],
            "cumulative_share": [r.cumulative_share for r in rows], "urls": urls,
            "y_name": gettext("Complaints"),
            "legend": {"counts": gettext("Complaints"), "cumulative": gettext("Cumulative share")}}
    table = Table(
        headers=[gettext("Category"), gettext("Complaints"), gettext("Share"),
                 gettext("Cumulative share"), gettext("Vital few")],
        rows=[[n, r.count, r.share, r.cumulative_share, "✓" if r.vital_few else ""]
              for n, r in zip(names, rows, strict=True)],
        formats=[None, "integer", "percent", "percent", None], links=list[str | None](urls))
    return Chart(chart_id, "pareto", gettext("Complaints by category (Pareto, 80/20)"), spec,
                 table, export_url)


def heatmap_chart(heat: HeatMap, *, chart_id: str, filters: dict[str, str],
                  export_url: str | None) -> Chart:
    percent = heat.kpi in RATE_KPIS
    xs = [c.isoformat() if isinstance(c, date) else str(c) for c in heat.columns]
    cells = []
    for xi, column in enumerate(heat.columns):
        for yi, row in enumerate(heat.rows):
            figure = heat.cells.get((column, row))
            if figure is None:
                continue
            cells.append([xi, yi, figure.value, list_url(
                {heat.x: column, "filters": {**filters, heat.y: row},
                 **DRILL_CONDITIONS.get(heat.kpi, {})})])
    spec = {"x": xs, "y": heat.rows, "cells": cells, "percent": percent,
            "legend": {"value": label("kpi", heat.kpi)}}
    fmt: ColumnFormat = "percent" if percent else "decimal"
    table = Table(
        headers=[_unit_header(heat.y), *xs],
        rows=[[row, *[(heat.cells[(c, row)].value if (c, row) in heat.cells else None)
                      for c in heat.columns]] for row in heat.rows],
        formats=[None, *[fmt] * len(xs)])
    title = gettext("{kpi}: {rows} × {grain}", kpi=label("kpi", heat.kpi),
                    rows=_unit_header(heat.y), grain=label("grain", heat.x))
    return Chart(chart_id, "heatmap", title, spec, table, export_url, height="tall")
