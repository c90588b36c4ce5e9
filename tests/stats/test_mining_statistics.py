"""The statistics transcript mining stands on: the Mantel–Haenszel risk difference with
Sato's variance, the Poisson burst test, the trend of counts, beta-binomial shrinkage and
the log-odds of marked words — each by hand, and the risk difference by simulation."""

from __future__ import annotations

import math

import numpy as np
import pytest

from seci.stats.counts import linear_trend, poisson_burst
from seci.stats.shrinkage import BetaPrior, beta_prior, shrink
from seci.stats.stratified import (
    cochran_q,
    log_odds_ratio_from_sums,
    mantel_haenszel_risk_difference,
    odds_ratio_parts,
)
from seci.stats.words import marked_words


def test_one_stratum_gives_the_plain_difference_and_unpooled_variance() -> None:
    # 40 of 50 with, 30 of 50 without: RD = 0.2; Var = (0.8·0.2 + 0.6·0.4)/50 = 0.008.
    result = mantel_haenszel_risk_difference([40], [50], [30], [50])
    assert result.effect == pytest.approx(0.2)
    assert result.se == pytest.approx(math.sqrt(0.008))
    assert (result.n_with, result.n_without, result.strata) == (50, 50, 1)


def test_two_strata_by_hand() -> None:
    # Stratum 1: a=8/n1=10, b=6/n0=20 (N=30); stratum 2: a=3/n1=5, b=1/n0=5 (N=10).
    # Weights n1·n0/N: 200/30 = 6.6667 and 25/10 = 2.5; Σw = 9.1667.
    # Σ(a·n0 − b·n1)/N = (160 − 60)/30 + (15 − 5)/10 = 3.3333 + 1 = 4.3333 → RD = 0.472727.
    result = mantel_haenszel_risk_difference([8, 3], [10, 5], [6, 1], [20, 5])
    assert result.effect == pytest.approx(4.333333 / 9.166667, rel=1e-6)
    # P₁ = (100·6 − 400·8 + 200·10/2)/900 = (600 − 3200 + 1000)/900 = −1.777778;
    # P₂ = (25·1 − 25·3 + 25·0)/100 = −0.5; Q₁ = (8·14 + 6·2)/60 = 2.066667;
    # Q₂ = (3·4 + 1·2)/20 = 0.7. Var = (0.472727·(−2.277778) + 2.766667)/9.166667²
    # = (−1.076768 + 2.766667)/84.027778 = 0.020111.
    assert result.se == pytest.approx(math.sqrt(0.020111), rel=1e-3)


def test_simpsons_paradox_is_undone_within_strata() -> None:
    # The phrase is said mostly by a strong agent (90 % resolved either way) and rarely by
    # a weak one (60 % either way): pooled it "raises" resolution, within agents it does not.
    result = mantel_haenszel_risk_difference([81, 6], [90, 10], [9, 54], [10, 90])
    assert result.effect == pytest.approx(0.0, abs=1e-12)
    pooled = (81 + 6) / 100 - (9 + 54) / 100
    assert pooled == pytest.approx(0.24)


def test_strata_without_both_sides_do_not_count() -> None:
    result = mantel_haenszel_risk_difference([5, 4], [5, 0], [0, 3], [0, 6])
    assert (result.effect, result.strata) == (None, 0)


def test_sato_intervals_cover_the_truth_with_many_small_strata() -> None:
    rng = np.random.default_rng(7)
    covered = 0
    trials = 400
    for _ in range(trials):
        base = rng.uniform(0.5, 0.85, size=60)  # 60 agents of different skill
        n1 = rng.integers(1, 8, size=60)
        n0 = rng.integers(2, 15, size=60)
        a = rng.binomial(n1, base + 0.1)
        b = rng.binomial(n0, base)
        interval = mantel_haenszel_risk_difference(a, n1, b, n0).interval
        assert interval is not None
        covered += interval.lower <= 0.1 <= interval.upper
    assert 0.92 <= covered / trials <= 0.98


def test_poisson_burst_by_hand() -> None:
    # History 2, 3, 1, 2 → λ = 2; P(X ≥ 10 | 2) = 1 − Σ_{k≤9} e⁻²2ᵏ/k! = 4.6498e-5.
    burst = poisson_burst(10, [2, 3, 1, 2])
    assert (burst.expected, burst.ratio) == (2.0, 5.0)
    assert burst.p_value == pytest.approx(4.6498e-5, rel=1e-4)
    quiet = poisson_burst(1, [0, 0, 0])  # the floor 0.5: P(X ≥ 1) = 1 − e^−0.5 = 0.3935
    assert quiet.p_value == pytest.approx(1 - math.exp(-0.5))


def test_trend_of_counts() -> None:
    growing = linear_trend([10, 12, 14, 16, 18, 20])
    assert growing.slope == pytest.approx(2.0) and growing.p_value < 1e-6
    assert growing.relative_slope == pytest.approx(2.0 / 15)
    flat = linear_trend([15, 14, 16, 15, 14, 16])
    assert flat.p_value > 0.5
    assert linear_trend([1, 2]).p_value == 1.0


def test_shrinkage_by_hand() -> None:
    prior = BetaPrior(mean=0.75, strength=20)  # α = 15, β = 5
    lucky = shrink(5, 5, prior)  # (5 + 15)/(5 + 20) = 0.8
    steady = shrink(54, 60, prior)  # (54 + 15)/(60 + 20) = 0.8625
    assert lucky.shrunk == pytest.approx(0.8) and steady.shrunk == pytest.approx(0.8625)
    assert lucky.raw == 1.0 and steady.shrunk > lucky.shrunk
    assert lucky.low < 0.8 < lucky.high


def test_beta_prior_from_units() -> None:
    # Units equal up to binomial noise: the between-unit spread is ~0 → strongest prior.
    equal = beta_prior([(75, 100), (76, 100), (74, 100), (75, 100)])
    assert equal.mean == pytest.approx(0.75) and equal.strength == 500
    spread = beta_prior([(95, 100), (55, 100), (90, 100), (60, 100)])
    assert spread.strength < 50


def test_marked_words() -> None:
    burst = {"断网": 40, "宽带": 60, "话费": 10}
    usual = {"断网": 5, "宽带": 200, "话费": 300}
    top = marked_words(burst, usual, limit=2)
    assert top[0].word == "断网" and top[0].z > 3


def test_one_table_odds_ratio_has_woolfs_variance() -> None:
    # 8 of 10 resolved with the phrase, 4 of 10 without: OR = 8·6/(2·4) = 6; with one
    # stratum Robins–Breslow–Greenland's variance is Woolf's 1/8 + 1/2 + 1/4 + 1/6.
    parts = odds_ratio_parts(np.array([8.0]), np.array([10.0]), np.array([4.0]),
                             np.array([10.0]))
    assert parts.r[0] == pytest.approx(2.4) and parts.s[0] == pytest.approx(0.4)
    estimate = log_odds_ratio_from_sums(float(parts.r.sum()), float(parts.s.sum()),
                                        float(parts.pr.sum()), float(parts.ps_qr.sum()),
                                        float(parts.qs.sum()))
    assert estimate is not None
    log_or, se = estimate
    assert log_or == pytest.approx(math.log(6))
    assert se ** 2 == pytest.approx(1 / 8 + 1 / 2 + 1 / 4 + 1 / 6)


def test_odds_ratio_without_discordant_cells_is_unknown() -> None:
    # Every call with the phrase resolved: S = 0, the odds ratio is infinite.
    parts = odds_ratio_parts(np.array([10.0]), np.array([10.0]), np.array([4.0]),
                             np.array([10.0]))
    assert log_odds_ratio_from_sums(float(parts.r.sum()), float(parts.s.sum()), 0.0, 0.0,
                                    0.0) is None


def test_cochran_q_by_hand() -> None:
    # θ = 0.1 and 0.3, SE 0.1 each: w = 100, θ̄ = 0.2, Q = 100·0.01·2 = 2, df 1, I² = ½.
    spread = cochran_q([0.1, 0.3], [0.1, 0.1])
    assert spread.q == pytest.approx(2.0) and spread.df == 1
    assert spread.p_value == pytest.approx(0.157299, abs=1e-6)
    assert spread.i_squared == pytest.approx(0.5)
    assert cochran_q([0.2, 0.2, 0.2], [0.1, 0.2, 0.3]).i_squared == 0.0
