"""Confidence intervals: a rate (Wilson), a mean (t), any normal estimate, and the
difference of two rates (Newcombe) or two means (Welch).

Conventions: `confidence` is two-sided (0.95 for 95 %); differences are second − first;
a function returns None where no interval exists (no observations, a single value for a
t interval) instead of raising, so a KPI over an empty week shows "no figure".
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from scipy import stats

from seci.stats.summaries import Interval, Proportion, Sample

DEFAULT_CONFIDENCE = 0.95


@dataclass(frozen=True)
class Rate(Proportion):
    """A KPI rate: successes of n, with 0 ≤ successes ≤ n (checked).

    It is a `Proportion`, so it goes straight into `two_proportion_z_test` and the funnel;
    unlike `Proportion.rate`, `value` is None for n = 0 instead of dividing by zero.
    """

    def __post_init__(self) -> None:
        if self.n < 0 or not 0 <= self.successes <= self.n:
            raise ValueError(f"a rate needs 0 ≤ successes ≤ n, got {self.successes} of {self.n}")

    @property
    def value(self) -> float | None:
        """successes ÷ n, None when n = 0."""
        return self.successes / self.n if self.n else None

    def interval(self, confidence: float = DEFAULT_CONFIDENCE) -> Interval | None:
        """The Wilson score interval of the rate (`wilson_interval`), None when n = 0."""
        return wilson_interval(self.successes, self.n, confidence)


def z_value(confidence: float = DEFAULT_CONFIDENCE) -> float:
    """The two-sided standard normal quantile z = Φ⁻¹(1 − (1 − confidence)/2).

    0.95 → 1.959964; 0.99 → 2.575829; 0.998 → 3.090232.
    """
    _check_confidence(confidence)
    return float(stats.norm.ppf(1 - (1 - confidence) / 2))


def t_value(df: float, confidence: float = DEFAULT_CONFIDENCE) -> float:
    """The two-sided Student t quantile t_{df}(1 − (1 − confidence)/2)."""
    _check_confidence(confidence)
    return float(stats.t.ppf(1 - (1 - confidence) / 2, df))


def wilson_interval(successes: int, n: int, confidence: float = DEFAULT_CONFIDENCE
                    ) -> Interval | None:
    """Wilson score interval for a proportion (Wilson 1927; Newcombe 1998 method 3).

    p̂ = x/n;  centre = (p̂ + z²/2n) / (1 + z²/n);
    half-width = z/(1 + z²/n) · √(p̂(1 − p̂)/n + z²/4n²).
    It stays inside [0, 1] and has a non-zero width at x = 0 and x = n (lower is exactly
    0 for x = 0, upper exactly 1 for x = n). None for n = 0; ValueError unless 0 ≤ x ≤ n.
    """
    _check_counts(successes, n)
    if n == 0:
        return None
    z = z_value(confidence)
    p = successes / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z / denominator * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    lower = 0.0 if successes == 0 else max(0.0, centre - half)
    upper = 1.0 if successes == n else min(1.0, centre + half)
    return Interval(lower, upper, confidence, "wilson")


def normal_interval(estimate: float, standard_error: float,
                    confidence: float = DEFAULT_CONFIDENCE) -> Interval:
    """Wald interval of an approximately normal estimate: estimate ± z·SE."""
    if standard_error < 0:
        raise ValueError("a standard error cannot be negative")
    half = z_value(confidence) * standard_error
    return Interval(estimate - half, estimate + half, confidence, "normal")


def t_interval_mean(mean: float, sd: float, n: int, confidence: float = DEFAULT_CONFIDENCE
                    ) -> Interval | None:
    """Student t interval of a mean from its summary: x̄ ± t_{n−1}·s/√n.

    None for n < 2 (one value says nothing about the spread); sd = 0 gives [x̄, x̄].
    """
    if sd < 0:
        raise ValueError("a standard deviation cannot be negative")
    if n < 2:
        return None
    half = t_value(n - 1, confidence) * sd / math.sqrt(n)
    return Interval(mean - half, mean + half, confidence, "t")


def t_interval_from_values(values: Sequence[float], confidence: float = DEFAULT_CONFIDENCE
                           ) -> Interval | None:
    """`t_interval_mean` of the values' mean and sample sd (n − 1); None for fewer than 2."""
    n = len(values)
    if n < 2:
        return None
    mean = math.fsum(values) / n
    sd = math.sqrt(math.fsum((x - mean) ** 2 for x in values) / (n - 1))
    return t_interval_mean(mean, sd, n, confidence)


def proportion_difference_interval(first: Proportion, second: Proportion,
                                   confidence: float = DEFAULT_CONFIDENCE) -> Interval | None:
    """Newcombe's hybrid score interval for p₂ − p₁ (Newcombe 1998, method 10).

    With (l₁, u₁), (l₂, u₂) the Wilson intervals of p₁ = x₁/n₁ and p₂ = x₂/n₂ and
    δ = p₂ − p₁:  lower = δ − √((p₂ − l₂)² + (u₁ − p₁)²),
    upper = δ + √((u₂ − p₂)² + (p₁ − l₁)²).
    Better coverage than the Wald δ ± z·SE, and defined at 0 % and 100 %. None when either
    n is 0. Newcombe's example: 56/70 vs 48/80 → δ = 0.2, (0.0524, 0.3339).
    """
    first_interval = wilson_interval(first.successes, first.n, confidence)
    second_interval = wilson_interval(second.successes, second.n, confidence)
    if first_interval is None or second_interval is None:
        return None
    p1, p2 = first.successes / first.n, second.successes / second.n
    l1, u1 = first_interval.lower, first_interval.upper
    l2, u2 = second_interval.lower, second_interval.upper
    delta = p2 - p1
    lower = delta - math.sqrt((p2 - l2) ** 2 + (u1 - p1) ** 2)
    upper = delta + math.sqrt((u2 - p2) ** 2 + (p1 - l1) ** 2)
    return Interval(lower, upper, confidence, "newcombe")


def welch_degrees_of_freedom(first: Sample, second: Sample) -> float:
    """Welch–Satterthwaite ν = (v₁ + v₂)² / (v₁²/(n₁ − 1) + v₂²/(n₂ − 1)), vᵢ = sᵢ²/nᵢ.

    ∞ when both variances are 0; needs n ≥ 2 on both sides.
    """
    v1, v2 = first.variance_of_mean, second.variance_of_mean
    if v1 + v2 == 0:
        return math.inf
    return (v1 + v2) ** 2 / (v1 ** 2 / (first.n - 1) + v2 ** 2 / (second.n - 1))


def mean_difference_interval(first: Sample, second: Sample,
                             confidence: float = DEFAULT_CONFIDENCE) -> Interval | None:
    """Welch interval for μ₂ − μ₁: (x̄₂ − x̄₁) ± t_ν·√(s₁²/n₁ + s₂²/n₂), ν by
    Welch–Satterthwaite (`welch_degrees_of_freedom`). None when either n < 2; two zero
    sds give the single point [x̄₂ − x̄₁, x̄₂ − x̄₁]."""
    if first.n < 2 or second.n < 2:
        return None
    difference = second.mean - first.mean
    se = math.sqrt(first.variance_of_mean + second.variance_of_mean)
    if se == 0:
        return Interval(difference, difference, confidence, "welch")
    half = t_value(welch_degrees_of_freedom(first, second), confidence) * se
    return Interval(difference - half, difference + half, confidence, "welch")


def _check_confidence(confidence: float) -> None:
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must lie strictly between 0 and 1, got {confidence}")


def _check_counts(successes: int, n: int) -> None:
    if n < 0 or not 0 <= successes <= n:
        raise ValueError(f"need 0 ≤ successes ≤ n, got {successes} of {n}")
