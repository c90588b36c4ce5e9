"""Descriptive statistics by hand and against numpy."""

from __future__ import annotations

import math
import random

import numpy as np
import pytest

from seci import stats as st


def test_moments_from_sums() -> None:
    # 2, 4, 4, 4, 5, 5, 7, 9: n 8, Σx = 40, Σx² = 4 + 16·3 + 25·2 + 49 + 81 = 232;
    # x̄ = 5; s² = (232 − 40²/8)/7 = (232 − 200)/7 = 4.571429; s = 2.138090.
    assert st.mean_from_sums(8, 40) == 5
    assert st.variance_from_sums(8, 40, 232) == pytest.approx(4.571429, abs=1e-6)
    assert st.sd_from_sums(8, 40, 232) == pytest.approx(2.138090, abs=1e-6)
    sample = st.sample_from_sums(8, 40, 232)
    assert sample is not None
    assert (sample.mean, sample.n) == (5, 8)
    assert sample.sd == pytest.approx(2.138090, abs=1e-6)


def test_moments_from_sums_edges() -> None:
    assert st.mean_from_sums(0, 0) is None
    assert st.variance_from_sums(1, 5, 25) is None
    assert st.sample_from_sums(1, 5, 25) is None
    # Identical values 0.1 (×3): Σx² − (Σx)²/n rounds to a tiny negative; it is clamped.
    total, squares = 0.1 + 0.1 + 0.1, 0.1 ** 2 * 3
    assert total * total / 3 > squares  # the rounding this guards against
    assert st.variance_from_sums(3, total, squares) == 0.0
    with pytest.raises(ValueError):
        st.mean_from_sums(-1, 0)


def test_summarize_raw_values() -> None:
    sample = st.summarize([2, 4, 4, 4, 5, 5, 7, 9])
    assert sample is not None
    assert (sample.mean, sample.n) == (5, 8)
    assert sample.sd == pytest.approx(2.138090, abs=1e-6)
    assert st.summarize([1.0]) is None


def test_percentile_by_hand() -> None:
    # Sorted 15, 20, 35, 40, 50 (n 5). q = 40: h = 4·0.4 = 1.6 → 20 + 0.6·(35 − 20) = 29.
    # Median: h = 2 → 35. p90: h = 3.6 → 40 + 0.6·10 = 46.
    values = [35, 20, 50, 15, 40]
    assert st.percentile(values, 40) == pytest.approx(29)
    assert st.median(values) == 35
    assert st.p90(values) == pytest.approx(46)
    assert st.percentile(values, 0) == 15
    assert st.percentile(values, 100) == 50
    assert st.median([1, 2, 3, 4]) == 2.5


def test_percentile_matches_numpys_default() -> None:
    rng = random.Random(11)
    values = [rng.expovariate(1 / 300) for _ in range(57)]
    for q in (0, 5, 25, 50, 90, 95, 99, 100):
        assert st.percentile(values, q) == pytest.approx(float(np.percentile(values, q)))


def test_percentile_edges() -> None:
    assert st.percentile([], 50) is None
    assert st.p90([7.0]) == 7.0
    with pytest.raises(ValueError):
        st.percentile([1.0], 101)
    with pytest.raises(ValueError):
        st.percentile([1.0, math.nan], 50)


def test_coefficient_of_variation() -> None:
    # 60/300 = 0.2.
    assert st.coefficient_of_variation(300, 60) == pytest.approx(0.2)
    assert st.coefficient_of_variation(0, 5) is None


def test_dispersion_ratio_by_hand() -> None:
    # Weeks 8/10, 5/10, 9/10, 6/10: rates 0.8, 0.5, 0.9, 0.6; p̄ = 28/40 = 0.7; mean rate 0.7.
    # Observed variance = (0.1² + 0.2² + 0.2² + 0.1²)/3 = 0.1/3 = 0.033333.
    # Binomial: p̄(1 − p̄)/10 = 0.021 each. Ratio = 0.033333/0.021 = 1.5873.
    # χ² = Σ(x − 7)²/(10·0.21) = (1 + 4 + 4 + 1)/2.1 = 4.7619 on 3 df, p = 0.1901.
    result = st.dispersion_ratio([st.Proportion(8, 10), st.Proportion(5, 10),
                                  st.Proportion(9, 10), st.Proportion(6, 10)])
    assert result is not None
    assert result.ratio == pytest.approx(1.5873, abs=1e-4)
    assert result.statistic == pytest.approx(4.7619, abs=1e-4)
    assert result.statistic / result.df == pytest.approx(result.ratio)  # equal n
    assert result.p_value == pytest.approx(0.1901, abs=1e-4)
    assert result.periods == 4
    assert result.pooled_rate == pytest.approx(0.7)


def test_dispersion_ratio_with_unequal_weeks() -> None:
    # 30/40, 10/20, 0/0 (skipped): p̄ = 40/60 = 0.666667, rates 0.75 and 0.5, mean 0.625.
    # Observed variance = (0.125² + 0.125²)/1 = 0.03125.
    # Binomial: (0.222222/40 + 0.222222/20)/2 = (0.005556 + 0.011111)/2 = 0.008333.
    # Ratio = 3.75. χ² = (30 − 26.6667)²/(40·0.222222) + (10 − 13.3333)²/(20·0.222222)
    # = 11.1111/8.8889 + 11.1111/4.4444 = 1.25 + 2.5 = 3.75 on 1 df.
    result = st.dispersion_ratio([st.Proportion(30, 40), st.Proportion(10, 20),
                                  st.Proportion(0, 0)])
    assert result is not None
    assert result.periods == 2
    assert result.ratio == pytest.approx(3.75)
    assert result.statistic == pytest.approx(3.75)


def test_dispersion_ratio_edges() -> None:
    assert st.dispersion_ratio([st.Proportion(5, 10)]) is None
    assert st.dispersion_ratio([st.Proportion(0, 10), st.Proportion(0, 20)]) is None
    with pytest.raises(ValueError):
        st.dispersion_ratio([st.Proportion(5, 4), st.Proportion(1, 2)])
