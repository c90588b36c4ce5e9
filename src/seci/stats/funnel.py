"""Funnel plots: comparing units (agents, teams, centres) that handle different volumes.

Spiegelhalter DJ. Funnel plots for comparing institutional performance. Statistics in
Medicine 2005; 24(8): 1185–1202. Each unit's figure is plotted against its volume n
with limits around a target θ₀ that narrow as n grows, at 95 % (z = 1.960) and 99.8 %
(z = 3.090), two-sided. A unit beyond the 99.8 % limits is an outlier worth a look; one
between the 95 % and 99.8 % limits is a "warning". The funnel does not rank units: all
those within the limits are compatible with the target.

  proportions:  θ₀ ± z·√(θ₀(1 − θ₀)/n), clipped to [0, 1], or the exact binomial limits
                (Spiegelhalter's appendix: an interpolated binomial quantile, below);
  means:        θ₀ ± z·σ/√n.

Over-dispersion (more spread between units than chance allows, see
`seci.stats.descriptive.dispersion_ratio`) is not corrected for here.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from scipy import stats

from seci.stats.summaries import Proportion, Sample

INNER_LEVEL = 0.95
OUTER_LEVEL = 0.998


class FunnelPosition(StrEnum):
    ABOVE = "above"
    WITHIN = "within"
    BELOW = "below"


@dataclass(frozen=True)
class FunnelLimits:
    """The 95 % and 99.8 % limits around `target` for a unit of volume n."""

    n: float
    target: float
    lower_95: float
    upper_95: float
    lower_998: float
    upper_998: float


@dataclass(frozen=True)
class FunnelPoint:
    """One unit on the funnel. value, limits and positions are None when n = 0;
    z = (value − target)/SE is None when the SE is 0 or the unit has no data.
    A value exactly on a limit counts as within."""

    unit: str
    n: int
    value: float | None
    limits: FunnelLimits | None
    position_95: FunnelPosition | None
    position_998: FunnelPosition | None
    z: float | None


def proportion_funnel_limits(n: int, target: float, *, exact: bool = False) -> FunnelLimits:
    """Limits for a proportion from n cases around target θ₀.

    Normal: θ₀ ± z·√(θ₀(1 − θ₀)/n), clipped to [0, 1]; e.g. n = 100, θ₀ = 0.8:
    SE = 0.04, 95 % (0.7216, 0.8784), 99.8 % (0.6764, 0.9236).
    Exact (Spiegelhalter 2005, appendix A.1.1): for tail probability P (0.025, 0.975,
    0.001, 0.999), r = the smallest r with F(r) ≥ P for F the Binomial(n, θ₀) cdf;
    α = (F(r) − P) / (F(r) − F(r − 1)); limit = (r − α)/n, clipped to [0, 1].
    A target of exactly 0 or 1 gives limits equal to the target either way.
    """
    if n < 1:
        raise ValueError("a funnel limit needs n ≥ 1")
    if not 0 <= target <= 1:
        raise ValueError("a target proportion lies between 0 and 1")
    if exact and 0 < target < 1:  # at 0 or 1 every outcome is the target: no funnel
        return FunnelLimits(n, target, *(_binomial_limit(n, target, level)
                                         for level in _tail_probabilities()))
    se = math.sqrt(target * (1 - target) / n)
    return _normal_limits(n, target, se, clip=True)


def mean_funnel_limits(n: int, target: float, sd: float) -> FunnelLimits:
    """Limits for a mean of n values around target μ₀ with within-unit sd σ:
    μ₀ ± z·σ/√n."""
    if n < 1:
        raise ValueError("a funnel limit needs n ≥ 1")
    if sd < 0:
        raise ValueError("a standard deviation cannot be negative")
    return _normal_limits(n, target, sd / math.sqrt(n), clip=False)


def proportion_funnel(units: Mapping[str, Proportion], *, target: float | None = None,
                      exact: bool = False) -> list[FunnelPoint]:
    """Each unit's rate placed against the funnel, in the mapping's order.

    target None → the overall rate Σxᵢ/Σnᵢ of the units given. Position: above when
    value > upper, below when value < lower, else within, at each of the two levels.
    ValueError when target is None and no unit has data.
    """
    if target is None:
        total = sum(p.n for p in units.values())
        if not total:
            raise ValueError("no unit has any case to set the target with")
        target = sum(p.successes for p in units.values()) / total
    points = []
    for unit, p in units.items():
        if p.n == 0:
            points.append(FunnelPoint(unit, 0, None, None, None, None, None))
            continue
        limits = proportion_funnel_limits(p.n, target, exact=exact)
        se = math.sqrt(target * (1 - target) / p.n)
        points.append(_place(unit, p.n, p.successes / p.n, limits, se))
    return points


def mean_funnel(units: Mapping[str, Sample], *, target: float | None = None,
                sd: float | None = None) -> list[FunnelPoint]:
    """Each unit's mean placed against the funnel, in the mapping's order.

    target None → the volume-weighted overall mean Σnᵢx̄ᵢ/Σnᵢ; sd None → the pooled
    within-unit sd √(Σ(nᵢ − 1)sᵢ² / Σ(nᵢ − 1)). ValueError when either cannot be
    estimated (no data; no unit with n ≥ 2).
    """
    if target is None:
        total = sum(s.n for s in units.values())
        if not total:
            raise ValueError("no unit has any value to set the target with")
        target = math.fsum(s.n * s.mean for s in units.values()) / total
    if sd is None:
        degrees = sum(s.n - 1 for s in units.values() if s.n >= 2)
        if not degrees:
            raise ValueError("no unit has two values to estimate the sd with")
        sd = math.sqrt(math.fsum((s.n - 1) * s.sd ** 2 for s in units.values() if s.n >= 2)
                       / degrees)
    points = []
    for unit, s in units.items():
        if s.n == 0:
            points.append(FunnelPoint(unit, 0, None, None, None, None, None))
            continue
        limits = mean_funnel_limits(s.n, target, sd)
        points.append(_place(unit, s.n, s.mean, limits, sd / math.sqrt(s.n)))
    return points


def proportion_funnel_curve(target: float, sizes: Iterable[int], *, exact: bool = False
                            ) -> list[FunnelLimits]:
    """`proportion_funnel_limits` at each n of `sizes` (see `funnel_sizes`), for drawing."""
    return [proportion_funnel_limits(n, target, exact=exact) for n in sizes]


def mean_funnel_curve(target: float, sd: float, sizes: Iterable[int]) -> list[FunnelLimits]:
    """`mean_funnel_limits` at each n of `sizes`, for drawing."""
    return [mean_funnel_limits(n, target, sd) for n in sizes]


def funnel_sizes(max_n: int, *, points: int = 50, min_n: int = 1) -> list[int]:
    """About `points` volumes from min_n to max_n, spaced evenly on a log scale (where the
    funnel bends), as distinct ascending integers including both ends."""
    if not 1 <= min_n <= max_n or points < 2:
        raise ValueError("need 1 ≤ min_n ≤ max_n and at least 2 points")
    ratio = math.log(max_n / min_n)
    grid = {round(min_n * math.exp(ratio * i / (points - 1))) for i in range(points)}
    return sorted(grid | {min_n, max_n})


def _tail_probabilities() -> tuple[float, float, float, float]:
    inner, outer = (1 - INNER_LEVEL) / 2, (1 - OUTER_LEVEL) / 2
    return inner, 1 - inner, outer, 1 - outer


def _normal_limits(n: int, target: float, se: float, *, clip: bool) -> FunnelLimits:
    bounds = []
    for tail in _tail_probabilities():
        limit = target + float(stats.norm.ppf(tail)) * se
        bounds.append(min(1.0, max(0.0, limit)) if clip else limit)
    return FunnelLimits(n, target, *bounds)


def _binomial_limit(n: int, target: float, tail: float) -> float:
    r = float(stats.binom.ppf(tail, n, target))
    at_r = float(stats.binom.cdf(r, n, target))
    below_r = float(stats.binom.cdf(r - 1, n, target))
    alpha = (at_r - tail) / (at_r - below_r) if at_r > below_r else 0.0
    return min(1.0, max(0.0, (r - alpha) / n))


def _place(unit: str, n: int, value: float, limits: FunnelLimits, se: float) -> FunnelPoint:
    return FunnelPoint(unit, n, value, limits,
                       _position(value, limits.lower_95, limits.upper_95),
                       _position(value, limits.lower_998, limits.upper_998),
                       (value - limits.target) / se if se > 0 else None)


def _position(value: float, lower: float, upper: float) -> FunnelPosition:
    if value > upper:
        return FunnelPosition.ABOVE
    if value < lower:
        return FunnelPosition.BELOW
    return FunnelPosition.WITHIN
