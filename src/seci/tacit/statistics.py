"""The tests behind an evaluation's verdict, each a named function with its formula.

Proportions (first-contact resolution, satisfaction, repeat complaints) are compared with a
two-proportion z-test; with a comparison team measured before and after too, with a
difference-in-differences z-test, which removes what changed for everybody (a new tariff,
the season). Means (handling time) use Welch's t-test, which does not assume both teams
vary alike, and its difference-in-differences form. Two-sided, α = 0.05.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from scipy import stats

ALPHA = 0.05


@dataclass(frozen=True)
class Proportion:
    successes: int
    n: int

    @property
    def rate(self) -> float:
        return self.successes / self.n


@dataclass(frozen=True)
class Sample:
    """Summary of a numeric measure: mean, standard deviation, count."""

    mean: float
    sd: float
    n: int

    @property
    def variance_of_mean(self) -> float:
        return self.sd ** 2 / self.n


@dataclass(frozen=True)
class TestResult:
    test: str  # code: two_proportion_z, did_z, welch_t, did_welch_t
    effect: float  # after − before (or trial − comparison), in the metric's unit
    statistic: float
    p_value: float
    df: float | None = None

    @property
    def significant(self) -> bool:
        return self.p_value < ALPHA


def _two_sided_normal(z: float) -> float:
    return float(2 * stats.norm.sf(abs(z)))


def two_proportion_z_test(first: Proportion, second: Proportion) -> TestResult:
    """Pooled two-proportion z-test of second − first.

    p̂ = (x₁ + x₂) / (n₁ + n₂);  SE = √(p̂(1 − p̂)(1/n₁ + 1/n₂));  z = (p₂ − p₁) / SE;
    p = 2·(1 − Φ(|z|)).
    """
    pooled = (first.successes + second.successes) / (first.n + second.n)
    se = math.sqrt(pooled * (1 - pooled) * (1 / first.n + 1 / second.n))
    effect = second.rate - first.rate
    if se == 0:
        return TestResult("two_proportion_z", effect, 0.0, 1.0)
    z = effect / se
    return TestResult("two_proportion_z", effect, z, _two_sided_normal(z))


def difference_in_differences_proportions(
    trial_before: Proportion, trial_after: Proportion,
    comparison_before: Proportion, comparison_after: Proportion,
) -> TestResult:
    """Wald z-test of the difference in differences of four independent proportions.

    DiD = (pₜ₂ − pₜ₁) − (p꜀₂ − p꜀₁);  SE = √Σ pᵢ(1 − pᵢ)/nᵢ;  z = DiD / SE.
    """
    groups = (trial_before, trial_after, comparison_before, comparison_after)
    effect = (trial_after.rate - trial_before.rate) - (
        comparison_after.rate - comparison_before.rate)
    se = math.sqrt(sum(g.rate * (1 - g.rate) / g.n for g in groups))
    if se == 0:
        return TestResult("did_z", effect, 0.0, 1.0)
    z = effect / se
    return TestResult("did_z", effect, z, _two_sided_normal(z))


def welch_t_test(first: Sample, second: Sample) -> TestResult:
    """Welch's unequal-variance t-test of second − first, from summary figures.

    t = (x̄₂ − x̄₁) / √(s₁²/n₁ + s₂²/n₂); degrees of freedom by Welch–Satterthwaite.
    """
    result = stats.ttest_ind_from_stats(second.mean, second.sd, second.n, first.mean,
                                        first.sd, first.n, equal_var=False)
    v1, v2 = first.variance_of_mean, second.variance_of_mean
    df = (v1 + v2) ** 2 / (v1 ** 2 / (first.n - 1) + v2 ** 2 / (second.n - 1)) \
        if v1 + v2 > 0 else math.inf
    statistic = float(result.statistic) if not math.isnan(result.statistic) else 0.0
    p_value = float(result.pvalue) if not math.isnan(result.pvalue) else 1.0
    return TestResult("welch_t", second.mean - first.mean, statistic, p_value, df)


def difference_in_differences_means(
    trial_before: Sample, trial_after: Sample,
    comparison_before: Sample, comparison_after: Sample,
) -> TestResult:
    """t-test of the difference in differences of four independent means.

    DiD = (x̄ₜ₂ − x̄ₜ₁) − (x̄꜀₂ − x̄꜀₁);  SE = √Σ sᵢ²/nᵢ;  t = DiD / SE, with
    df = (Σ vᵢ)² / Σ vᵢ²/(nᵢ − 1), vᵢ = sᵢ²/nᵢ (Welch–Satterthwaite for four groups).
    """
    groups = (trial_before, trial_after, comparison_before, comparison_after)
    effect = (trial_after.mean - trial_before.mean) - (
        comparison_after.mean - comparison_before.mean)
    variances = [g.variance_of_mean for g in groups]
    se = math.sqrt(sum(variances))
    if se == 0:
        return TestResult("did_welch_t", effect, 0.0, 1.0, math.inf)
    df = sum(variances) ** 2 / sum(v ** 2 / (g.n - 1) for v, g in zip(variances, groups,
                                                                        strict=True))
    t = effect / se
    return TestResult("did_welch_t", effect, t, float(2 * stats.t.sf(abs(t), df)), df)
