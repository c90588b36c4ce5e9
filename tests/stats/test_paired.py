"""Paired tests pinned by hand-computed examples."""

from __future__ import annotations

import math

import pytest

from seci.stats.paired import (
    paired_differences,
    paired_t_test,
    signed_rank_sums,
    wilcoxon_signed_rank,
)

BEFORE = [3.0, 2.0, 4.0, 3.0, 2.0]
AFTER = [4.0, 3.0, 4.0, 4.0, 3.0]


def test_paired_t_by_hand() -> None:
    # d = 1, 1, 0, 1, 1: d̄ = 0.8; Σ(d − d̄)² = 4·0.04 + 0.64 = 0.8; s_d = √(0.8/4) = √0.2;
    # SE = √0.2/√5 = 0.2; t = 0.8/0.2 = 4.0 with df 4; p = 2·P(T₄ > 4) = 0.01613 (tables);
    # t₄(0.975) = 2.7764 → interval 0.8 ± 0.5553; d_z = 0.8/√0.2 = 1.7889.
    result = paired_t_test(BEFORE, AFTER)
    assert result is not None
    assert result.effect == pytest.approx(0.8)
    assert result.statistic == pytest.approx(4.0)
    assert result.df == 4
    assert result.p_value == pytest.approx(0.01613, abs=5e-5)
    assert result.interval is not None
    assert result.interval.lower == pytest.approx(0.8 - 0.5553, abs=1e-3)
    assert result.interval.upper == pytest.approx(0.8 + 0.5553, abs=1e-3)
    assert result.effect_size == pytest.approx(1.7889, abs=1e-4)
    assert result.significant


def test_paired_t_degenerate_and_small() -> None:
    assert paired_t_test([3.0], [4.0]) is None
    same = paired_t_test([3.0, 4.0], [3.0, 4.0])
    assert same is not None and same.p_value == 1.0
    shifted = paired_t_test([3.0, 4.0], [4.0, 5.0])
    assert shifted is not None and shifted.p_value == 0.0 and math.isinf(shifted.statistic)
    with pytest.raises(ValueError):
        paired_differences([1.0], [1.0, 2.0])


def test_wilcoxon_by_hand() -> None:
    # The zero difference is dropped: n′ = 4, all |d| = 1 tie at rank 2.5, all positive:
    # W⁺ = 10, W⁻ = 0, W = 0; the exact two-sided p of W = 0 with n′ = 4 is 2/2⁴ = 0.125.
    assert signed_rank_sums(BEFORE, AFTER) == (10.0, 0.0, 4)
    result = wilcoxon_signed_rank(BEFORE, AFTER)
    assert result is not None
    assert result.statistic == 0.0
    assert result.effect == 1.0  # median of 1, 1, 0, 1, 1
    assert result.effect_size == 1.0
    assert not result.significant


def test_wilcoxon_exact_five_pairs() -> None:
    # d = 0.5, 1.0, 1.5, 2.0, −0.25: ranks by |d| 2, 3, 4, 5 and 1 (negative):
    # W⁺ = 14, W⁻ = 1 → W = 1; exact p = 2·P(W ≤ 1) = 2·2/32 = 0.125.
    before = [3.0, 3.0, 3.0, 3.0, 3.0]
    after = [3.5, 4.0, 4.5, 5.0, 2.75]
    assert signed_rank_sums(before, after) == (14.0, 1.0, 5)
    result = wilcoxon_signed_rank(before, after)
    assert result is not None
    assert result.statistic == 1.0
    assert result.p_value == pytest.approx(0.125)
    assert result.effect_size == pytest.approx(13 / 15)
    assert wilcoxon_signed_rank([3.0, 4.0], [3.0, 4.0]) is not None
    assert wilcoxon_signed_rank([3.0], [4.0]) is None
