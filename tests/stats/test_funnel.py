"""Funnel-plot limits and classification (Spiegelhalter 2005) by hand."""

from __future__ import annotations

import pytest

from seci import stats as st
from seci.stats import FunnelPosition


def test_proportion_limits_for_100_calls_at_80_percent() -> None:
    # SE = √(0.8·0.2/100) = 0.04; 95 %: 0.8 ± 1.959964·0.04 = 0.8 ± 0.078399 →
    # (0.7216, 0.8784); 99.8 %: 0.8 ± 3.090232·0.04 = 0.8 ± 0.123609 → (0.6764, 0.9236).
    limits = st.proportion_funnel_limits(100, 0.8)
    assert (limits.lower_95, limits.upper_95) == pytest.approx((0.7216, 0.8784), abs=1e-4)
    assert (limits.lower_998, limits.upper_998) == pytest.approx((0.6764, 0.9236), abs=1e-4)


def test_proportion_limits_are_clipped_to_zero_and_one() -> None:
    # n = 4, θ₀ = 0.9: SE = 0.15, 0.9 + 3.09·0.15 > 1.
    limits = st.proportion_funnel_limits(4, 0.9)
    assert limits.upper_998 == 1.0
    assert limits.lower_998 == pytest.approx(0.9 - 3.090232 * 0.15, abs=1e-6)


def test_exact_binomial_limits_by_hand() -> None:
    # Binomial(10, 0.5): F(7) = 0.945313, F(8) = 0.989258. Upper 95 %, P = 0.975: r = 8,
    # α = (0.989258 − 0.975)/(0.989258 − 0.945313) = 0.014258/0.043945 = 0.324444,
    # limit = (8 − 0.324444)/10 = 0.767556.
    # Lower 95 %, P = 0.025: F(1) = 0.010742, F(2) = 0.054688 → r = 2,
    # α = (0.054688 − 0.025)/0.043945 = 0.675556, limit = (2 − 0.675556)/10 = 0.132444.
    limits = st.proportion_funnel_limits(10, 0.5, exact=True)
    assert limits.upper_95 == pytest.approx(0.767556, abs=1e-6)
    assert limits.lower_95 == pytest.approx(0.132444, abs=1e-6)


def test_exact_limits_approach_the_normal_ones_for_many_calls() -> None:
    exact = st.proportion_funnel_limits(10_000, 0.8, exact=True)
    normal = st.proportion_funnel_limits(10_000, 0.8)
    assert exact.upper_95 == pytest.approx(normal.upper_95, abs=2e-4)
    assert exact.lower_998 == pytest.approx(normal.lower_998, abs=2e-4)


def test_degenerate_targets_give_a_flat_funnel() -> None:
    for exact in (False, True):
        limits = st.proportion_funnel_limits(50, 1.0, exact=exact)
        assert limits.lower_998 == limits.upper_998 == 1.0


def test_mean_limits() -> None:
    # μ₀ = 300 s, σ = 60, n = 36: SE = 10; 95 %: 300 ± 19.5996; 99.8 %: 300 ± 30.9023.
    limits = st.mean_funnel_limits(36, 300, 60)
    assert limits.upper_95 == pytest.approx(319.5996, abs=1e-4)
    assert limits.lower_998 == pytest.approx(269.0977, abs=1e-4)


def test_classifying_agents_by_rate() -> None:
    # Target given, 0.8. Agent a: 70/100 = 0.70 < 0.7216 but > 0.6764 → below at 95 %,
    # within at 99.8 %; z = (0.70 − 0.8)/0.04 = −2.5. Agent b: 95/100 → above both
    # (z = 3.75). Agent c: 8/10, on target. Agent d: no calls.
    units = {"a": st.Proportion(70, 100), "b": st.Proportion(95, 100),
             "c": st.Rate(8, 10), "d": st.Rate(0, 0)}
    points = st.proportion_funnel(units, target=0.8)
    assert [p.unit for p in points] == ["a", "b", "c", "d"]
    a, b, c, d = points
    assert (a.position_95, a.position_998) == (FunnelPosition.BELOW, FunnelPosition.WITHIN)
    assert a.z == pytest.approx(-2.5)
    assert (b.position_95, b.position_998) == (FunnelPosition.ABOVE, FunnelPosition.ABOVE)
    assert c.position_95 == "within"
    assert (d.value, d.limits, d.position_95, d.z) == (None, None, None, None)


def test_the_target_defaults_to_the_overall_rate() -> None:
    # (70 + 95 + 8)/(100 + 100 + 10) = 173/210 = 0.823810.
    points = st.proportion_funnel({"a": st.Proportion(70, 100), "b": st.Proportion(95, 100),
                                   "c": st.Proportion(8, 10)})
    assert points[0].limits is not None
    assert points[0].limits.target == pytest.approx(0.823810, abs=1e-6)
    with pytest.raises(ValueError):
        st.proportion_funnel({"a": st.Proportion(0, 0)})


def test_classifying_agents_by_mean_with_the_pooled_sd() -> None:
    # Target = (36·300 + 64·330)/100 = (10800 + 21120)/100 = 319.2;
    # pooled sd = √((35·60² + 63·50²)/98) = √((126000 + 157500)/98) = √2892.857 = 53.7853.
    # Agent x (n 36): SE = 53.7853/6 = 8.9642; z = (300 − 319.2)/8.9642 = −2.1419 → below
    # at 95 %, within at 99.8 %.
    points = st.mean_funnel({"x": st.Sample(300, 60, 36), "y": st.Sample(330, 50, 64)})
    x = points[0]
    assert x.limits is not None
    assert x.limits.target == pytest.approx(319.2)
    assert x.z == pytest.approx(-2.1419, abs=1e-4)
    assert (x.position_95, x.position_998) == (FunnelPosition.BELOW, FunnelPosition.WITHIN)
    with pytest.raises(ValueError):
        st.mean_funnel({"x": st.Sample(300, 0, 1)})


def test_curves_for_drawing() -> None:
    sizes = st.funnel_sizes(1000, points=20)
    assert sizes[0] == 1
    assert sizes[-1] == 1000
    assert sizes == sorted(set(sizes))
    curve = st.proportion_funnel_curve(0.8, sizes)
    assert [limits.n for limits in curve] == sizes
    widths = [limits.upper_95 - limits.lower_95 for limits in curve if limits.n >= 30]
    assert widths == sorted(widths, reverse=True)  # the funnel narrows
    means = st.mean_funnel_curve(300, 60, [1, 4])
    assert means[1].upper_95 - 300 == pytest.approx((means[0].upper_95 - 300) / 2)
    with pytest.raises(ValueError):
        st.funnel_sizes(0)
