"""Item analysis, pinned by a hand-computed example and by a published data set."""

from __future__ import annotations

import math

import numpy as np
import pytest

from seci.stats.items import (
    discrimination_index,
    discriminative_efficiency,
    extreme_groups,
    facility_index,
    flag_items,
    kr20,
    option_shares,
    standard_error_of_measurement,
)
from seci.stats.reliability import cronbach_alpha

# Five attempts × three right/wrong questions, worked by hand below.
SMALL = np.array([[1, 1, 1],
                  [1, 1, 0],
                  [1, 0, 1],
                  [0, 1, 0],
                  [0, 0, 0]], dtype=float)


def test_the_small_example_by_hand() -> None:
    """Facility: 3/5, 3/5, 2/5. Totals 3, 2, 2, 1, 0: mean 1.6, population variance
    5.2/5 = 1.04; Σpq = 3 × 0.24 = 0.72, so KR-20 = 3/2 × (1 − 0.72/1.04) = 6/13.
    SEM = √(5.2/4) × √(1 − 6/13) = √0.7.

    Question 1, rest = share right of the other two: 1, ½, ½, ½, 0 against marks
    1, 1, 1, 0, 0 (means 0.6 and 0.5): Σdx·dr = 0.2 + 0.3 = 0.5, Σdx² = 1.2, Σdr² = 0.5,
    r = 0.5/√0.6. Sorted pairs (0,0) (0,½) (1,½) (1,½) (1,1) give the same 0.5: E = 1.
    Question 3, rest 1, 1, ½, ½, 0 against 1, 0, 1, 0, 0: Σdx·dr = 0.3, Σdx² = 1.2,
    Σdr² = 0.7, r = 0.3/√0.84; sorted Σ = 0.8, E = 0.375."""
    assert facility_index(SMALL).tolist() == pytest.approx([0.6, 0.6, 0.4])
    alpha = kr20(SMALL)
    assert alpha == pytest.approx(6 / 13)
    assert alpha == pytest.approx(cronbach_alpha(SMALL.tolist()))
    sem = standard_error_of_measurement(SMALL.sum(axis=1), alpha)
    assert sem == pytest.approx(math.sqrt(0.7))
    d = discrimination_index(SMALL)
    assert d[0] == pytest.approx(0.5 / math.sqrt(0.6))
    assert d[2] == pytest.approx(0.3 / math.sqrt(0.84))
    e = discriminative_efficiency(SMALL)
    assert e[0] == pytest.approx(1.0)
    assert e[2] == pytest.approx(0.375)


def _lsat() -> np.ndarray:
    # Pattern frequencies of LSAT Section 6 (items 1–5), 1,000 examinees.
    counts = [3, 6, 2, 11, 1, 1, 3, 4, 1, 8, 0, 16, 0, 3, 2, 15,
              10, 29, 14, 81, 3, 28, 15, 80, 16, 56, 21, 173, 11, 61, 28, 298]
    rows = [[int(b) for b in format(pattern, "05b")]
            for pattern, count in enumerate(counts) for _ in range(count)]
    return np.array(rows, dtype=float)


def test_the_published_lsat_example() -> None:
    """Bock & Lieberman (1970), Psychometrika 35, 179–197: LSAT Section 6, 5 items, 1,000
    examinees, shipped as ``LSAT`` in R's ltm package. Published figures: the proportions
    right .924, .709, .553, .763, .870 (ltm's ``descript(LSAT)``) and Cronbach's α =
    0.2949972 (ltm's ``cronbach.alpha(LSAT)``; H. Doran, R-help, January 2007)."""
    lsat = _lsat()
    assert facility_index(lsat).tolist() == pytest.approx([0.924, 0.709, 0.553, 0.763, 0.870])
    assert kr20(lsat) == pytest.approx(0.2949972, abs=1e-7)
    # The discrimination index is Pearson's r of each item with the rest of the test.
    d = discrimination_index(lsat)
    for j in range(5):
        rest = np.delete(lsat, j, axis=1).sum(axis=1)
        assert d[j] == pytest.approx(np.corrcoef(lsat[:, j], rest)[0, 1])
    efficiency = discriminative_efficiency(lsat)
    assert ((efficiency > 0) & (efficiency <= 1)).all()


def test_questions_drawn_by_some_attempts_only() -> None:
    """A question counts only in the attempts that drew it; the rest is then a share."""
    answered = np.ones_like(SMALL, dtype=bool)
    answered[4, 2] = False  # attempt 5 did not draw question 3
    f = facility_index(SMALL, answered)
    assert f.tolist() == pytest.approx([0.6, 0.6, 0.5])
    # Question 1 without attempt 5's third question: its rest is 0/1 instead of 0/2.
    d = discrimination_index(SMALL, answered)
    assert d[0] == pytest.approx(0.5 / math.sqrt(0.6))


def test_extreme_groups_and_distractors() -> None:
    totals = SMALL.sum(axis=1)
    top, bottom = extreme_groups(totals)
    assert top.tolist() == [0] and bottom.tolist() == [4]
    top, bottom = extreme_groups(np.arange(10.0))  # 27 % of 10 → 3
    assert top.tolist() == [9, 8, 7] and bottom.tolist() == [0, 1, 2]
    # One question, options A (key), B, C: chosen A, A, B, C, B.
    chosen = np.zeros((5, 1, 3), dtype=bool)
    for attempt, option in enumerate([0, 0, 1, 2, 1]):
        chosen[attempt, 0, option] = True
    shares = option_shares(chosen, totals)
    assert shares.overall[0].tolist() == pytest.approx([0.4, 0.4, 0.2])
    assert shares.top[0].tolist() == [1.0, 0.0, 0.0]
    assert shares.bottom[0].tolist() == [0.0, 1.0, 0.0]
    key = np.array([[True, False, False]])
    flags = flag_items(np.array([0.4]), np.array([0.5]), shares, key)
    assert not flags.any[0]
    # Swap the top and bottom attempts' choices: distractor B now attracts the top group.
    chosen[[0, 4]] = chosen[[4, 0]]
    flags = flag_items(np.array([0.4]), np.array([0.5]), option_shares(chosen, totals), key)
    assert flags.attractive_distractor[0]


def test_flags_and_undefined_figures() -> None:
    flags = flag_items(np.array([0.1, 0.5, 0.99, 0.5]), np.array([0.4, 0.1, 0.4, np.nan]))
    assert flags.too_hard.tolist() == [True, False, False, False]
    assert flags.too_easy.tolist() == [False, False, True, False]
    assert flags.weak_discrimination.tolist() == [False, True, False, True]
    same = np.ones((4, 3))
    assert np.isnan(discrimination_index(same)).all()
    assert kr20(same) is None
    assert kr20(SMALL[:2]) is None
    assert standard_error_of_measurement([1.0], 0.5) is None
