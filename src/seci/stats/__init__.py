"""SECI's statistics: named, typed, pure functions, each with its formula in its docstring
and pinned by worked examples in tests/stats. No database, no web: KPI code gathers the
counts and calls these.

  summaries    Proportion, Sample, Interval: what goes in and comes out
  intervals    Rate, Wilson / t / normal intervals, differences (Newcombe, Welch)
  comparisons  z, t, Mann–Whitney, chi-square tests; effect sizes; Benjamini–Hochberg
  control      Shewhart charts (p, np, c, u, I-MR, X̄-S) with a chosen baseline
  rules        Western Electric and Nelson special-cause rules
  funnel       funnel-plot limits for units of different volumes (Spiegelhalter 2005)
  pareto       the vital few categories
  descriptive  moments from sums, percentiles, CV, dispersion of rates over periods
  stratified   effects within strata: the Mantel–Haenszel risk difference (Sato variance)
  counts       bursts (Poisson) and trends of counts over periods
  shrinkage    beta-binomial empirical Bayes for small-volume rates
  words        words that mark one group of texts (log-odds, informative Dirichlet prior)
  correlation  Pearson and Spearman with Fisher-z intervals and p-values
  reliability  Cronbach's α of a scale
  items        item analysis of exams: facility, discrimination, efficiency, KR-20, SEM,
               distractors (numpy, vectorised)
  paired       paired t-test and Wilcoxon signed-rank of before/after pairs
"""

from seci.stats.comparisons import (
    ALPHA,
    DEGENERATE_TABLE,
    EXPECTED_BELOW_5,
    TestResult,
    benjamini_hochberg,
    benjamini_hochberg_rejections,
    chi_square_goodness_of_fit,
    chi_square_independence,
    cohens_d,
    cohens_h,
    difference_in_differences_means,
    difference_in_differences_proportions,
    hedges_g,
    mann_whitney_u,
    pooled_sd,
    two_proportion_z_test,
    welch_t_test,
)
from seci.stats.control import (
    Baseline,
    ControlChart,
    IndividualsMovingRangeChart,
    XbarSChart,
    a3,
    b3,
    b4,
    baseline_mask,
    c4,
    c_chart,
    individuals_moving_range_chart,
    np_chart,
    p_chart,
    u_chart,
    xbar_s_chart,
)
from seci.stats.correlation import (
    Correlation,
    pearson_correlation,
    spearman_correlation,
)
from seci.stats.descriptive import (
    DispersionRatio,
    coefficient_of_variation,
    dispersion_ratio,
    mean_from_sums,
    median,
    p90,
    percentile,
    sample_from_sums,
    sd_from_sums,
    summarize,
    variance_from_sums,
)
from seci.stats.funnel import (
    FunnelLimits,
    FunnelPoint,
    FunnelPosition,
    funnel_sizes,
    mean_funnel,
    mean_funnel_curve,
    mean_funnel_limits,
    proportion_funnel,
    proportion_funnel_curve,
    proportion_funnel_limits,
)
from seci.stats.intervals import (
    Rate,
    mean_difference_interval,
    normal_interval,
    proportion_difference_interval,
    t_interval_from_values,
    t_interval_mean,
    t_value,
    welch_degrees_of_freedom,
    wilson_interval,
    z_value,
)
from seci.stats.paired import paired_t_test, wilcoxon_signed_rank
from seci.stats.pareto import ParetoRow, pareto
from seci.stats.reliability import cronbach_alpha
from seci.stats.rules import (
    BEYOND_LIMITS,
    NELSON,
    WESTERN_ELECTRIC,
    special_causes,
    standardize,
)
from seci.stats.summaries import Interval, Proportion, Sample

__all__ = [
    "ALPHA", "BEYOND_LIMITS", "DEGENERATE_TABLE", "EXPECTED_BELOW_5", "NELSON", "WESTERN_ELECTRIC",
    "Baseline", "ControlChart", "Correlation", "DispersionRatio", "FunnelLimits", "FunnelPoint",
    "FunnelPosition", "IndividualsMovingRangeChart", "Interval", "ParetoRow", "Proportion",
    "Rate", "Sample", "TestResult", "XbarSChart",
    "a3", "b3", "b4", "baseline_mask", "benjamini_hochberg", "benjamini_hochberg_rejections",
    "c4", "c_chart", "chi_square_goodness_of_fit", "chi_square_independence",
    "coefficient_of_variation", "cohens_d", "cohens_h", "cronbach_alpha",
    "difference_in_differences_means",
    "difference_in_differences_proportions", "dispersion_ratio", "funnel_sizes", "hedges_g",
    "individuals_moving_range_chart", "mann_whitney_u", "mean_difference_interval",
    "mean_from_sums", "mean_funnel", "mean_funnel_curve", "mean_funnel_limits", "median",
    "normal_interval", "np_chart", "p90", "p_chart", "paired_t_test", "pareto",
    "pearson_correlation",
    "percentile", "pooled_sd",
    "proportion_difference_interval", "proportion_funnel", "proportion_funnel_curve",
    "proportion_funnel_limits", "sample_from_sums", "sd_from_sums", "spearman_correlation",
    "special_causes",
    "standardize", "summarize", "t_interval_from_values", "t_interval_mean", "t_value",
    "two_proportion_z_test", "u_chart", "variance_from_sums", "welch_degrees_of_freedom",
    "welch_t_test", "wilcoxon_signed_rank", "wilson_interval", "xbar_s_chart", "z_value",
]
