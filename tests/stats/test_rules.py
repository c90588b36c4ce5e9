"""Each special-cause rule fired by a crafted standardized series and not by a near miss."""

from __future__ import annotations

import math
from collections.abc import Sequence

import pytest

from seci import stats as st


def fired(code: str, z: Sequence[float | None]) -> list[int]:
    return st.special_causes(z, [code])[code]


@pytest.mark.parametrize("code", ["we1", "nelson1"])
def test_one_point_beyond_three_sigma(code: str) -> None:
    assert fired(code, [0, 3.1, 0, -3.2]) == [1, 3]
    assert fired(code, [0, 3.0, -3.0, 2.9]) == []  # on the limit is not beyond it


@pytest.mark.parametrize("code", ["we2", "nelson5"])
def test_two_of_three_beyond_two_sigma_same_side(code: str) -> None:
    assert fired(code, [2.1, 0, 2.1]) == [2]
    assert fired(code, [0, -2.5, -2.1]) == [2]
    assert fired(code, [2.5, 2.5]) == [1]  # the start of the series: what there is
    assert fired(code, [2.1, 0, 0, 2.1]) == []  # 4 apart
    assert fired(code, [2.1, -2.1, 0]) == []  # opposite sides
    assert fired(code, [2.0, 2.0, 2.0]) == []  # on the 2σ line


@pytest.mark.parametrize("code", ["we3", "nelson6"])
def test_four_of_five_beyond_one_sigma_same_side(code: str) -> None:
    assert fired(code, [1.1, 1.1, 0, 1.1, 1.1]) == [4]
    assert fired(code, [1.1, 1.1, 0, 0, 1.1, 1.1]) == []  # only 3 in any 5
    assert fired(code, [1.1, 1.1, -1.1, 1.1, 0.5]) == []  # the fourth would be the last


def test_we4_eight_in_a_row_on_one_side() -> None:
    assert fired("we4", [0.5] * 8) == [7]
    assert fired("we4", [-0.1] * 10) == [7, 8, 9]
    assert fired("we4", [0.5] * 7 + [-0.5]) == []
    assert fired("we4", [0.5] * 4 + [0.0] + [0.5] * 4) == []  # the centre line breaks the run


def test_nelson2_nine_in_a_row_on_one_side() -> None:
    assert fired("nelson2", [0.3] * 9) == [8]
    assert fired("nelson2", [0.3] * 8 + [-0.3]) == []


def test_nelson3_six_points_steadily_rising_or_falling() -> None:
    assert fired("nelson3", [-1.0, -0.6, -0.2, 0.2, 0.6, 1.0]) == [5]
    assert fired("nelson3", [1.0, 0.6, 0.2, -0.2, -0.6, -1.0, -1.4]) == [5, 6]
    assert fired("nelson3", [-1.0, -0.6, -0.2, -0.2, 0.6, 1.0]) == []  # a tie
    assert fired("nelson3", [-1.0, -0.6, -0.2, 0.2, 0.6]) == []  # only five


def test_nelson4_fourteen_alternating() -> None:
    saw = [0.5, -0.5] * 7
    assert fired("nelson4", saw) == [13]
    assert fired("nelson4", [*saw, 0.4]) == [13, 14]
    assert fired("nelson4", saw[:13]) == []
    broken = saw.copy()
    broken[7] = broken[6]  # one flat step
    assert fired("nelson4", broken) == []


def test_nelson7_fifteen_within_one_sigma() -> None:
    hugging = [0.5, -0.5] * 7 + [0.2]
    assert fired("nelson7", hugging) == [14]
    assert fired("nelson7", hugging[:14]) == []
    assert fired("nelson7", [*hugging[:7], 1.0, *hugging[8:]]) == []  # 1σ is not within


def test_nelson8_eight_beyond_one_sigma_either_side() -> None:
    assert fired("nelson8", [1.5, -1.5] * 4) == [7]
    assert fired("nelson8", [1.5, -1.5] * 3 + [1.5, 0.9]) == []


def test_gaps_are_skipped_and_indexes_kept() -> None:
    z: list[float | None] = [0.5] * 4 + [None] + [0.5] * 4
    assert fired("we4", z) == [8]
    assert fired("we1", [3.5, None, 0]) == [0]


def test_all_rules_at_once_and_unknown_codes() -> None:
    result = st.special_causes([0.0] * 3, st.NELSON)
    assert list(result) == list(st.NELSON)
    assert st.special_causes([]) == {"we1": [], "we2": [], "we3": [], "we4": []}
    with pytest.raises(ValueError):
        st.special_causes([0.0], ["we9"])
    with pytest.raises(ValueError):
        st.special_causes([math.nan])


def test_standardize() -> None:
    # (12 − 10)/2 = 1; a missing point stays missing; σ = 0: 0 on the line, ±∞ off it.
    z = st.standardize([12, None, 5, 5, 4], [10, 10, 5, 5, 5], [2, 2, 0, 0, 0])
    assert z == [1.0, None, 0.0, 0.0, -math.inf]
    assert fired("we1", z) == [4]
    with pytest.raises(ValueError):
        st.standardize([1], [1, 2], [1])
