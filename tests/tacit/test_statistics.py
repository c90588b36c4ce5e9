"""The evaluation's tests against examples worked by hand (values to 4 decimals)."""

from __future__ import annotations

import math

import pytest

from seci.tacit import statistics as st


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
