"""The statistics behind the call dashboards: control charts of a KPI over time, funnel
plots that compare agents or teams fairly, heat maps, and the stability of each agent's
week-to-week performance. Each reads slice counts (``kpis.slice_counts``) and hands them
to the named functions of ``seci.stats``.

Which chart for which KPI (Montgomery): a rate with a varying number of calls per period
is a p-chart; complaints per 100 calls a u-chart; a mean (satisfaction, handling time) an
X̄-S chart of the period's calls; any KPI may also be charted as individuals (I-MR) when
each period is to be read as one value.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from seci.accounts.models import User
from seci.calls.errors import BadSlice, NotEnoughCalls
from seci.calls.kpis import (
    KPIS,
    RATE_KPIS,
    TIME_SLICES,
    CallCounts,
    Figure,
    Period,
    SliceRow,
    slice_counts,
)
from seci.stats.control import (
    ControlChart,
    individuals_moving_range_chart,
    p_chart,
    u_chart,
    xbar_s_chart,
)
from seci.stats.descriptive import DispersionRatio, dispersion_ratio, sample_from_sums
from seci.stats.funnel import (
    FunnelLimits,
    FunnelPoint,
    funnel_sizes,
    mean_funnel,
    mean_funnel_curve,
    proportion_funnel,
    proportion_funnel_curve,
)
from seci.stats.rules import NELSON, WESTERN_ELECTRIC
from seci.stats.summaries import Proportion, Sample

CHART_KPIS = (*KPIS, "complaints_per_100")
RULE_SETS = {"western_electric": WESTERN_ELECTRIC, "nelson": NELSON}
UNITS = ("agent", "team", "queue", "region", "product", "stage")
HEAT_ROWS = ("region", "team", "product", "queue")


def rate_parts(kpi: str, c: CallCounts) -> tuple[int, int]:
    """(successes, n) of a rate KPI: what its p-chart and funnel count."""
    return {
        "fcr": (c.fcr, c.n),
        "satisfaction_top2": (c.satisfied, c.rated),
        "complaint_rate": (c.complaints, c.n),
        "repeat_complaint_rate": (c.repeat_complaints, c.complaints),
        "repeat_7d_rate": (c.repeats, c.n),
        "over_long_share": (c.over_long, c.with_threshold),
    }[kpi]


def mean_sample(kpi: str, c: CallCounts) -> Sample | None:
    """The calls' values of a mean KPI as a sample summary (x̄, s, n)."""
    if kpi == "satisfaction_mean":
        return sample_from_sums(c.rated, c.satisfaction_sum, c.satisfaction_squares)
    return sample_from_sums(c.n, c.duration_sum, c.duration_squares)


def check_kpi(kpi: str) -> None:
    if kpi not in CHART_KPIS:
        raise BadSlice(value=kpi, allowed=", ".join(CHART_KPIS))


@dataclass(frozen=True)
class KpiControlChart:
    kpi: str
    grain: str  # day, week or month
    periods: list[date]
    counts: list[CallCounts]
    chart: ControlChart
    moving_range: ControlChart | None  # with the I-MR chart
    spread: ControlChart | None  # the S chart with X̄-S

    @property
    def signals(self) -> dict[int, list[str]]:
        """Point index → the rules it breaks."""
        found: dict[int, list[str]] = defaultdict(list)
        for rule, indexes in self.chart.violations.items():
            for index in indexes:
                found[index].append(rule)
        return dict(found)


def _complete_periods(rows: Sequence[SliceRow], grain: str) -> tuple[list[date], list[CallCounts]]:
    periods = [row.keys[grain] for row in rows]
    return periods, [row.counts for row in rows]


def _baseline_mask(periods: Sequence[date], baseline: Period | None) -> list[bool] | None:
    if baseline is None or (baseline.start is None and baseline.end is None):
        return None
    mask = [(baseline.start is None or p >= baseline.start)
            and (baseline.end is None or p <= baseline.end) for p in periods]
    if not any(mask):
        raise NotEnoughCalls(n=0, need=1)
    return mask


def kpi_control_chart(session: Session, *, actor: User, kpi: str, grain: str = "week",
                      period: Period = Period(), filters: dict[str, str] | None = None,
                      baseline: Period | None = None, rules: str = "western_electric",
                      individuals: bool = False, min_periods: int = 3) -> KpiControlChart:
    """A KPI per day/week/month with limits from the baseline periods and the special
    causes the chosen rules flag."""
    check_kpi(kpi)
    if grain not in TIME_SLICES:
        raise BadSlice(value=grain, allowed=", ".join(TIME_SLICES))
    if rules not in RULE_SETS:
        raise BadSlice(value=rules, allowed=", ".join(RULE_SETS))
    rows = slice_counts(session, actor=actor, by=[grain], period=period, filters=filters)
    if len(rows) < min_periods:
        raise NotEnoughCalls(n=len(rows), need=min_periods)
    periods, counts = _complete_periods(rows, grain)
    mask = _baseline_mask(periods, baseline)
    rule_codes = RULE_SETS[rules]
    if individuals:
        values = [_value(kpi, c) for c in counts]
        imr = individuals_moving_range_chart(values, baseline=mask, rules=rule_codes)
        return KpiControlChart(kpi, grain, periods, counts, imr.individuals,
                               imr.moving_range, None)
    if kpi in RATE_KPIS:
        parts = [rate_parts(kpi, c) for c in counts]
        chart = p_chart([s for s, _ in parts], [n for _, n in parts], baseline=mask,
                        rules=rule_codes)
        return KpiControlChart(kpi, grain, periods, counts, chart, None, None)
    if kpi == "complaints_per_100":
        chart = u_chart([c.complaints for c in counts], [c.n / 100 for c in counts],
                        baseline=mask, rules=rule_codes)
        return KpiControlChart(kpi, grain, periods, counts, chart, None, None)
    samples = [mean_sample(kpi, c) or Sample(0.0, 0.0, 0) for c in counts]
    pair = xbar_s_chart(samples, baseline=mask, rules=rule_codes)
    return KpiControlChart(kpi, grain, periods, counts, pair.xbar, None, pair.s)


def _value(kpi: str, c: CallCounts) -> float | None:
    if kpi == "complaints_per_100":
        return 100 * c.complaints / c.n if c.n else None
    return KPIS[kpi](c).value


@dataclass(frozen=True)
class Funnel:
    kpi: str
    unit: str
    target: float
    points: list[FunnelPoint]
    counts: dict[str, CallCounts]
    curve: list[FunnelLimits]


def kpi_funnel(session: Session, *, actor: User, kpi: str, unit: str = "agent",
               period: Period = Period(), filters: dict[str, str] | None = None,
               min_calls: int = 1) -> Funnel:
    """Agents (or teams …) on a funnel plot: each unit's KPI against limits that widen as
    its number of calls shrinks (Spiegelhalter 2005), instead of a league table."""
    check_kpi(kpi)
    if kpi == "complaints_per_100":
        kpi = "complaint_rate"
    if unit not in UNITS:
        raise BadSlice(value=unit, allowed=", ".join(UNITS))
    rows = slice_counts(session, actor=actor, by=[unit], period=period, filters=filters)
    counts = {str(row.keys[unit]): row.counts for row in rows
              if row.keys[unit] is not None and row.counts.n >= min_calls}
    if len(counts) < 2:
        raise NotEnoughCalls(n=len(counts), need=2)
    if kpi in RATE_KPIS:
        units = {name: Proportion(*rate_parts(kpi, c)) for name, c in counts.items()
                 if rate_parts(kpi, c)[1] > 0}
        points = proportion_funnel(units)
        target = sum(p.successes for p in units.values()) / sum(p.n for p in units.values())
        curve = proportion_funnel_curve(target, funnel_sizes(max(p.n for p in units.values())))
    else:
        samples = {name: s for name, c in counts.items() if (s := mean_sample(kpi, c))}
        if len(samples) < 2:
            raise NotEnoughCalls(n=len(samples), need=2)
        points = mean_funnel(samples)
        total = sum(s.n for s in samples.values())
        target = sum(s.mean * s.n for s in samples.values()) / total
        pooled = (sum((s.n - 1) * s.sd ** 2 for s in samples.values())
                  / max(sum(s.n - 1 for s in samples.values()), 1)) ** 0.5
        curve = mean_funnel_curve(target, pooled,
                                  funnel_sizes(max(s.n for s in samples.values())))
    return Funnel(kpi, unit, target, points, counts, curve)


@dataclass(frozen=True)
class HeatMap:
    kpi: str
    x: str
    y: str
    columns: list[Any]
    rows: list[str]
    cells: dict[tuple[Any, str], Figure]


def kpi_heatmap(session: Session, *, actor: User, kpi: str, x: str = "week",
                y: str = "region", period: Period = Period(),
                filters: dict[str, str] | None = None) -> HeatMap:
    """A KPI for every (period, region) cell — or team, product, queue."""
    check_kpi(kpi)
    if x not in TIME_SLICES:
        raise BadSlice(value=x, allowed=", ".join(TIME_SLICES))
    if y not in HEAT_ROWS:
        raise BadSlice(value=y, allowed=", ".join(HEAT_ROWS))
    rows = slice_counts(session, actor=actor, by=[x, y], period=period, filters=filters)
    if not rows:
        raise NotEnoughCalls(n=0, need=1)
    columns = sorted({row.keys[x] for row in rows})
    names = sorted({str(row.keys[y]) for row in rows})
    cells = {(row.keys[x], str(row.keys[y])): _figure(kpi, row.counts) for row in rows}
    return HeatMap(kpi, x, y, columns, names, cells)


def _figure(kpi: str, c: CallCounts) -> Figure:
    if kpi == "complaints_per_100":
        figure = KPIS["complaint_rate"](c)
        scale = 100.0
        return Figure(None if figure.value is None else figure.value * scale, figure.n,
                      None if figure.low is None else figure.low * scale,
                      None if figure.high is None else figure.high * scale)
    return KPIS[kpi](c)


@dataclass(frozen=True)
class AgentStability:
    agent_id: str
    weeks: int
    calls: int
    fcr: float | None
    weekly_sd: float | None  # standard deviation of the weekly FCR
    dispersion: DispersionRatio | None  # against binomial chance


def performance_stability(session: Session, *, actor: User, period: Period = Period(),
                          filters: dict[str, str] | None = None, min_calls: int = 10,
                          min_weeks: int = 4) -> list[AgentStability]:
    """绩效稳定性: each agent's week-to-week variation of first-contact resolution.

    weekly_sd = the standard deviation of the agent's weekly FCR (weeks with at least
    ``min_calls`` calls); dispersion = their variance ÷ what binomial chance gives at those
    volumes, with Pearson's heterogeneity χ² p-value (``stats.dispersion_ratio``): about 1
    is as steady as chance allows, clearly above 1 is unstable. Least stable first.
    """
    rows = slice_counts(session, actor=actor, by=["agent", "week"], period=period,
                        filters=filters)
    weekly: dict[str, list[CallCounts]] = defaultdict(list)
    for row in rows:
        if row.counts.n >= min_calls:
            weekly[str(row.keys["agent"])].append(row.counts)
    result = []
    for agent, weeks in weekly.items():
        if len(weeks) < min_weeks:
            continue
        rates = [w.fcr / w.n for w in weeks]
        mean = sum(rates) / len(rates)
        sd = (sum((r - mean) ** 2 for r in rates) / (len(rates) - 1)) ** 0.5
        total = CallCounts()
        for w in weeks:
            total = total + w
        result.append(AgentStability(
            agent, len(weeks), total.n, total.fcr / total.n if total.n else None, sd,
            dispersion_ratio([Proportion(w.fcr, w.n) for w in weeks])))
    return sorted(result, key=lambda a: -(a.dispersion.ratio if a.dispersion else 0.0))
