"""The tests and effect sizes against examples worked by hand (values to 4 decimals) and
against scipy. The first six are the evaluation's tests, moved from tests/tacit unchanged."""

from __future__ import annotations

import itertools
import math
import random

import pytest
from scipy import stats as scipy_stats

from seci import stats as st


def test_two_proportion_z_test_matches_the_hand_computation() -> None:
    # 800/1000 → 850/1000: pooled p = 1650/2000 = 0.825,
    # SE = √(0.825 · 0.175 · (1/1000 + 1/1000)) = √0.00028875 = 0.016993,
    # z = 0.05 / 0.016993 = 2.9424, p = 2 · (1 − Φ(2.9424)) = 0.003256.
    result = st.two_proportion_z_test(st.Proportion(800, 1000), st.Proportion(850, 1000))
    assert result.effect == pytest.approx(0.05)
    assert result.statistic == pytest.approx(2.9424, abs=1e-4)
    assert result.p_value == pytest.approx(0.003256, abs=1e-5)
    assert result.significant


def test_a_small_change_on_few_calls_is_not_significant() -> None:
    # 40/50 → 42/50: pooled 0.82, SE = √(0.82 · 0.18 · 0.04) = 0.076837,
    # z = 0.04 / 0.076837 = 0.5206, p = 0.6027.
    result = st.two_proportion_z_test(st.Proportion(40, 50), st.Proportion(42, 50))
    assert result.statistic == pytest.approx(0.5206, abs=1e-4)
    assert result.p_value == pytest.approx(0.6027, abs=1e-4)
    assert not result.significant


def test_difference_in_differences_of_proportions() -> None:
    # Trial 0.80 → 0.85, comparison 0.79 → 0.80: DiD = 0.05 − 0.01 = 0.04,
    # SE = √(0.16/1000 + 0.1275/1000 + 0.1659/1000 + 0.16/1000) = √0.0006134 = 0.024767,
    # z = 1.6151, p = 0.1063.
    result = st.difference_in_differences_proportions(
        st.Proportion(800, 1000), st.Proportion(850, 1000),
        st.Proportion(790, 1000), st.Proportion(800, 1000))
    assert result.effect == pytest.approx(0.04)
    assert result.statistic == pytest.approx(1.6151, abs=1e-4)
    assert result.p_value == pytest.approx(0.1063, abs=1e-4)


def test_welch_t_test_from_summary_figures() -> None:
    # 300 ± 60 (n 50) → 280 ± 50 (n 60): SE = √(72 + 41.6667) = 10.6615,
    # t = −20 / 10.6615 = −1.8759, df = 113.6667² / (72²/49 + 41.6667²/59) = 95.55,
    # p = 2 · T₉₅.₅₅(−1.8759) = 0.0637.
    result = st.welch_t_test(st.Sample(300, 60, 50), st.Sample(280, 50, 60))
    assert result.effect == -20
    assert result.statistic == pytest.approx(-1.8759, abs=1e-4)
    assert result.df == pytest.approx(95.55, abs=0.01)
    assert result.p_value == pytest.approx(0.0637, abs=1e-4)


def test_difference_in_differences_of_means() -> None:
    # Trial 300 → 280, comparison 305 → 300: DiD = −20 − (−5) = −15,
    # SE = √(72 + 41.6667 + 75.625 + 74.7556) = √264.0472 = 16.2495, t = −0.9231,
    # df = 264.0472² / (72²/49 + 41.6667²/59 + 75.625²/39 + 74.7556²/44) = 170.5.
    result = st.difference_in_differences_means(
        st.Sample(300, 60, 50), st.Sample(280, 50, 60),
        st.Sample(305, 55, 40), st.Sample(300, 58, 45))
    assert result.effect == -15
    assert result.statistic == pytest.approx(-0.9231, abs=1e-4)
    assert result.df == pytest.approx(170.5, abs=0.1)
    assert result.p_value == pytest.approx(0.3573, abs=1e-4)


def test_no_variation_gives_no_evidence() -> None:
    result = st.two_proportion_z_test(st.Proportion(10, 10), st.Proportion(20, 20))
    assert result.p_value == 1.0
    assert not math.isnan(result.statistic)


# The optional fields the tests gained.

def test_two_proportion_z_test_reports_cohens_h_and_the_newcombe_interval() -> None:
    # h = 2·asin√0.85 − 2·asin√0.80 = 2·1.173097 − 2·1.107149 = 0.131896.
    result = st.two_proportion_z_test(st.Proportion(800, 1000), st.Proportion(850, 1000))
    assert result.effect_size == pytest.approx(0.131896, abs=1e-6)
    assert result.effect_size_kind == "cohens_h"
    assert result.interval == st.proportion_difference_interval(
        st.Proportion(800, 1000), st.Proportion(850, 1000))
    assert result.interval is not None
    assert result.interval.lower == pytest.approx(0.0167, abs=1e-4)
    assert result.interval.upper == pytest.approx(0.0832, abs=1e-4)


def test_welch_t_test_reports_hedges_g_and_the_welch_interval() -> None:
    # sₚ = √((49·3600 + 59·2500)/108) = √(323900/108) = 54.7637, d = −20/54.7637 = −0.365206,
    # J(108) ≈ 1 − 3/(4·108 − 1) = 0.993039, g = −0.362664.
    # Interval: −20 ± t₉₅.₅₅(0.975)·10.6615 = −20 ± 1.985104·10.6615 = (−41.1641, 1.1641).
    result = st.welch_t_test(st.Sample(300, 60, 50), st.Sample(280, 50, 60))
    assert result.effect_size == pytest.approx(-0.362664, abs=1e-5)
    assert result.interval is not None
    assert result.interval.lower == pytest.approx(-41.1641, abs=1e-3)
    assert result.interval.upper == pytest.approx(1.1641, abs=1e-3)


def test_difference_in_differences_intervals() -> None:
    # Proportions: 0.04 ± 1.959964·0.024767 = 0.04 ± 0.048542.
    did_z = st.difference_in_differences_proportions(
        st.Proportion(800, 1000), st.Proportion(850, 1000),
        st.Proportion(790, 1000), st.Proportion(800, 1000))
    assert did_z.interval is not None
    assert did_z.interval.lower == pytest.approx(0.04 - 0.048542, abs=1e-5)
    # Means: −15 ± t₁₇₀.₅(0.975)·16.2495 = −15 ± 1.97398·16.2495 = −15 ± 32.0761.
    did_t = st.difference_in_differences_means(
        st.Sample(300, 60, 50), st.Sample(280, 50, 60),
        st.Sample(305, 55, 40), st.Sample(300, 58, 45))
    assert did_t.interval is not None
    assert did_t.interval.upper == pytest.approx(-15 + 32.0761, abs=1e-2)


def test_test_result_defaults_keep_old_callers_working() -> None:
    result = st.TestResult("two_proportion_z", 0.1, 2.0, 0.04)
    assert (result.df, result.effect_size, result.interval, result.warnings) == (
        None, None, None, ())
    assert result.significant


# Mann–Whitney U.

def test_mann_whitney_separated_samples() -> None:
    # No x exceeds any y: U₁ = 0. Exact: of the C(6,3) = 20 equally likely rank sets, only
    # one gives U = 0 and one U = 9, so p = 2/20 = 0.1. r = 1 − 2·0/9 = 1.
    result = st.mann_whitney_u([1, 2, 3], [4, 5, 6])
    assert result.statistic == 0
    assert result.p_value == pytest.approx(0.1)
    assert result.effect_size == 1
    assert result.effect_size_kind == "rank_biserial"
    assert result.effect == 3  # median 5 − median 2


def test_mann_whitney_counts_ties_as_half() -> None:
    # Pairs (x, y): no x > y; the two x = 3 tie with y = 3 → U₁ = 0 + ½·2 = 1;
    # r = 1 − 2·1/(4·3) = 0.8333; effect = median(3, 5, 6) − median(1, 2, 3, 3) = 5 − 2.5.
    result = st.mann_whitney_u([1, 2, 3, 3], [3, 5, 6])
    assert result.statistic == 1
    assert result.effect_size == pytest.approx(0.8333, abs=1e-4)
    assert result.effect == 2.5


def test_mann_whitney_matches_scipy_on_larger_samples() -> None:
    rng = random.Random(7)
    first = [round(rng.gauss(300, 60)) for _ in range(40)]
    second = [round(rng.gauss(280, 60)) for _ in range(35)]
    expected = scipy_stats.mannwhitneyu(first, second, alternative="two-sided")
    result = st.mann_whitney_u(first, second)
    assert result.statistic == pytest.approx(float(expected.statistic))
    assert result.p_value == pytest.approx(float(expected.pvalue))
    assert result.effect_size == pytest.approx(1 - 2 * float(expected.statistic) / (40 * 35))


def test_mann_whitney_needs_values_on_both_sides() -> None:
    with pytest.raises(ValueError):
        st.mann_whitney_u([], [1.0])


def test_mann_whitney_on_identical_values_gives_no_evidence() -> None:
    result = st.mann_whitney_u([5, 5, 5], [5, 5])
    assert result.p_value == 1.0
    assert result.effect_size == 0


# Chi-square.

def test_chi_square_independence_by_hand() -> None:
    # Rows 30, 70; columns 40, 60; N 100 → E = [[12, 18], [28, 42]];
    # χ² = 2²/12 + 2²/18 + 2²/28 + 2²/42 = 0.33333 + 0.22222 + 0.14286 + 0.09524 = 0.79365;
    # df 1; V = √(0.79365/(100·1)) = 0.08909.
    result = st.chi_square_independence([[10, 20], [30, 40]])
    assert result.statistic == pytest.approx(0.79365, abs=1e-5)
    assert result.df == 1
    assert result.effect_size == pytest.approx(0.08909, abs=1e-5)
    assert result.effect_size_kind == "cramers_v"
    assert result.p_value == pytest.approx(0.3730, abs=1e-4)
    assert result.warnings == ()


def test_chi_square_independence_matches_scipy_and_cramers_v_by_hand() -> None:
    table = [[20, 15, 5], [10, 25, 15], [5, 10, 30]]
    expected = scipy_stats.chi2_contingency(table, correction=False)
    result = st.chi_square_independence(table)
    assert result.statistic == pytest.approx(float(expected.statistic))
    assert result.p_value == pytest.approx(float(expected.pvalue))
    assert result.df == expected.dof == 4
    # V = √(χ²/(N·(3 − 1))), N = 135.
    assert result.effect_size == pytest.approx(math.sqrt(float(expected.statistic) / 270))


def test_chi_square_warns_when_expected_counts_are_small() -> None:
    # E = [[1.2, 1.8], [2.8, 4.2]]: all below 5.
    assert st.chi_square_independence([[1, 2], [3, 4]]).warnings == ("expected_below_5",)


def test_chi_square_drops_empty_rows_and_columns() -> None:
    plain = st.chi_square_independence([[10, 20], [30, 40]])
    padded = st.chi_square_independence([[10, 0, 20], [0, 0, 0], [30, 0, 40]])
    assert padded.statistic == pytest.approx(plain.statistic)
    assert padded.df == 1


def test_chi_square_of_a_table_with_one_usable_column_gives_no_evidence() -> None:
    result = st.chi_square_independence([[5, 0], [7, 0]])
    assert (result.statistic, result.p_value, result.warnings) == (0.0, 1.0,
                                                                     ("degenerate_table",))


def test_chi_square_rejects_ragged_or_negative_tables() -> None:
    with pytest.raises(ValueError):
        st.chi_square_independence([[1, 2], [3]])
    with pytest.raises(ValueError):
        st.chi_square_independence([[1, -2], [3, 4]])


def test_chi_square_goodness_of_fit_by_hand() -> None:
    # Equal shares of 100: E = 33.333 each; χ² = (3.333² + 13.333² + 16.667²)/33.333
    # = (11.111 + 177.778 + 277.778)/33.333 = 14.0; df 2, and for 2 df p = e^(−χ²/2) = e^−7
    # = 0.000912; Cohen's w = √(14/100) = 0.3742.
    result = st.chi_square_goodness_of_fit([30, 20, 50])
    assert result.statistic == pytest.approx(14.0)
    assert result.p_value == pytest.approx(math.exp(-7))
    assert result.effect_size == pytest.approx(0.3742, abs=1e-4)
    expected = scipy_stats.chisquare([30, 20, 50])
    assert result.p_value == pytest.approx(float(expected.pvalue))


def test_chi_square_goodness_of_fit_with_shares_or_counts() -> None:
    # Shares 0.5, 0.3, 0.2 of N = 100 → E = 50, 30, 20; O = 50, 40, 10:
    # χ² = 0²/50 + 10²/30 + 10²/20 = 0 + 3.3333 + 5 = 8.3333.
    by_share = st.chi_square_goodness_of_fit([50, 40, 10], [0.5, 0.3, 0.2])
    by_count = st.chi_square_goodness_of_fit([50, 40, 10], [500, 300, 200])
    assert by_share.statistic == pytest.approx(8.3333, abs=1e-4)
    assert by_count.statistic == pytest.approx(by_share.statistic)
    assert by_share.df == 2


def test_chi_square_goodness_of_fit_edges() -> None:
    assert st.chi_square_goodness_of_fit([0, 0, 0]).p_value == 1.0
    assert st.chi_square_goodness_of_fit([1, 2, 3]).warnings == ("expected_below_5",)
    with pytest.raises(ValueError):
        st.chi_square_goodness_of_fit([1, 2], [1.0, 0.0])
    with pytest.raises(ValueError):
        st.chi_square_goodness_of_fit([1, 2], ddof=1)


# Effect sizes.

def test_cohens_h_by_hand() -> None:
    # 2·asin√0.8 − 2·asin√0.5 = 2·1.107149 − 2·0.785398 = 0.643501; sign: second − first.
    assert st.cohens_h(0.5, 0.8) == pytest.approx(0.643501, abs=1e-6)
    assert st.cohens_h(0.8, 0.5) == pytest.approx(-0.643501, abs=1e-6)
    assert st.cohens_h(0.0, 1.0) == pytest.approx(math.pi)


def test_cohens_d_and_hedges_g_by_hand() -> None:
    # sₚ = √((9·4 + 9·9)/18) = √6.5 = 2.549510; d = (12 − 10)/2.549510 = 0.784465.
    # J(18) = Γ(9)/(√9·Γ(8.5)) = 40320/(3·14034.41) = 0.957647 (≈ 1 − 3/71 = 0.957746);
    # g = 0.957647·0.784465 = 0.751240.
    first, second = st.Sample(10, 2, 10), st.Sample(12, 3, 10)
    assert st.pooled_sd(first, second) == pytest.approx(2.549510, abs=1e-6)
    assert st.cohens_d(first, second) == pytest.approx(0.784465, abs=1e-6)
    assert st.hedges_g(first, second) == pytest.approx(0.751240, abs=1e-6)


def test_effect_sizes_without_spread_are_none() -> None:
    assert st.cohens_d(st.Sample(1, 0, 5), st.Sample(2, 0, 5)) is None
    assert st.hedges_g(st.Sample(1, 1, 1), st.Sample(2, 1, 2)) is None  # ν = 1


# Benjamini–Hochberg.

def test_benjamini_hochberg_by_hand() -> None:
    # m = 5, sorted p: 0.005, 0.01, 0.03, 0.04, 0.20;
    # m·p/rank: 0.025, 0.025, 0.05, 0.05, 0.20; running minimum from the top gives the same;
    # back in input order: 0.01 → 0.025, 0.04 → 0.05, 0.03 → 0.05, 0.005 → 0.025, 0.2 → 0.2.
    q = st.benjamini_hochberg([0.01, 0.04, 0.03, 0.005, 0.20])
    assert q == pytest.approx([0.025, 0.05, 0.05, 0.025, 0.2])
    assert st.benjamini_hochberg_rejections([0.01, 0.04, 0.03, 0.005, 0.20]) == [
        True, True, True, True, False]
    assert st.benjamini_hochberg_rejections([0.01, 0.04, 0.03, 0.005, 0.20], fdr=0.04) == [
        True, False, False, True, False]


def test_benjamini_hochberg_steps_up() -> None:
    # m·p/rank = 0.04, 0.04, 0.046667, 0.04: the last (largest p) pulls the third down to
    # 0.04, so all four are rejected at 0.04 although 0.035·4/3 > 0.04.
    assert st.benjamini_hochberg([0.01, 0.02, 0.035, 0.04]) == pytest.approx([0.04] * 4)


def test_benjamini_hochberg_matches_scipy() -> None:
    rng = random.Random(3)
    p_values = [rng.random() ** 3 for _ in range(40)] + [0.5, 0.5, 1.0, 0.0]
    expected = scipy_stats.false_discovery_control(p_values, method="bh")
    q = st.benjamini_hochberg(p_values)
    assert q == pytest.approx([float(v) for v in expected])
    ordered = sorted(zip(p_values, q, strict=True))
    assert all(a[1] <= b[1] for a, b in itertools.pairwise(ordered))
    assert all(qi >= p for p, qi in zip(p_values, q, strict=True))


def test_benjamini_hochberg_edges() -> None:
    assert st.benjamini_hochberg([]) == []
    assert st.benjamini_hochberg([0.03]) == [0.03]
    with pytest.raises(ValueError):
        st.benjamini_hochberg([0.5, 1.5])
    with pytest.raises(ValueError):
        st.benjamini_hochberg([math.nan])
