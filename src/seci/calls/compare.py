"""Before/after and A/B comparisons of a KPI, stated as tests with effect sizes and
intervals (source 002: "mean, variance, p-values, slicing by condition").

- Rates: two-proportion z-test (Cohen's h, Newcombe interval of the difference).
- Means (satisfaction, handling time): Welch's t-test (Hedges' g, Welch interval); for
  handling time also the Mann–Whitney U test, which does not assume normal durations.
- With a comparison group measured in both periods: the difference in differences, which
  removes what changed for everybody (a tariff change, the season).
- Split by team, queue, region, topic or agent: one test per slice, and the
  Benjamini–Hochberg q-values, because among twenty slices one is "significant" by chance.
- The complaint mix (categories before vs after): a χ² test of independence, Cramér's V.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from seci.accounts.models import User
from seci.calls.access import call_scope, scope_clause
from seci.calls.charts import check_kpi, mean_sample, rate_parts
from seci.calls.errors import BadSlice, NotEnoughCalls
from seci.calls.kpis import (
    KPIS,
    RATE_KPIS,
    CallCounts,
    Figure,
    Period,
    filter_clauses,
    period_clauses,
    slice_counts,
)
from seci.calls.models import CallRecord
from seci.stats.comparisons import (
    TestResult,
    benjamini_hochberg,
    chi_square_independence,
    difference_in_differences_means,
    difference_in_differences_proportions,
    mann_whitney_u,
    two_proportion_z_test,
    welch_t_test,
)
from seci.stats.summaries import Proportion

SPLITS = ("team", "queue", "region", "product", "agent")
# Mann–Whitney needs the durations themselves: at most this many per group (a random
# sample beyond; the test's power is long saturated by then).
MAX_RANK_VALUES = 50_000


@dataclass(frozen=True)
class Side:
    figure: Figure
    counts: CallCounts


@dataclass(frozen=True)
class ComparisonRow:
    key: str | None  # the slice's value, None for the whole selection
    first: Side  # before (or group A)
    second: Side  # after (or group B)
    test: TestResult | None  # second − first
    q_value: float | None = None  # Benjamini–Hochberg, when split
    rank_test: TestResult | None = None  # Mann–Whitney for handling time
    did: TestResult | None = None  # against the comparison group


@dataclass(frozen=True)
class Comparison:
    kpi: str
    rows: list[ComparisonRow]
    complaint_mix: TestResult | None
    mix_table: list[tuple[str, int, int]]  # category, first, second


def kpi_test(kpi: str, first: CallCounts, second: CallCounts) -> TestResult | None:
    """The test of second − first for one KPI; None without enough calls on a side."""
    if kpi in RATE_KPIS:
        (x1, n1), (x2, n2) = rate_parts(kpi, first), rate_parts(kpi, second)
        if n1 == 0 or n2 == 0:
            return None
        return two_proportion_z_test(Proportion(x1, n1), Proportion(x2, n2))
    a, b = mean_sample(kpi, first), mean_sample(kpi, second)
    return welch_t_test(a, b) if a is not None and b is not None else None


def did_test(kpi: str, trial: tuple[CallCounts, CallCounts],
             control: tuple[CallCounts, CallCounts]) -> TestResult | None:
    """(trial after − trial before) − (control after − control before)."""
    if kpi in RATE_KPIS:
        parts = [rate_parts(kpi, c) for c in (*trial, *control)]
        if any(n == 0 for _, n in parts):
            return None
        tb, ta, cb, ca = (Proportion(x, n) for x, n in parts)
        return difference_in_differences_proportions(tb, ta, cb, ca)
    samples = [s for c in (*trial, *control) if (s := mean_sample(kpi, c)) is not None]
    if len(samples) < 4:
        return None
    return difference_in_differences_means(*samples)


def _by_key(session: Session, actor: User, period: Period, filters: dict[str, str],
            split: str | None) -> dict[str | None, CallCounts]:
    rows = slice_counts(session, actor=actor, by=[split] if split else [], period=period,
                        filters=filters)
    return {(str(r.keys[split]) if split else None): r.counts for r in rows}


def _durations(session: Session, actor: User, period: Period, filters: dict[str, str]
               ) -> list[float]:
    query = (select(CallRecord.duration_s)
             .where(scope_clause(call_scope(session, actor)), *period_clauses(period),
                    *filter_clauses(filters)))
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    if total > MAX_RANK_VALUES:
        query = query.order_by(func.random()).limit(MAX_RANK_VALUES)
    return [float(v) for v in session.scalars(query)]


def compare_periods(session: Session, *, actor: User, kpi: str, before: Period,
                    after: Period, filters: dict[str, str] | None = None,
                    split: str | None = None, control: tuple[str, str] | None = None
                    ) -> Comparison:
    """The KPI after against before, overall or per slice; with ``control`` (slice name
    and value, e.g. ("team", "B组")) also the difference in differences."""
    check_kpi(kpi)
    if kpi not in KPIS:
        raise BadSlice(value=kpi, allowed=", ".join(KPIS))
    if split is not None and split not in SPLITS:
        raise BadSlice(value=split, allowed=", ".join(SPLITS))
    filters = filters or {}
    first = _by_key(session, actor, before, filters, split)
    second = _by_key(session, actor, after, filters, split)
    keys = sorted(set(first) & set(second), key=lambda k: (k is None, k or ""))
    if not keys:
        raise NotEnoughCalls(n=0, need=1)
    control_counts = None
    if control is not None:
        name, value = control
        scoped = {k: v for k, v in filters.items() if k != name} | {name: value}
        control_counts = (_by_key(session, actor, before, scoped, None).get(None, CallCounts()),
                          _by_key(session, actor, after, scoped, None).get(None, CallCounts()))
    rows = []
    for key in keys:
        a, b = first[key], second[key]
        rank = None
        if kpi == "aht_s" and split is None:
            x, y = (_durations(session, actor, p, filters) for p in (before, after))
            rank = mann_whitney_u(x, y) if x and y else None
        did = did_test(kpi, (a, b), control_counts) if control_counts else None
        rows.append(ComparisonRow(key, Side(KPIS[kpi](a), a), Side(KPIS[kpi](b), b),
                                  kpi_test(kpi, a, b), rank_test=rank, did=did))
    rows = _with_q_values(rows) if split else rows
    mix, table = complaint_mix(session, actor=actor, first=before, second=after,
                               filters=filters)
    return Comparison(kpi, rows, mix, table)


def compare_groups(session: Session, *, actor: User, kpi: str, period: Period, split: str,
                   first: str, second: str, filters: dict[str, str] | None = None
                   ) -> Comparison:
    """A/B: one slice value against another (team against team, region against region)
    over the same period."""
    check_kpi(kpi)
    if kpi not in KPIS:
        raise BadSlice(value=kpi, allowed=", ".join(KPIS))
    if split not in SPLITS:
        raise BadSlice(value=split, allowed=", ".join(SPLITS))
    counts = _by_key(session, actor, period, filters or {}, split)
    if first not in counts or second not in counts:
        raise NotEnoughCalls(n=0, need=1)
    a, b = counts[first], counts[second]
    rank = None
    if kpi == "aht_s":
        x = _durations(session, actor, period, {**(filters or {}), split: first})
        y = _durations(session, actor, period, {**(filters or {}), split: second})
        rank = mann_whitney_u(x, y) if x and y else None
    row = ComparisonRow(f"{second} − {first}", Side(KPIS[kpi](a), a), Side(KPIS[kpi](b), b),
                        kpi_test(kpi, a, b), rank_test=rank)
    return Comparison(kpi, [row], None, [])


def _with_q_values(rows: list[ComparisonRow]) -> list[ComparisonRow]:
    tested = [i for i, row in enumerate(rows) if row.test is not None]
    q_values = benjamini_hochberg([rows[i].test.p_value for i in tested  # type: ignore[union-attr]
                                   ])
    found = dict(zip(tested, q_values, strict=True))
    return [ComparisonRow(r.key, r.first, r.second, r.test, found.get(i), r.rank_test, r.did)
            for i, r in enumerate(rows)]


def complaint_mix(session: Session, *, actor: User, first: Period, second: Period,
                  filters: dict[str, str] | None = None
                  ) -> tuple[TestResult | None, list[tuple[str, int, int]]]:
    """Did the complaint categories' shares change? χ² of categories × periods."""
    def counts(period: Period) -> dict[str, int]:
        category = func.coalesce(CallRecord.complaint_category, "")
        query = (select(category, func.count()).where(
            CallRecord.complaint.is_(True), scope_clause(call_scope(session, actor)),
            *period_clauses(period), *filter_clauses(filters or {})).group_by(category))
        return {str(c): int(n) for c, n in session.execute(query)}

    a, b = counts(first), counts(second)
    categories = sorted(set(a) | set(b), key=lambda c: -(a.get(c, 0) + b.get(c, 0)))
    table = [(c, a.get(c, 0), b.get(c, 0)) for c in categories]
    if len(table) < 2 or not sum(a.values()) or not sum(b.values()):
        return None, table
    return chi_square_independence([[x, y] for _, x, y in table]), table


def comparison_dict(result: Comparison) -> dict[str, Any]:
    """The comparison as the API returns it."""
    def side(s: Side) -> dict[str, Any]:
        return {"value": s.figure.value, "n": s.figure.n,
                "ci": [s.figure.low, s.figure.high] if s.figure.low is not None else None}

    def test(t: TestResult | None) -> dict[str, Any] | None:
        if t is None:
            return None
        return {"test": t.test, "effect": t.effect, "statistic": t.statistic,
                "p_value": t.p_value, "df": t.df, "effect_size": t.effect_size,
                "effect_size_kind": t.effect_size_kind,
                "ci": [t.interval.lower, t.interval.upper] if t.interval else None,
                "significant": t.significant, "warnings": list(t.warnings)}

    return {
        "kpi": result.kpi,
        "rows": [{"key": r.key, "first": side(r.first), "second": side(r.second),
                  "test": test(r.test), "q_value": r.q_value, "rank_test": test(r.rank_test),
                  "did": test(r.did)} for r in result.rows],
        "complaint_mix": test(result.complaint_mix),
        "complaint_mix_table": [{"category": c, "first": x, "second": y}
                                for c, x, y in result.mix_table],
    }


