"""Descriptive statistics: moments from running sums (what SQL aggregates give), order
statistics (percentiles), relative spread, and the dispersion of a unit's rates over
periods compared with what chance alone would give."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from scipy import stats

from seci.stats.summaries import Proportion, Sample


@dataclass(frozen=True)
class DispersionRatio:
    """Week-to-week (period-to-period) spread of a unit's rates against binomial chance.

    ratio ≈ 1: the rates vary as much as their volumes make inevitable; clearly above 1:
    something besides chance moves them. `statistic` / `df` / `p_value` are Pearson's
    heterogeneity chi-square, the test to quote (see `dispersion_ratio`).
    """

    ratio: float
    periods: int
    pooled_rate: float
    statistic: float
    df: int
    p_value: float


def mean_from_sums(n: int, total: float) -> float | None:
    """x̄ = Σx / n; None for n = 0."""
    if n < 0:
        raise ValueError("a count cannot be negative")
    return total / n if n else None


def variance_from_sums(n: int, total: float, total_of_squares: float) -> float | None:
    """Sample variance (n − 1 divisor) from n, Σx and Σx²:

    s² = (Σx² − (Σx)²/n) / (n − 1) = (Σx² − Σx·x̄) / (n − 1).
    The subtraction loses digits when the sd is small next to the mean, and rounding can
    then make it slightly negative: that is clamped to 0. To keep the digits, sum
    (x − K) and (x − K)² for some typical value K (the variance does not change; add K back
    to the mean). None for n < 2.
    """
    if n < 0:
        raise ValueError("a count cannot be negative")
    if n < 2:
        return None
    return max(0.0, (total_of_squares - total * (total / n)) / (n - 1))


def sd_from_sums(n: int, total: float, total_of_squares: float) -> float | None:
    """s = √(`variance_from_sums`); None for n < 2."""
    variance = variance_from_sums(n, total, total_of_squares)
    return math.sqrt(variance) if variance is not None else None


def sample_from_sums(n: int, total: float, total_of_squares: float) -> Sample | None:
    """A `Sample` (x̄, s, n) from n, Σx and Σx², ready for `welch_t_test` or the X̄-S
    chart; None for n < 2."""
    sd = sd_from_sums(n, total, total_of_squares)
    if sd is None:
        return None
    return Sample(total / n, sd, n)


def summarize(values: Sequence[float]) -> Sample | None:
    """A `Sample` of raw values, two-pass: x̄ = Σx/n, s² = Σ(x − x̄)²/(n − 1) (exactly
    rounded sums); None for fewer than 2 values."""
    n = len(values)
    if n < 2:
        return None
    mean = math.fsum(values) / n
    return Sample(mean, math.sqrt(math.fsum((x - mean) ** 2 for x in values) / (n - 1)), n)


def percentile(values: Sequence[float], q: float) -> float | None:
    """The q-th percentile (0 ≤ q ≤ 100) by linear interpolation between order statistics,
    numpy's default ("linear", Hyndman & Fan type 7, also Excel's PERCENTILE.INC):

    with x₍₀₎ ≤ … ≤ x₍ₙ₋₁₎ sorted, h = (n − 1)·q/100, k = ⌊h⌋:
    Q = x₍ₖ₎ + (h − k)·(x₍ₖ₊₁₎ − x₍ₖ₎).
    None for no values; ValueError for q outside [0, 100] or a NaN value.
    """
    if not 0 <= q <= 100:
        raise ValueError("a percentile lies between 0 and 100")
    if any(math.isnan(x) for x in values):
        raise ValueError("values contain NaN")
    if not values:
        return None
    ordered = sorted(values)
    h = (len(ordered) - 1) * q / 100
    k = math.floor(h)
    if k + 1 >= len(ordered):
        return float(ordered[-1])
    return ordered[k] + (h - k) * (ordered[k + 1] - ordered[k])


def median(values: Sequence[float]) -> float | None:
    """The 50th `percentile` (the middle value, or the mean of the two middle ones)."""
    return percentile(values, 50)


def p90(values: Sequence[float]) -> float | None:
    """The 90th `percentile` (e.g. "90 % of calls were handled within …")."""
    return percentile(values, 90)


def coefficient_of_variation(mean: float, sd: float) -> float | None:
    """CV = s / x̄ (relative spread, unit-free); None when x̄ = 0. Meaningful only for
    measures on a ratio scale (durations, counts), not for ones that can be negative."""
    if sd < 0:
        raise ValueError("a standard deviation cannot be negative")
    return sd / mean if mean else None


def dispersion_ratio(periods: Sequence[Proportion]) -> DispersionRatio | None:
    """How much a unit's rate varies from period to period, relative to binomial chance.

    Over the k periods with nᵢ > 0, pᵢ = xᵢ/nᵢ and p̄ = Σxᵢ/Σnᵢ:
      ratio = observed variance of the rates ÷ mean binomial variance
            = [Σ(pᵢ − p̃)²/(k − 1)] ÷ [(1/k)·Σ p̄(1 − p̄)/nᵢ],  p̃ = (1/k)Σpᵢ.
    Periods with few calls are expected to swing more; the denominator allows for it.
    The test: Pearson's heterogeneity statistic χ² = Σ(xᵢ − nᵢp̄)²/(nᵢp̄(1 − p̄)), ≈ χ²
    with k − 1 df when only chance is at work (equal nᵢ make χ²/(k − 1) equal the ratio).
    None with fewer than 2 periods with data, or when p̄ is 0 or 1 (no chance variation).
    """
    used = [p for p in periods if p.n > 0]
    if any(p.n < 0 or not 0 <= p.successes <= p.n for p in periods):
        raise ValueError("each period needs 0 ≤ successes ≤ n")
    k = len(used)
    total = sum(p.n for p in used)
    if k < 2:
        return None
    pooled = sum(p.successes for p in used) / total
    if pooled in (0.0, 1.0):
        return None
    rates = [p.successes / p.n for p in used]
    mean_rate = math.fsum(rates) / k
    observed = math.fsum((r - mean_rate) ** 2 for r in rates) / (k - 1)
    expected = math.fsum(pooled * (1 - pooled) / p.n for p in used) / k
    statistic = math.fsum((p.successes - p.n * pooled) ** 2 / (p.n * pooled * (1 - pooled))
                          for p in used)
    return DispersionRatio(observed / expected, k, pooled, statistic, k - 1,
                           float(stats.chi2.sf(statistic, k - 1)))
