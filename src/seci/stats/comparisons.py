"""Hypothesis tests and effect sizes, each a named function with its formula.

Proportions (first-contact resolution, satisfaction, repeat complaints) are compared with a
two-proportion z-test; with a comparison team measured before and after too, with a
difference-in-differences z-test, which removes what changed for everybody (a new tariff,
the season). Means (handling time) use Welch's t-test, which does not assume both teams
vary alike, and its difference-in-differences form. Skewed measures (handling times with a
long tail) can use the Mann–Whitney U test on the raw values; categories (complaint reasons
by team) the chi-square test of independence. Many tests at once (every agent, every
metric) are corrected with Benjamini–Hochberg. Two-sided, α = 0.05; effects and effect
sizes are second − first (after − before, trial − comparison).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from scipy import stats

from seci.stats.intervals import (
    DEFAULT_CONFIDENCE,
    mean_difference_interval,
    proportion_difference_interval,
    t_value,
    welch_degrees_of_freedom,
    z_value,
)
from seci.stats.summaries import Interval, Proportion, Sample

ALPHA = 0.05
MIN_EXPECTED_COUNT = 5  # below it the chi-square approximation is doubtful (Cochran 1954)
EXPECTED_BELOW_5 = "expected_below_5"  # warning code: some expected count < 5
DEGENERATE_TABLE = "degenerate_table"  # warning code: < 2 non-empty rows or columns


@dataclass(frozen=True)
class TestResult:
    """One test's outcome. `effect` is in the metric's unit (a rate difference, seconds);
    `effect_size` is unit-free (Cohen's h, Hedges' g, rank-biserial r, Cramér's V,
    Cohen's w, named by `effect_size_kind`); `interval` is the 95 % confidence interval of
    `effect` when the test has one; `warnings` holds codes such as "expected_below_5"."""

    __test__ = False  # not a pytest test class despite its name

    test: str  # code: two_proportion_z, did_z, welch_t, did_welch_t, mann_whitney_u, ...
    effect: float  # after − before (or trial − comparison), in the metric's unit
    statistic: float
    p_value: float
    df: float | None = None
    effect_size: float | None = None
    effect_size_kind: str | None = None  # cohens_h, hedges_g, rank_biserial, cramers_v, ...
    interval: Interval | None = None
    warnings: tuple[str, ...] = ()

    @property
    def significant(self) -> bool:
        """p < α (0.05)."""
        return self.p_value < ALPHA


def _two_sided_normal(z: float) -> float:
    return float(2 * stats.norm.sf(abs(z)))


def two_proportion_z_test(first: Proportion, second: Proportion) -> TestResult:
    """Pooled two-proportion z-test of second − first.

    p̂ = (x₁ + x₂) / (n₁ + n₂);  SE = √(p̂(1 − p̂)(1/n₁ + 1/n₂));  z = (p₂ − p₁) / SE;
    p = 2·(1 − Φ(|z|)). Effect size Cohen's h; interval Newcombe's hybrid score interval
    of p₂ − p₁ (which near α can disagree with the pooled test: they are different methods).
    """
    pooled = (first.successes + second.successes) / (first.n + second.n)
    se = math.sqrt(pooled * (1 - pooled) * (1 / first.n + 1 / second.n))
    effect = second.rate - first.rate
    z = effect / se if se else 0.0
    return TestResult("two_proportion_z", effect, z, _two_sided_normal(z) if se else 1.0,
                      effect_size=cohens_h(first.rate, second.rate),
                      effect_size_kind="cohens_h",
                      interval=proportion_difference_interval(first, second))


def difference_in_differences_proportions(
    trial_before: Proportion, trial_after: Proportion,
    comparison_before: Proportion, comparison_after: Proportion,
) -> TestResult:
    """Wald z-test of the difference in differences of four independent proportions.

    DiD = (pₜ₂ − pₜ₁) − (p꜀₂ − p꜀₁);  SE = √Σ pᵢ(1 − pᵢ)/nᵢ;  z = DiD / SE;
    interval DiD ± 1.96·SE (none when SE = 0).
    """
    groups = (trial_before, trial_after, comparison_before, comparison_after)
    effect = (trial_after.rate - trial_before.rate) - (
        comparison_after.rate - comparison_before.rate)
    se = math.sqrt(sum(g.rate * (1 - g.rate) / g.n for g in groups))
    if se == 0:
        return TestResult("did_z", effect, 0.0, 1.0)
    z = effect / se
    half = z_value(DEFAULT_CONFIDENCE) * se
    return TestResult("did_z", effect, z, _two_sided_normal(z),
                      interval=Interval(effect - half, effect + half, DEFAULT_CONFIDENCE,
                                        "normal"))


def welch_t_test(first: Sample, second: Sample) -> TestResult:
    """Welch's unequal-variance t-test of second − first, from summary figures.

    t = (x̄₂ − x̄₁) / √(s₁²/n₁ + s₂²/n₂); degrees of freedom by Welch–Satterthwaite.
    Effect size Hedges' g; interval the Welch interval of x̄₂ − x̄₁. Needs n ≥ 2 per side.
    """
    result = stats.ttest_ind_from_stats(second.mean, second.sd, second.n, first.mean,
                                        first.sd, first.n, equal_var=False)
    df = welch_degrees_of_freedom(first, second)
    statistic = float(result.statistic) if not math.isnan(result.statistic) else 0.0
    p_value = float(result.pvalue) if not math.isnan(result.pvalue) else 1.0
    g = hedges_g(first, second)
    return TestResult("welch_t", second.mean - first.mean, statistic, p_value, df,
                      effect_size=g, effect_size_kind="hedges_g" if g is not None else None,
                      interval=mean_difference_interval(first, second))


def difference_in_differences_means(
    trial_before: Sample, trial_after: Sample,
    comparison_before: Sample, comparison_after: Sample,
) -> TestResult:
    """t-test of the difference in differences of four independent means.

    DiD = (x̄ₜ₂ − x̄ₜ₁) − (x̄꜀₂ − x̄꜀₁);  SE = √Σ sᵢ²/nᵢ;  t = DiD / SE, with
    df = (Σ vᵢ)² / Σ vᵢ²/(nᵢ − 1), vᵢ = sᵢ²/nᵢ (Welch–Satterthwaite for four groups);
    interval DiD ± t_df(0.975)·SE.
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
    half = t_value(df, DEFAULT_CONFIDENCE) * se
    return TestResult("did_welch_t", effect, t, float(2 * stats.t.sf(abs(t), df)), df,
                      interval=Interval(effect - half, effect + half, DEFAULT_CONFIDENCE,
                                        "t"))


def mann_whitney_u(first: Sequence[float], second: Sequence[float]) -> TestResult:
    """Two-sided Mann–Whitney U (Wilcoxon rank-sum) test of the raw values, by scipy.

    U₁ = R₁ − n₁(n₁ + 1)/2 with R₁ the rank sum of `first` in the pooled sample (mid-ranks
    for ties), i.e. #(x > y) + ½·#(x = y) over all pairs; `statistic` is U₁. scipy's
    default method: exact for small samples without ties, else the normal approximation
    with tie and continuity corrections.
    Effect size: rank-biserial r = 1 − 2U₁/(n₁n₂) = P(y > x) − P(y < x), from −1 to 1,
    positive when `second` tends to be larger. `effect` = median(second) − median(first).
    ValueError on an empty sample.
    """
    if not first or not second:
        raise ValueError("the Mann–Whitney test needs at least one value on each side")
    result = stats.mannwhitneyu(first, second, alternative="two-sided")
    u1 = float(result.statistic)
    p_value = float(result.pvalue)
    r = 1 - 2 * u1 / (len(first) * len(second))
    effect = _median(second) - _median(first)
    return TestResult("mann_whitney_u", effect, u1, 1.0 if math.isnan(p_value) else p_value,
                      effect_size=r, effect_size_kind="rank_biserial")


def chi_square_independence(table: Sequence[Sequence[float]]) -> TestResult:
    """Pearson's chi-square test of independence of an r × c table of counts.

    Eᵢⱼ = rowᵢ·colⱼ / N;  χ² = Σ (Oᵢⱼ − Eᵢⱼ)² / Eᵢⱼ;  df = (r − 1)(c − 1); no continuity
    correction (scipy's chi2_contingency with correction=False). Rows or columns that are
    all zero carry no information and are dropped first; fewer than 2 non-empty rows or
    columns gives statistic 0, p = 1, df 0 and the warning "degenerate_table".
    Effect size Cramér's V = √(χ² / (N·(min(r, c) − 1))), from 0 to 1, also given as
    `effect`. The warning "expected_below_5" is set when any Eᵢⱼ < 5 (the approximation is
    then doubtful; merge categories or use an exact test).
    """
    rows = [list(map(float, row)) for row in table]
    if rows and any(len(row) != len(rows[0]) for row in rows):
        raise ValueError("every row of the table needs the same number of columns")
    if any(value < 0 or math.isnan(value) for row in rows for value in row):
        raise ValueError("counts cannot be negative or NaN")
    rows = [row for row in rows if sum(row) > 0]
    keep = [j for j in range(len(rows[0]) if rows else 0) if sum(row[j] for row in rows) > 0]
    rows = [[row[j] for j in keep] for row in rows]
    if len(rows) < 2 or len(keep) < 2:
        return TestResult("chi_square_independence", 0.0, 0.0, 1.0, 0.0,
                          warnings=(DEGENERATE_TABLE,))
    row_totals = [sum(row) for row in rows]
    column_totals = [sum(column) for column in zip(*rows, strict=True)]
    total = sum(row_totals)
    expected = [[r * c / total for c in column_totals] for r in row_totals]
    statistic = sum((o - e) ** 2 / e for row, e_row in zip(rows, expected, strict=True)
                    for o, e in zip(row, e_row, strict=True))
    df = (len(rows) - 1) * (len(keep) - 1)
    v = math.sqrt(statistic / (total * (min(len(rows), len(keep)) - 1)))
    warnings = (EXPECTED_BELOW_5,) if any(e < MIN_EXPECTED_COUNT for row in expected
                                          for e in row) else ()
    return TestResult("chi_square_independence", v, statistic, float(stats.chi2.sf(statistic, df)),
                      float(df), effect_size=v, effect_size_kind="cramers_v",
                      warnings=warnings)


def chi_square_goodness_of_fit(observed: Sequence[int],
                               expected_shares: Sequence[float] | None = None,
                               *, ddof: int = 0) -> TestResult:
    """Pearson's chi-square goodness-of-fit test of counts against expected shares.

    Eᵢ = N·wᵢ/Σw (the shares are rescaled, so expected counts or proportions both work;
    None means equal shares);  χ² = Σ (Oᵢ − Eᵢ)²/Eᵢ;  df = k − 1 − ddof (ddof = number of
    parameters estimated from the data). Effect size Cohen's w = √(χ²/N), also `effect`.
    N = 0 gives statistic 0, p = 1. Warning "expected_below_5" when some Eᵢ < 5.
    ValueError when a share is not positive or k − 1 − ddof < 1.
    """
    k = len(observed)
    shares = [1.0] * k if expected_shares is None else [float(w) for w in expected_shares]
    if len(shares) != k:
        raise ValueError("observed and expected_shares need the same length")
    if any(count < 0 for count in observed) or any(not w > 0 for w in shares):
        raise ValueError("counts cannot be negative and every expected share must be > 0")
    df = k - 1 - ddof
    if df < 1:
        raise ValueError("the test needs k − 1 − ddof ≥ 1")
    total = sum(observed)
    if total == 0:
        return TestResult("chi_square_goodness_of_fit", 0.0, 0.0, 1.0, float(df))
    weight = math.fsum(shares)
    expected = [total * w / weight for w in shares]
    statistic = sum((o - e) ** 2 / e for o, e in zip(observed, expected, strict=True))
    w_effect = math.sqrt(statistic / total)
    warnings = (EXPECTED_BELOW_5,) if any(e < MIN_EXPECTED_COUNT for e in expected) else ()
    return TestResult("chi_square_goodness_of_fit", w_effect, statistic,
                      float(stats.chi2.sf(statistic, df)), float(df), effect_size=w_effect,
                      effect_size_kind="cohens_w", warnings=warnings)


def cohens_h(p1: float, p2: float) -> float:
    """Cohen's h for two proportions, second − first: h = 2·asin√p₂ − 2·asin√p₁.

    Rough guide (Cohen 1988): |h| 0.2 small, 0.5 medium, 0.8 large.
    """
    if not (0 <= p1 <= 1 and 0 <= p2 <= 1):
        raise ValueError("proportions lie between 0 and 1")
    return 2 * math.asin(math.sqrt(p2)) - 2 * math.asin(math.sqrt(p1))


def pooled_sd(first: Sample, second: Sample) -> float | None:
    """sₚ = √(((n₁ − 1)s₁² + (n₂ − 1)s₂²) / (n₁ + n₂ − 2)); None when n₁ + n₂ − 2 < 1."""
    df = first.n + second.n - 2
    if df < 1:
        return None
    return math.sqrt(((first.n - 1) * first.sd ** 2 + (second.n - 1) * second.sd ** 2) / df)


def cohens_d(first: Sample, second: Sample) -> float | None:
    """Cohen's d, second − first, from summaries: d = (x̄₂ − x̄₁) / sₚ with the pooled sd
    (`pooled_sd`). None when sₚ is undefined or 0. Guide: 0.2 small, 0.5 medium, 0.8 large.
    """
    sp = pooled_sd(first, second)
    if not sp:
        return None
    return (second.mean - first.mean) / sp


def hedges_g(first: Sample, second: Sample) -> float | None:
    """Hedges' g: Cohen's d corrected for its small-sample bias, g = J(ν)·d.

    ν = n₁ + n₂ − 2;  J(ν) = Γ(ν/2) / (√(ν/2)·Γ((ν − 1)/2)) exactly (≈ 1 − 3/(4ν − 1)).
    None when d is undefined or ν < 2.
    """
    d = cohens_d(first, second)
    df = first.n + second.n - 2
    if d is None or df < 2:
        return None
    j = math.exp(math.lgamma(df / 2) - math.lgamma((df - 1) / 2)) / math.sqrt(df / 2)
    return j * d


def benjamini_hochberg(p_values: Sequence[float]) -> list[float]:
    """Benjamini–Hochberg (1995) adjusted p-values (q-values), in the input order.

    With p₍₁₎ ≤ … ≤ p₍ₘ₎ sorted:  q₍ᵢ₎ = min over j ≥ i of min(1, m·p₍ⱼ₎ / j).
    Monotone in p, never below p, at most 1; equal to scipy's
    `false_discovery_control(ps, method="bh")`. Rejecting every q ≤ α is the BH step-up
    rule and controls the false discovery rate at α for independent (or positively
    dependent) tests. [] for []; ValueError for a p outside [0, 1] or NaN.
    """
    if any(not 0 <= p <= 1 for p in p_values):
        raise ValueError("p-values lie between 0 and 1")
    m = len(p_values)
    order = sorted(range(m), key=lambda i: p_values[i])
    adjusted = [0.0] * m
    running = 1.0
    for rank in range(m, 0, -1):
        index = order[rank - 1]
        running = min(running, m * p_values[index] / rank)
        adjusted[index] = running
    return adjusted


def benjamini_hochberg_rejections(p_values: Sequence[float], fdr: float = ALPHA
                                  ) -> list[bool]:
    """Which hypotheses Benjamini–Hochberg rejects at false discovery rate `fdr`, in the
    input order: qᵢ ≤ fdr with qᵢ from `benjamini_hochberg`."""
    if not 0 < fdr < 1:
        raise ValueError("the false discovery rate lies strictly between 0 and 1")
    return [q <= fdr for q in benjamini_hochberg(p_values)]


def _median(values: Sequence[float]) -> float:
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return float(ordered[middle])
    return (ordered[middle - 1] + ordered[middle]) / 2
