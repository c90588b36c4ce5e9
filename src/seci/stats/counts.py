"""Counts over time: is this week's count a burst, and is a series growing?"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from scipy import stats


@dataclass(frozen=True)
class Burst:
    observed: int
    expected: float
    ratio: float | None  # observed ÷ expected
    p_value: float  # one-sided: P(X ≥ observed | Poisson(expected))


def poisson_burst(observed: int, history: Sequence[int], *, floor: float = 0.5) -> Burst:
    """Is ``observed`` more than the history's level explains? Poisson test, one-sided:

      λ = max(mean(history), floor);  p = P(X ≥ observed | X ~ Poisson(λ)) = Q(observed, λ)

    The floor keeps a cell that was empty in every earlier week from making a single call
    a "burst" of infinite ratio (p for 1 call at λ = 0.5 is 0.39). A burst also needs a
    count large enough to matter — the caller sets that minimum.
    """
    if observed < 0 or any(h < 0 for h in history):
        raise ValueError("counts cannot be negative")
    expected = max(sum(history) / len(history), floor) if history else floor
    p_value = float(stats.poisson.sf(observed - 1, expected)) if observed > 0 else 1.0
    return Burst(observed, expected, observed / expected if expected else None, p_value)


@dataclass(frozen=True)
class Trend:
    slope: float  # change per period, in counts
    relative_slope: float | None  # slope ÷ mean count
    p_value: float  # two-sided, H0: slope = 0
    periods: int


def linear_trend(counts: Sequence[float]) -> Trend:
    """Least-squares slope of counts on the period number 0, 1, …, k−1 with its t-test
    (k − 2 degrees of freedom): b = Σ(x − x̄)(y − ȳ)/Σ(x − x̄)², SE = √(s²/Σ(x − x̄)²),
    s² = Σ residual²/(k − 2). Fewer than 3 periods: slope 0, p = 1."""
    k = len(counts)
    if k < 3:
        return Trend(0.0, None, 1.0, k)
    result = stats.linregress(range(k), list(counts))
    mean = sum(counts) / k
    slope = float(result.slope)
    p_value = float(result.pvalue) if not math.isnan(result.pvalue) else 1.0
    return Trend(slope, slope / mean if mean else None, p_value, k)
