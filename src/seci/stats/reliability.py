"""Reliability of a scale (a dimension's questions answered by many raters)."""

from __future__ import annotations

import math
from collections.abc import Sequence

# Fewer complete answer sheets than this say nothing about internal consistency.
MIN_ALPHA_ROWS = 3


def _sample_variance(values: Sequence[float]) -> float:
    n = len(values)
    mean = math.fsum(values) / n
    return math.fsum((v - mean) ** 2 for v in values) / (n - 1)


def cronbach_alpha(rows: Sequence[Sequence[float]]) -> float | None:
    """Cronbach's α of k questions answered in each row (one answer sheet a row):

        α = k/(k − 1) · (1 − Σⱼ s²ⱼ / s²ₜ)

    where s²ⱼ is the sample variance of question j over the rows and s²ₜ that of the rows'
    totals. None with fewer than ``MIN_ALPHA_ROWS`` rows, fewer than 2 questions, or
    totals that do not vary. Rows must be complete (same k)."""
    if len(rows) < MIN_ALPHA_ROWS:
        return None
    k = len(rows[0])
    if k < 2 or any(len(row) != k for row in rows):
        return None
    totals = [math.fsum(row) for row in rows]
    total_variance = _sample_variance(totals)
    if total_variance <= 0:
        return None
    item_variance = math.fsum(_sample_variance([row[j] for row in rows]) for j in range(k))
    return k / (k - 1) * (1 - item_variance / total_variance)
