"""Paired comparisons: the same people measured before and after (a competency item's score
before and after a training plan). Differences are after − before; two-sided, α = 0.05.

The paired t-test assumes the differences are roughly normal; the Wilcoxon signed-rank test
asks only that they be symmetric, and suits the few, coarse 1–5 scores of a small team.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from scipy import stats

from seci.stats.comparisons import TestResult
from seci.stats.correlation import average_ranks
from seci.stats.descriptive import median
from seci.stats.intervals import DEFAULT_CONFIDENCE, t_value
from seci.stats.summaries import Interval

MIN_PAIRS = 2


def paired_differences(before: Sequence[float], after: Sequence[float]) -> list[float]:
    """dᵢ = afterᵢ − beforeᵢ, pair by pair (both sequences in the same people's order)."""
    if len(before) != len(after):
        raise ValueError("paired samples need the same number of values")
    return [a - b for b, a in zip(before, after, strict=True)]


def paired_t_test(before: Sequence[float], after: Sequence[float]) -> TestResult | None:
    """Paired t-test of the mean difference (Student 1908).

    d̄ = Σdᵢ / n;  s_d = √(Σ(dᵢ − d̄)² / (n − 1));  t = d̄ / (s_d / √n), df = n − 1;
    p = 2·P(T_df > |t|); interval d̄ ± t_df(0.975)·s_d/√n; effect size Cohen's d_z = d̄ / s_d.
    None for fewer than two pairs. When every difference is the same (s_d = 0) the test is
    degenerate: p = 1 if that difference is 0, else p = 0 (t = ±∞), without an interval.
    """
    d = paired_differences(before, after)
    n = len(d)
    if n < MIN_PAIRS:
        return None
    mean = math.fsum(d) / n
    sd = math.sqrt(math.fsum((x - mean) ** 2 for x in d) / (n - 1))
    df = float(n - 1)
    if sd == 0:
        if mean == 0:
            return TestResult("paired_t", 0.0, 0.0, 1.0, df)
        return TestResult("paired_t", mean, math.copysign(math.inf, mean), 0.0, df)
    se = sd / math.sqrt(n)
    t = mean / se
    half = t_value(df, DEFAULT_CONFIDENCE) * se
    return TestResult("paired_t", mean, t, float(2 * stats.t.sf(abs(t), df)), df,
                      effect_size=mean / sd, effect_size_kind="cohens_dz",
                      interval=Interval(mean - half, mean + half, DEFAULT_CONFIDENCE, "t"))


def signed_rank_sums(before: Sequence[float], after: Sequence[float]) -> tuple[float, float, int]:
    """(W⁺, W⁻, n′): zero differences dropped (Wilcoxon's method), the rest ranked by |dᵢ|
    with average ranks for ties; W⁺ sums the ranks of positive differences, W⁻ of negative
    ones; n′ is the number of non-zero differences (W⁺ + W⁻ = n′(n′ + 1)/2)."""
    d = [x for x in paired_differences(before, after) if x != 0]
    ranks = average_ranks([abs(x) for x in d])
    plus = math.fsum(r for r, x in zip(ranks, d, strict=True) if x > 0)
    minus = math.fsum(r for r, x in zip(ranks, d, strict=True) if x < 0)
    return plus, minus, len(d)


def wilcoxon_signed_rank(before: Sequence[float], after: Sequence[float]) -> TestResult | None:
    """Wilcoxon signed-rank test of the differences (scipy's p-value: exact for small n
    without ties, else the normal approximation with tie correction).

    Statistic W = min(W⁺, W⁻) (see ``signed_rank_sums``); effect = median of dᵢ; effect size
    the matched-pairs rank-biserial r = (W⁺ − W⁻) / (W⁺ + W⁻). None for fewer than two
    pairs; p = 1 when every difference is zero.
    """
    d = paired_differences(before, after)
    if len(d) < MIN_PAIRS:
        return None
    effect = median(d) or 0.0
    plus, minus, nonzero = signed_rank_sums(before, after)
    if nonzero == 0:
        return TestResult("wilcoxon_signed_rank", 0.0, 0.0, 1.0)
    result = stats.wilcoxon(d, zero_method="wilcox", alternative="two-sided")
    p_value = float(result.pvalue) if not math.isnan(result.pvalue) else 1.0
    return TestResult("wilcoxon_signed_rank", effect, min(plus, minus), p_value,
                      effect_size=(plus - minus) / (plus + minus),
                      effect_size_kind="rank_biserial")

