"""Correlation (Pearson, Spearman, Fisher z) and Cronbach's α against hand-computed
examples."""

from __future__ import annotations

import math

import pytest
from scipy import stats as scipy_stats

from seci.stats.correlation import (
    average_ranks,
    fisher_interval,
    pearson_correlation,
    pearson_r,
    spearman_correlation,
)
from seci.stats.reliability import cronbach_alpha

X = [1.0, 2.0, 3.0, 4.0, 5.0]
Y = [2.0, 4.0, 5.0, 4.0, 5.0]


def test_cronbach_alpha_hand_computed() -> None:
    # Questions: (2, 4, 3) variance 1; (3, 5, 3) variance 4/3; totals (5, 9, 6) variance
    # 13/3. α = 2/1 · (1 − (1 + 4/3) / (13/3)) = 2 · 6/13 = 12/13.
    assert cronbach_alpha([[2, 3], [4, 5], [3, 3]]) == pytest.approx(12 / 13)


def test_cronbach_alpha_needs_rows_questions_and_variation() -> None:
    assert cronbach_alpha([[2, 3], [4, 5]]) is None  # two sheets
    assert cronbach_alpha([[2], [4], [3]]) is None  # one question
    assert cronbach_alpha([[3, 3], [3, 3], [3, 3]]) is None  # totals do not vary


def test_pearson_hand_computed() -> None:
    # Deviations x: −2 −1 0 1 2, y: −2 0 1 0 1; Σdxdy = 6, Σdx² = 10, Σdy² = 6.
    r = 6 / math.sqrt(60)
    assert pearson_r(X, Y) == pytest.approx(r)
    c = pearson_correlation(X, Y)
    assert c is not None and c.n == 5 and c.r == pytest.approx(0.774597, abs=1e-6)
    # t = r √(3 / (1 − r²)) = 2.12132 with 3 df
    t = r * math.sqrt(3 / (1 - r * r))
    assert t == pytest.approx(2.12132, abs=1e-5)
    assert c.p_value == pytest.approx(2 * scipy_stats.t.sf(t, 3))
    assert c.p_value == pytest.approx(scipy_stats.pearsonr(X, Y).pvalue)
    # Fisher: atanh r = 1.03172, ± 1.959964/√2 → tanh → (−0.3401, 0.9842)
    assert c.interval.lower == pytest.approx(-0.3401, abs=1e-4)
    assert c.interval.upper == pytest.approx(0.9842, abs=1e-4)


def test_spearman_hand_computed() -> None:
    assert average_ranks(Y) == [1.0, 2.5, 4.5, 2.5, 4.5]
    # Ranks of x are 1..5; deviations of y's ranks −2 −0.5 1.5 −0.5 1.5: Σ = 7, Σ² = 9.
    c = spearman_correlation(X, Y)
    assert c is not None
    assert c.r == pytest.approx(7 / math.sqrt(90))
    assert c.r == pytest.approx(scipy_stats.spearmanr(X, Y).statistic)
    half = 1.959964 * math.sqrt(1.06 / 2)
    assert c.interval.lower == pytest.approx(math.tanh(math.atanh(c.r) - half), abs=1e-6)


def test_correlation_not_enough_data() -> None:
    assert pearson_correlation([1, 2, 3], [1, 2, 2]) is None  # n = 3 < 4
    assert pearson_correlation([1, 1, 1, 1], [1, 2, 3, 4]) is None  # constant
    assert spearman_correlation([1, 2, 3], [3, 2, 1]) is None
    with pytest.raises(ValueError, match="n > 3"):
        fisher_interval(0.5, 3)
