"""Correlation between two measures of the same people (competency and FCR, say): Pearson's
r and Spearman's ρ, each with n, a 95 % interval by Fisher's z and a two-sided p-value.

Every function returns None when the data cannot carry the figure (fewer than
``MIN_CORRELATION_N`` pairs, or a measure that does not vary); callers say so.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from scipy import stats

from seci.stats.intervals import DEFAULT_CONFIDENCE, z_value
from seci.stats.summaries import Interval

# Fisher's interval needs n > 3 (its standard error is 1/√(n − 3)).
MIN_CORRELATION_N = 4


@dataclass(frozen=True)
class Correlation:
    method: str  # "pearson" or "spearman"
    r: float
    n: int
    interval: Interval
    p_value: float


def pearson_r(x: Sequence[float], y: Sequence[float]) -> float | None:
    """Pearson's r = Σ(xᵢ − x̄)(yᵢ − ȳ) / √(Σ(xᵢ − x̄)² · Σ(yᵢ − ȳ)²); None when either
    measure is constant or there are fewer than 2 pairs."""
    _check_pairs(x, y)
    n = len(x)
    if n < 2:
        return None
    mx, my = math.fsum(x) / n, math.fsum(y) / n
    sxy = math.fsum((a - mx) * (b - my) for a, b in zip(x, y, strict=True))
    sxx = math.fsum((a - mx) ** 2 for a in x)
    syy = math.fsum((b - my) ** 2 for b in y)
    if sxx <= 0 or syy <= 0:
        return None
    return max(-1.0, min(1.0, sxy / math.sqrt(sxx * syy)))


def average_ranks(values: Sequence[float]) -> list[float]:
    """Ranks 1…n, ties sharing the mean of the ranks they occupy ([3, 1, 3] → [2.5, 1, 2.5])."""
    order = sorted(range(len(values)), key=lambda i: values[i])
    ranks = [0.0] * len(values)
    start = 0
    while start < len(order):
        end = start
        while end + 1 < len(order) and values[order[end + 1]] == values[order[start]]:
            end += 1
        shared = (start + end) / 2 + 1
        for position in range(start, end + 1):
            ranks[order[position]] = shared
        start = end + 1
    return ranks


def fisher_interval(r: float, n: int, *, se_factor: float = 1.0,
                    confidence: float = DEFAULT_CONFIDENCE) -> Interval:
    """tanh(atanh r ± z · √(se_factor / (n − 3))): 1.0 for Pearson; 1.06 for Spearman
    (Fieller, Hartley & Pearson 1957). r = ±1 gives the point itself."""
    if n <= 3:
        raise ValueError("Fisher's interval needs n > 3")
    if abs(r) >= 1:
        return Interval(r, r, confidence, "fisher_z")
    center = math.atanh(r)
    half = z_value(confidence) * math.sqrt(se_factor / (n - 3))
    return Interval(math.tanh(center - half), math.tanh(center + half), confidence, "fisher_z")


def correlation_p_value(r: float, n: int) -> float:
    """Two-sided p of H₀: no correlation, from t = r·√((n − 2)/(1 − r²)) with n − 2 df."""
    if abs(r) >= 1:
        return 0.0
    t = r * math.sqrt((n - 2) / (1 - r * r))
    return float(2 * stats.t.sf(abs(t), n - 2))


def pearson_correlation(x: Sequence[float], y: Sequence[float]) -> Correlation | None:
    """Pearson's r with its Fisher-z interval (se = 1/√(n − 3)) and t-test p-value."""
    r = pearson_r(x, y)
    if r is None or len(x) < MIN_CORRELATION_N:
        return None
    n = len(x)
    return Correlation("pearson", r, n, fisher_interval(r, n), correlation_p_value(r, n))


def spearman_correlation(x: Sequence[float], y: Sequence[float]) -> Correlation | None:
    """Spearman's ρ = Pearson's r of the average ranks; interval by Fisher's z with
    se = √(1.06/(n − 3)); p-value by the same t approximation as Pearson's."""
    _check_pairs(x, y)
    if len(x) < MIN_CORRELATION_N:
        return None
    rho = pearson_r(average_ranks(x), average_ranks(y))
    if rho is None:
        return None
    n = len(x)
    return Correlation("spearman", rho, n, fisher_interval(rho, n, se_factor=1.06),
                       correlation_p_value(rho, n))


def _check_pairs(x: Sequence[float], y: Sequence[float]) -> None:
    if len(x) != len(y):
        raise ValueError("the two measures need one value per person each")
