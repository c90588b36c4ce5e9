"""Pareto analysis: which few categories (complaint reasons, call drivers) make up most of
the volume."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction

VITAL_FEW_SHARE = 0.8


@dataclass(frozen=True)
class ParetoRow:
    """One category: its count, its share of the total, the cumulative share down to and
    including it, and whether it belongs to the vital few."""

    category: str
    count: int
    share: float
    cumulative_share: float
    vital_few: bool


def pareto(counts: Mapping[str, int], *, vital_share: float = VITAL_FEW_SHARE
           ) -> list[ParetoRow]:
    """Categories largest first (ties by category name, for a stable order), with
    shareᵢ = countᵢ / N and cumulative_shareᵢ = Σⱼ≤ᵢ countⱼ / N.

    The vital few are the rows up to and including the first whose cumulative share
    reaches `vital_share` (80 %); the comparison is exact (4 of 5 reaches 80 %).
    Empty input → []; a total of 0 gives shares of 0 and no vital few; negative counts
    raise ValueError.
    """
    if any(count < 0 for count in counts.values()):
        raise ValueError("counts cannot be negative")
    if not 0 < vital_share <= 1:
        raise ValueError("the vital share lies in (0, 1]")
    ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    total = sum(counts.values())
    threshold = Fraction(repr(vital_share))  # 0.8 → exactly 4/5, not the nearest float
    rows, running, reached = [], 0, False
    for category, count in ordered:
        running += count
        share = count / total if total else 0.0
        cumulative = running / total if total else 0.0
        vital = bool(total) and not reached
        reached = reached or (bool(total) and Fraction(running, total) >= threshold)
        rows.append(ParetoRow(category, count, share, cumulative, vital))
    return rows
