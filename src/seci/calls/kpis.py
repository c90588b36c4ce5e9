"""The KPIs a hotline steers by, each a named function of a slice's counts, with its
formula, its n and a 95 % interval (Wilson for rates, t for means).

The database adds up each slice in one GROUP BY (``CallCounts``: sums and sums of squares,
so that means and standard deviations need no second pass); the functions below turn the
counts into figures. Slices are by day / week (Monday–Sunday in ``SECI_TIMEZONE``) / month,
team, queue, region, product (the topic the call was filed under), agent, channel and
stage (the agent's stage in the roster now).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Float, Integer, and_, case, cast, func, literal, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from seci.accounts.models import User
from seci.calls.access import call_scope, scope_clause
from seci.calls.errors import BadPeriod, BadSlice

__all__ = ["BadPeriod", "BadSlice"]
from seci.calls.models import CallRecord, TopicThreshold
from seci.roster.models import RosterAgent
from seci.stats.descriptive import sd_from_sums
from seci.stats.intervals import t_interval_mean, wilson_interval
from seci.stats.summaries import Interval

# Slice name → column; "agent"/"agent_id" and "topic"/"product" are the same slice.
SLICE_COLUMNS: dict[str, Any] = {
    "day": CallRecord.day,
    "week": CallRecord.week,
    "month": CallRecord.month,
    "team": CallRecord.team,
    "queue": CallRecord.queue,
    "region": CallRecord.region,
    "product": CallRecord.product,
    "topic": CallRecord.product,
    "agent": CallRecord.agent_id,
    "agent_id": CallRecord.agent_id,
    "channel": CallRecord.channel,
    "stage": RosterAgent.stage,
}
TIME_SLICES = ("day", "week", "month")
# Filters a slice may be narrowed by (same names as the slices, without time).
FILTERS = ("team", "queue", "region", "product", "topic", "agent", "agent_id", "channel",
           "stage")


@dataclass(frozen=True)
class CallCounts:
    """What the database adds up for one slice."""

    n: int = 0
    fcr: int = 0  # resolved at first contact
    rated: int = 0  # calls with a satisfaction score
    satisfaction_sum: float = 0.0
    satisfaction_squares: float = 0.0
    satisfied: int = 0  # score 4 or 5
    complaints: int = 0
    repeat_complaints: int = 0  # complaints whose customer called again within 7 days
    repeats: int = 0  # calls followed by another call within 7 days
    duration_sum: float = 0.0
    duration_squares: float = 0.0
    over_long: int = 0  # longer than the topic's threshold
    with_threshold: int = 0  # calls whose topic has a threshold

    def __add__(self, other: CallCounts) -> CallCounts:
        return CallCounts(*(a + b for a, b in zip(self._values(), other._values(),
                                                      strict=True)))

    def _values(self) -> tuple[Any, ...]:
        return (self.n, self.fcr, self.rated, self.satisfaction_sum,
                self.satisfaction_squares, self.satisfied, self.complaints,
                self.repeat_complaints, self.repeats, self.duration_sum,
                self.duration_squares, self.over_long, self.with_threshold)


@dataclass(frozen=True)
class Figure:
    """A KPI's value with its n and 95 % interval (None where there is no figure)."""

    value: float | None
    n: int
    low: float | None = None
    high: float | None = None

    @classmethod
    def of_rate(cls, successes: int, n: int) -> Figure:
        interval = wilson_interval(successes, n)
        return cls(successes / n if n else None, n, *_bounds(interval))

    @classmethod
    def of_mean(cls, n: int, total: float, squares: float) -> Figure:
        if n == 0:
            return cls(None, 0)
        mean = total / n
        sd = sd_from_sums(n, total, squares)
        interval = t_interval_mean(mean, sd, n) if sd is not None else None
        return cls(mean, n, *_bounds(interval))


def _bounds(interval: Interval | None) -> tuple[float | None, float | None]:
    return (interval.lower, interval.upper) if interval else (None, None)


# --- the KPIs ---------------------------------------------------------------------------

def first_contact_resolution(c: CallCounts) -> Figure:
    """一次解决率: calls resolved at first contact ÷ calls (Wilson interval)."""
    return Figure.of_rate(c.fcr, c.n)


def satisfaction_mean(c: CallCounts) -> Figure:
    """满意度均值: Σ score ÷ rated calls, over calls with a 1–5 rating (t interval)."""
    return Figure.of_mean(c.rated, c.satisfaction_sum, c.satisfaction_squares)


def satisfaction_top_box(c: CallCounts) -> Figure:
    """满意率: calls rated 4 or 5 ÷ rated calls (Wilson interval)."""
    return Figure.of_rate(c.satisfied, c.rated)


def complaint_rate(c: CallCounts) -> Figure:
    """投诉率: calls with a complaint ÷ calls (Wilson interval)."""
    return Figure.of_rate(c.complaints, c.n)


def repeat_complaint_rate(c: CallCounts) -> Figure:
    """重复投诉率: complaints whose customer called again within 7 days ÷ complaints."""
    return Figure.of_rate(c.repeat_complaints, c.complaints)


def repeat_call_rate(c: CallCounts) -> Figure:
    """7天重复来电率: calls followed by another call within 7 days ÷ calls."""
    return Figure.of_rate(c.repeats, c.n)


def average_handling_time(c: CallCounts) -> Figure:
    """平均处理时长 (AHT), seconds: Σ duration ÷ calls (t interval)."""
    return Figure.of_mean(c.n, c.duration_sum, c.duration_squares)


def over_long_share(c: CallCounts) -> Figure:
    """超长通话占比: calls longer than their topic's threshold (the topic's p95, or the
    threshold a manager set) ÷ calls whose topic has a threshold."""
    return Figure.of_rate(c.over_long, c.with_threshold)


KPIS = {
    "fcr": first_contact_resolution,
    "satisfaction_mean": satisfaction_mean,
    "satisfaction_top2": satisfaction_top_box,
    "complaint_rate": complaint_rate,
    "repeat_complaint_rate": repeat_complaint_rate,
    "repeat_7d_rate": repeat_call_rate,
    "aht_s": average_handling_time,
    "over_long_share": over_long_share,
}
RATE_KPIS = frozenset(KPIS) - {"satisfaction_mean", "aht_s"}


# --- slicing ----------------------------------------------------------------------------

@dataclass(frozen=True)
class SliceRow:
    keys: dict[str, Any]  # slice name → value (dates for time slices)
    counts: CallCounts

    def figure(self, kpi: str) -> Figure:
        return KPIS[kpi](self.counts)

    def as_dict(self) -> dict[str, Any]:
        """The CLI's and the API's row: slice values, then every KPI with n and interval."""
        row: dict[str, Any] = {
            key: value.isoformat() if isinstance(value, date) else value
            for key, value in self.keys.items()}
        row["n_calls"] = self.counts.n
        for name in KPIS:
            figure = self.figure(name)
            row[name] = figure.value
            row[f"{name}_n"] = figure.n
            row[f"{name}_ci"] = [figure.low, figure.high] if figure.low is not None else None
        row["satisfaction_n"] = self.counts.rated
        row["complaints"] = self.counts.complaints
        return row


@dataclass(frozen=True)
class Period:
    start: date | None = None
    end: date | None = None  # inclusive

    def __post_init__(self) -> None:
        if self.start and self.end and self.end < self.start:
            raise BadPeriod(start=self.start.isoformat(), end=self.end.isoformat())


def check_slices(by: Sequence[str]) -> list[str]:
    unknown = [name for name in by if name not in SLICE_COLUMNS]
    if unknown:
        raise BadSlice(value=", ".join(unknown), allowed=", ".join(sorted(SLICE_COLUMNS)))
    return list(dict.fromkeys(by))


def _as_int(value: Any) -> ColumnElement[int]:
    return func.coalesce(func.sum(cast(value, Integer)), 0)


def _count_columns() -> list[ColumnElement[Any]]:
    threshold = func.coalesce(TopicThreshold.manual_s, TopicThreshold.p95_s)
    duration = cast(CallRecord.duration_s, Float)
    satisfaction = cast(CallRecord.satisfaction, Float)
    return [
        func.count().label("n"),
        _as_int(CallRecord.fcr).label("fcr"),
        func.count(CallRecord.satisfaction).label("rated"),
        func.coalesce(func.sum(satisfaction), 0).label("satisfaction_sum"),
        func.coalesce(func.sum(satisfaction * satisfaction), 0).label("satisfaction_squares"),
        _as_int(CallRecord.satisfaction >= 4).label("satisfied"),
        _as_int(CallRecord.complaint).label("complaints"),
        _as_int(and_(CallRecord.complaint, CallRecord.repeat_7d)).label("repeat_complaints"),
        _as_int(CallRecord.repeat_7d).label("repeats"),
        func.coalesce(func.sum(duration), 0).label("duration_sum"),
        func.coalesce(func.sum(duration * duration), 0).label("duration_squares"),
        func.coalesce(func.sum(case((CallRecord.duration_s > threshold, 1), else_=0)), 0)
        .label("over_long"),
        func.count(threshold).label("with_threshold"),
    ]


def filter_clauses(filters: dict[str, str]) -> list[ColumnElement[bool]]:
    clauses = []
    for name, value in filters.items():
        if name not in FILTERS:
            raise BadSlice(value=name, allowed=", ".join(FILTERS))
        clauses.append(SLICE_COLUMNS[name] == value)
    return clauses


def period_clauses(period: Period) -> list[ColumnElement[bool]]:
    clauses = []
    if period.start:
        clauses.append(CallRecord.day >= period.start)
    if period.end:
        clauses.append(CallRecord.day <= period.end)
    return clauses


def _needs_roster(names: Sequence[str]) -> bool:
    return "stage" in names


def slice_counts(session: Session, *, actor: User, by: Sequence[str],
                 period: Period = Period(), filters: dict[str, str] | None = None
                 ) -> list[SliceRow]:
    """Counts per slice of the calls the actor may see, ordered by the slice values."""
    names = check_slices(by)
    filters = filters or {}
    columns = [SLICE_COLUMNS[name].label(f"k{i}") for i, name in enumerate(names)]
    query = (select(*columns, *_count_columns()).select_from(CallRecord)
             .outerjoin(TopicThreshold, TopicThreshold.product == CallRecord.product))
    if _needs_roster([*names, *filters]):
        query = query.outerjoin(RosterAgent, RosterAgent.agent_id == CallRecord.agent_id)
    query = query.where(scope_clause(call_scope(session, actor)), *period_clauses(period),
                        *filter_clauses(filters))
    if columns:
        query = query.group_by(*columns).order_by(*columns)
    else:
        query = query.having(func.count() > literal(0))
    rows = []
    width = len(names)
    for record in session.execute(query):
        keys = {name: _key_value(name, record[i]) for i, name in enumerate(names)}
        rows.append(SliceRow(keys, _numbers(CallCounts(*record[width:]))))
    return rows


def _numbers(counts: CallCounts) -> CallCounts:
    """Sums as Python numbers (drivers return Decimal for some aggregates)."""
    return CallCounts(int(counts.n), int(counts.fcr), int(counts.rated),
                      float(counts.satisfaction_sum), float(counts.satisfaction_squares),
                      int(counts.satisfied), int(counts.complaints),
                      int(counts.repeat_complaints), int(counts.repeats),
                      float(counts.duration_sum), float(counts.duration_squares),
                      int(counts.over_long), int(counts.with_threshold))


def _key_value(name: str, value: Any) -> Any:
    if name in TIME_SLICES and isinstance(value, str):
        return date.fromisoformat(value)
    return value


def total_counts(rows: Sequence[SliceRow]) -> CallCounts:
    total = CallCounts()
    for row in rows:
        total = total + row.counts
    return total
