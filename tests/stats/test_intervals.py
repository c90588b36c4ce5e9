"""Confidence intervals against published and hand-computed examples."""

from __future__ import annotations

import pytest

from seci import stats as st


def test_z_values() -> None:
    assert st.z_value(0.95) == pytest.approx(1.959964, abs=1e-6)
    assert st.z_value(0.998) == pytest.approx(3.090232, abs=1e-6)
    with pytest.raises(ValueError):
        st.z_value(1.0)


def test_wilson_interval_published_example() -> None:
    # Newcombe (1998), Statistics in Medicine 17:857, example 81/263: p̂ = 0.3080, z = 1.96;
    # centre = (0.30798 + 3.84146/526)/(1 + 3.84146/263) = 0.31529/1.01461 = 0.31075;
    # half = 1.96/1.01461 · √(0.30798·0.69202/263 + 3.84146/276676) = 1.93177·0.028710
    # = 0.05546 → (0.2553, 0.3662).
    interval = st.wilson_interval(81, 263)
    assert interval is not None
    assert interval.lower == pytest.approx(0.2553, abs=1e-4)
    assert interval.upper == pytest.approx(0.3662, abs=1e-4)
    assert interval.method == "wilson"
    assert interval.contains(81 / 263)


def test_wilson_interval_at_none_and_all() -> None:
    # 0/10: centre = (3.84146/20)/1.384146 = 0.138765, half = 1.415996·√(3.84146/400)
    # = 1.415996·0.0979982 = 0.138765 → (0, 0.2775); 10/10 is its mirror image.
    none = st.wilson_interval(0, 10)
    every = st.wilson_interval(10, 10)
    assert none is not None
    assert every is not None
    assert none.lower == 0.0
    assert none.upper == pytest.approx(0.2775, abs=1e-4)
    assert every.lower == pytest.approx(0.7225, abs=1e-4)
    assert every.upper == 1.0


def test_wilson_interval_without_observations_or_with_bad_counts() -> None:
    assert st.wilson_interval(0, 0) is None
    with pytest.raises(ValueError):
        st.wilson_interval(11, 10)
    with pytest.raises(ValueError):
        st.wilson_interval(-1, 10)


def test_rate_value_and_interval() -> None:
    rate = st.Rate(81, 263)
    assert rate.value == pytest.approx(0.30798, abs=1e-5)
    assert rate.interval() == st.wilson_interval(81, 263)
    assert st.Rate(0, 0).value is None
    assert st.Rate(0, 0).interval() is None
    assert isinstance(rate, st.Proportion)  # goes straight into the z-test
    with pytest.raises(ValueError):
        st.Rate(5, 4)


def test_normal_interval() -> None:
    # 0.05 ± 1.959964·0.01 = 0.05 ± 0.0196.
    interval = st.normal_interval(0.05, 0.01)
    assert (interval.lower, interval.upper) == pytest.approx((0.0304, 0.0696), abs=1e-4)
    with pytest.raises(ValueError):
        st.normal_interval(0.05, -0.01)


def test_t_interval_of_a_mean() -> None:
    # 10 ± t₃(0.975)·2/√4 = 10 ± 3.182446·1 → (6.8176, 13.1824).
    interval = st.t_interval_mean(10, 2, 4)
    assert interval is not None
    assert (interval.lower, interval.upper) == pytest.approx((6.8176, 13.1824), abs=1e-4)
    # 99 %: t₃(0.995) = 5.840909.
    wide = st.t_interval_mean(10, 2, 4, confidence=0.99)
    assert wide is not None
    assert wide.upper == pytest.approx(15.8409, abs=1e-4)


def test_t_interval_from_values() -> None:
    # 8, 9, 11, 12: mean 10, s² = (4 + 1 + 1 + 4)/3 = 3.3333, s = 1.825742;
    # 10 ± 3.182446·1.825742/2 = 10 ± 2.905163.
    interval = st.t_interval_from_values([8, 9, 11, 12])
    assert interval is not None
    assert (interval.lower, interval.upper) == pytest.approx((7.0948, 12.9052), abs=1e-4)


def test_t_interval_needs_two_values() -> None:
    assert st.t_interval_mean(10, 2, 1) is None
    assert st.t_interval_from_values([5.0]) is None
    assert st.t_interval_from_values([]) is None
    degenerate = st.t_interval_mean(10, 0, 5)
    assert degenerate is not None
    assert degenerate.width == 0


def test_newcombe_difference_published_example() -> None:
    # Newcombe (1998), example (a): 56/70 − 48/80 = 0.8 − 0.6 = 0.2, method 10
    # (0.0524, 0.3339). Here second − first, so first = 48/80, second = 56/70.
    # Wilson 48/80 = (0.49045, 0.70038), 56/70 = (0.69183, 0.87695):
    # lower = 0.2 − √((0.8 − 0.69183)² + (0.70038 − 0.6)²) = 0.2 − √(0.011701 + 0.010076)
    # = 0.0524; upper = 0.2 + √((0.87695 − 0.8)² + (0.6 − 0.49045)²) = 0.2 + 0.1339.
    interval = st.proportion_difference_interval(st.Proportion(48, 80), st.Proportion(56, 70))
    assert interval is not None
    assert interval.lower == pytest.approx(0.0524, abs=1e-4)
    assert interval.upper == pytest.approx(0.3339, abs=1e-4)
    assert interval.method == "newcombe"


def test_newcombe_difference_edges() -> None:
    assert st.proportion_difference_interval(st.Proportion(0, 0), st.Proportion(1, 2)) is None
    # 0/10 vs 10/10: δ = 1; lower = 1 − √(0.2775² + 0.2775²) = 0.6075, upper = 1.
    interval = st.proportion_difference_interval(st.Proportion(0, 10), st.Proportion(10, 10))
    assert interval is not None
    assert interval.lower == pytest.approx(1 - 0.27753 * 2 ** 0.5, abs=1e-4)
    assert interval.upper == pytest.approx(1.0)


def test_welch_interval_of_a_difference_of_means() -> None:
    # −20 ± t₉₅.₅₅(0.975)·10.6615 = −20 ± 1.985104·10.6615 = −20 ± 21.1641.
    interval = st.mean_difference_interval(st.Sample(300, 60, 50), st.Sample(280, 50, 60))
    assert interval is not None
    assert (interval.lower, interval.upper) == pytest.approx((-41.1641, 1.1641), abs=1e-3)
    assert st.welch_degrees_of_freedom(st.Sample(300, 60, 50),
                                       st.Sample(280, 50, 60)) == pytest.approx(95.55, abs=0.01)


def test_welch_interval_edges() -> None:
    assert st.mean_difference_interval(st.Sample(1, 1, 1), st.Sample(2, 1, 5)) is None
    same = st.mean_difference_interval(st.Sample(1, 0, 3), st.Sample(2, 0, 3))
    assert same is not None
    assert (same.lower, same.upper) == (1, 1)
