"""Special-cause rules for control charts, on a standardized series.

Each point is first standardized, zᵢ = (xᵢ − CLᵢ) / σᵢ, with its own centre line and sigma,
so the rules work when the limits vary with the subgroup size (p and u charts). The
control limits are z = ±3; "zone" boundaries are z = ±1 and ±2.

Western Electric (Statistical Quality Control Handbook, 1956; Montgomery ch. 5):
  we1  one point beyond 3σ (|z| > 3)
  we2  2 of 3 consecutive points beyond 2σ on the same side
  we3  4 of 5 consecutive points beyond 1σ on the same side
  we4  8 consecutive points on the same side of the centre line
Nelson (J. Quality Technology 16(4), 1984):
  nelson1  one point beyond 3σ
  nelson2  9 points in a row on the same side of the centre line
  nelson3  6 points in a row steadily increasing or decreasing (5 rises or 5 falls)
  nelson4  14 points in a row alternating up and down
  nelson5  2 of 3 points in a row beyond 2σ on the same side
  nelson6  4 of 5 points in a row beyond 1σ on the same side
  nelson7  15 points in a row within 1σ of the centre line (either side)
  nelson8  8 points in a row beyond 1σ (either side, none within 1σ)

Conventions: "beyond kσ" is strict (|z| > k; a point exactly on a limit is not a signal),
"within 1σ" is |z| < 1, a point exactly on the centre line (z = 0) is on neither side and
breaks a run, ties break a trend or an alternation. The rules report every index that
completes a violation: the last point of each window that satisfies the rule (a run of 10
on one side gives we4 at its 8th, 9th and 10th points). For "k of m" rules the last point
must itself be one of the k, and at the start of the series the window is what there is
(two first points beyond 2σ fire we2 at the second). Points that are None (a week with no
calls) are left out: the rules run over the remaining points, as if the gap were not
there, and report the original indexes.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence

WESTERN_ELECTRIC: tuple[str, ...] = ("we1", "we2", "we3", "we4")
NELSON: tuple[str, ...] = tuple(f"nelson{i}" for i in range(1, 9))
BEYOND_LIMITS: tuple[str, ...] = ("we1",)

_Checker = Callable[[list[float]], list[int]]


def standardize(values: Sequence[float | None], centers: Sequence[float | None],
                sigmas: Sequence[float | None]) -> list[float | None]:
    """zᵢ = (xᵢ − CLᵢ) / σᵢ; None where any of the three is None. With σᵢ = 0 (no
    variation expected) zᵢ is 0 on the centre line and ±∞ off it."""
    if not len(values) == len(centers) == len(sigmas):
        raise ValueError("values, centers and sigmas need the same length")
    z: list[float | None] = []
    for x, center, sigma in zip(values, centers, sigmas, strict=True):
        if x is None or center is None or sigma is None:
            z.append(None)
        elif sigma > 0:
            z.append((x - center) / sigma)
        else:
            z.append(0.0 if x == center else math.copysign(math.inf, x - center))
    return z


def special_causes(z: Sequence[float | None], rules: Iterable[str] = WESTERN_ELECTRIC
                   ) -> dict[str, list[int]]:
    """For each rule code asked for (we1…we4, nelson1…nelson8), the ascending indexes of
    the points that complete a violation ([] when none). ValueError on an unknown code or a
    NaN in z."""
    codes = list(rules)
    unknown = [code for code in codes if code not in _RULES]
    if unknown:
        raise ValueError(f"unknown rule codes: {unknown}")
    positions = [i for i, value in enumerate(z) if value is not None]
    present = [float(value) for value in z if value is not None]
    if any(math.isnan(value) for value in present):
        raise ValueError("a standardized value is NaN")
    return {code: [positions[i] for i in _RULES[code](present)] for code in codes}


def _beyond(limit: float) -> _Checker:
    def check(z: list[float]) -> list[int]:
        return [i for i, value in enumerate(z) if abs(value) > limit]
    return check


def _k_of_m_beyond(k: int, m: int, limit: float) -> _Checker:
    """k of the last m points (fewer at the start) beyond `limit` on the side of the last."""
    def check(z: list[float]) -> list[int]:
        hits = []
        for i, value in enumerate(z):
            window = z[max(0, i - m + 1): i + 1]
            for side in (1.0, -1.0):
                if side * value > limit and sum(side * w > limit for w in window) >= k:
                    hits.append(i)
        return hits
    return check


def _run(length: int, in_run: Callable[[float], bool]) -> _Checker:
    """`length` consecutive points for which in_run holds."""
    def check(z: list[float]) -> list[int]:
        hits, current = [], 0
        for i, value in enumerate(z):
            current = current + 1 if in_run(value) else 0
            if current >= length:
                hits.append(i)
        return hits
    return check


def _same_side(length: int) -> _Checker:
    above, below = _run(length, lambda v: v > 0), _run(length, lambda v: v < 0)

    def check(z: list[float]) -> list[int]:
        return sorted(above(z) + below(z))
    return check


def _trend(length: int) -> _Checker:
    """`length` points in a row each strictly above (or below) the one before."""
    def check(z: list[float]) -> list[int]:
        hits, rising, falling = [], 1, 1
        for i in range(1, len(z)):
            rising = rising + 1 if z[i] > z[i - 1] else 1
            falling = falling + 1 if z[i] < z[i - 1] else 1
            if rising >= length or falling >= length:
                hits.append(i)
        return hits
    return check


def _alternating(length: int) -> _Checker:
    """`length` points in a row going up and down in turn (length − 1 alternating moves)."""
    def check(z: list[float]) -> list[int]:
        hits, run, previous_move = [], 1, 0
        for i in range(1, len(z)):
            move = (z[i] > z[i - 1]) - (z[i] < z[i - 1])
            if move == 0:
                run = 1
            elif previous_move == -move:
                run += 1
            else:
                run = 2
            previous_move = move
            if run >= length:
                hits.append(i)
        return hits
    return check


_RULES: dict[str, _Checker] = {
    "we1": _beyond(3),
    "we2": _k_of_m_beyond(2, 3, 2),
    "we3": _k_of_m_beyond(4, 5, 1),
    "we4": _same_side(8),
    "nelson1": _beyond(3),
    "nelson2": _same_side(9),
    "nelson3": _trend(6),
    "nelson4": _alternating(14),
    "nelson5": _k_of_m_beyond(2, 3, 2),
    "nelson6": _k_of_m_beyond(4, 5, 1),
    "nelson7": _run(15, lambda v: abs(v) < 1),
    "nelson8": _run(8, lambda v: abs(v) > 1),
}
