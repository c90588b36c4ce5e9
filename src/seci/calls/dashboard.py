"""What a KPI tile says: the period's figure with its interval, the previous period of the
same length, and whether the change is more than chance (two-proportion z-test for rates,
Welch's t-test for means)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from seci.accounts.models import User
from seci.calls.access import call_scope, scope_clause
from seci.calls.charts import mean_sample, rate_parts
from seci.calls.kpis import KPIS, RATE_KPIS, CallCounts, Figure, Period, slice_counts
from seci.calls.models import CallRecord
from seci.stats.comparisons import TestResult, two_proportion_z_test, welch_t_test
from seci.stats.summaries import Proportion

DEFAULT_WEEKS = 12


@dataclass(frozen=True)
class Tile:
    kpi: str
    current: Figure
    previous: Figure
    change: TestResult | None  # current − previous

    @property
    def significant(self) -> bool:
        return self.change is not None and self.change.significant


def latest_day(session: Session, *, actor: User) -> date | None:
    """The last day with calls the actor may see (dashboards default to the weeks
    before it, so an export loaded today shows its own period)."""
    value = session.scalar(select(func.max(CallRecord.day))
                           .where(scope_clause(call_scope(session, actor))))
    if isinstance(value, str):
        return date.fromisoformat(value)
    return value


def default_period(session: Session, *, actor: User, weeks: int = DEFAULT_WEEKS) -> Period:
    """Whole weeks: from a Monday to the Sunday of the latest week with calls."""
    last = latest_day(session, actor=actor)
    if last is None:
        return Period()
    sunday = last + timedelta(days=6 - last.weekday())
    return Period(sunday - timedelta(days=7 * weeks - 1), sunday)


def previous_period(period: Period) -> Period | None:
    if period.start is None or period.end is None:
        return None
    length = period.end - period.start + timedelta(days=1)
    return Period(period.start - length, period.start - timedelta(days=1))


def compare(kpi: str, before: CallCounts, after: CallCounts) -> TestResult | None:
    """The test of after − before for one KPI; None without enough data."""
    if kpi in RATE_KPIS:
        (x1, n1), (x2, n2) = rate_parts(kpi, before), rate_parts(kpi, after)
        if n1 == 0 or n2 == 0:
            return None
        return two_proportion_z_test(Proportion(x1, n1), Proportion(x2, n2))
    first, second = mean_sample(kpi, before), mean_sample(kpi, after)
    if first is None or second is None:
        return None
    return welch_t_test(first, second)


def _counts(session: Session, actor: User, period: Period, filters: dict[str, str]
            ) -> CallCounts:
    rows = slice_counts(session, actor=actor, by=[], period=period, filters=filters)
    return rows[0].counts if rows else CallCounts()


def kpi_tiles(session: Session, *, actor: User, period: Period,
              filters: dict[str, str] | None = None) -> list[Tile]:
    filters = filters or {}
    current = _counts(session, actor, period, filters)
    before = previous_period(period)
    previous = _counts(session, actor, before, filters) if before else CallCounts()
    return [Tile(kpi, KPIS[kpi](current), KPIS[kpi](previous),
                 compare(kpi, previous, current)) for kpi in KPIS]
