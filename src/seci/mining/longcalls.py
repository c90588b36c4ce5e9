"""Over-long calls: the long tail and what explains it.

Tail calls are those beyond the p95 of all durations (or a threshold given). For each agent
script, the share of tail calls that hold it is compared with the share of other calls
that hold it within each topic, because a topic with long calls makes all its wording look
"long" (Mantel–Haenszel difference over topics, Sato's variance, Benjamini–Hochberg over
all candidates).

Reasons are ranked by the seconds they add beyond their words. Any wording is more
frequent in long calls, which hold more words; an event that adds time — a transfer to
the back office, a lookup that times out — adds minutes of waiting that the number of
words does not explain. So each call's duration is compared with what its topic and its
number of agent clauses predict (least squares with a mean per topic and one slope per
clause), and a reason's ``added_seconds`` is the Mantel–Haenszel-weighted difference of
that residual between calls of a topic with and without it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy import stats
from sqlalchemy.orm import Session

from seci.mining.dataset import Dataset, Sparse
from seci.mining.golden import candidate_groups
from seci.mining.groups import PhraseGroup
from seci.stats.comparisons import benjamini_hochberg
from seci.stats.stratified import mantel_haenszel_parts, risk_difference_from_sums

QUANTILE = 95
MIN_TAIL_CALLS = 10
Q_LIMIT = 0.01
MIN_LIFT = 1.5
MAX_REASONS = 20


@dataclass
class TailReason:
    phrase: str
    tail_share: float  # tail calls that hold it
    other_share: float
    lift: float | None
    excess: float  # Mantel–Haenszel difference of tail shares within strata
    added_seconds: float  # weighted mean duration with − without, within strata
    q_value: float
    tail_calls_with: int
    example_call_ids: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass
class LongCalls:
    threshold_s: float
    tail_calls: int
    reasons: list[TailReason]

    def as_dict(self) -> dict[str, Any]:
        return {"threshold_s": self.threshold_s, "tail_calls": self.tail_calls,
                "reasons": [r.as_dict() for r in self.reasons]}


def _rows_by_key(sparse: Sparse) -> tuple[np.ndarray, np.ndarray]:
    order = np.argsort(sparse.values, kind="stable")
    return sparse.values[order], sparse.row_of_each_value()[order]


def explain_long_calls(session: Session, data: Dataset, *, threshold_s: float | None = None,
                       groups: list[PhraseGroup] | None = None) -> LongCalls:
    if data.size == 0:
        return LongCalls(0.0, 0, [])
    threshold = float(threshold_s if threshold_s is not None
                      else np.percentile(data.duration, QUANTILE))
    tail = data.duration > threshold
    if tail.sum() < MIN_TAIL_CALLS:
        return LongCalls(threshold, int(tail.sum()), [])
    strata = data.topic.astype(np.int64)
    n_strata = len(data.topics)
    residual = unexplained_seconds(data.duration, np.diff(data.clauses.offsets), strata,
                                   n_strata)
    tail_per = np.bincount(strata[tail], minlength=n_strata).astype(float)
    other_per = np.bincount(strata[~tail], minlength=n_strata).astype(float)
    keys, rows = _rows_by_key(data.clauses)
    candidates = groups if groups is not None else candidate_groups(session, data)
    tested: list[tuple[TailReason, float]] = []
    for group in candidates:
        start = np.searchsorted(keys, group.keys, side="left")
        end = np.searchsorted(keys, group.keys, side="right")
        spans = [rows[s:e] for s, e in zip(start, end, strict=True) if e > s]
        if not spans:
            continue
        holding = np.zeros(data.size, dtype=bool)
        holding[np.concatenate(spans)] = True
        outcome = _test(data, group, holding, tail, strata, n_strata, tail_per, other_per,
                        residual)
        if outcome is not None:
            tested.append(outcome)
    if not tested:
        return LongCalls(threshold, int(tail.sum()), [])
    q_values = benjamini_hochberg([p for _, p in tested])
    reasons: list[TailReason] = []
    for (reason, _p), q in zip(tested, q_values, strict=True):
        reason.q_value = q
        if q < Q_LIMIT and reason.excess > 0 and (reason.lift or 0) >= MIN_LIFT:
            reasons.append(reason)
    reasons.sort(key=lambda r: -r.added_seconds)
    return LongCalls(threshold, int(tail.sum()), reasons[:MAX_REASONS])


def _test(data: Dataset, group: PhraseGroup, holding: np.ndarray, tail: np.ndarray,
          strata: np.ndarray, n_strata: int, tail_per: np.ndarray, other_per: np.ndarray,
          residual: np.ndarray) -> tuple[TailReason, float] | None:
    tail_with = int((holding & tail).sum())
    if tail_with < MIN_TAIL_CALLS:
        return None
    a = np.bincount(strata[holding & tail], minlength=n_strata).astype(float)
    b = np.bincount(strata[holding & ~tail], minlength=n_strata).astype(float)
    parts = mantel_haenszel_parts(a, tail_per, b, other_per)
    estimate = risk_difference_from_sums(float(parts.numerator.sum()),
                                         float(parts.weight.sum()), float(parts.p.sum()),
                                         float(parts.q.sum()))
    if estimate is None or estimate[1] == 0:
        return None
    excess, se = estimate
    tail_share = tail_with / int(tail.sum())
    other_share = float((holding & ~tail).sum() / max(int((~tail).sum()), 1))
    examples = np.flatnonzero(holding & tail)[:3]
    reason = TailReason(group.representative, tail_share, other_share,
                        tail_share / other_share if other_share else None, excess,
                        added_seconds(residual, holding, strata, n_strata), 1.0,
                        tail_with, [data.call_ids[i] for i in examples])
    return reason, float(2 * stats.norm.sf(abs(excess / se)))


def unexplained_seconds(duration: np.ndarray, clauses: np.ndarray, strata: np.ndarray,
                        n_strata: int) -> np.ndarray:
    """Duration minus what the call's topic and its number of agent clauses predict:
    y − ȳ_t − b·(x − x̄_t), b = Σ(x − x̄_t)(y − ȳ_t) / Σ(x − x̄_t)² (one slope, a mean per
    topic)."""
    y, x = duration.astype(float), clauses.astype(float)
    counts = np.maximum(np.bincount(strata, minlength=n_strata), 1)
    y_centred = y - (np.bincount(strata, weights=y, minlength=n_strata) / counts)[strata]
    x_centred = x - (np.bincount(strata, weights=x, minlength=n_strata) / counts)[strata]
    spread = float((x_centred ** 2).sum())
    slope = float((x_centred * y_centred).sum()) / spread if spread else 0.0
    residual: np.ndarray = y_centred - slope * x_centred
    return residual


def added_seconds(seconds: np.ndarray, holding: np.ndarray, strata: np.ndarray,
                  n_strata: int) -> float:
    """Σ w·(mean with − mean without) ÷ Σ w over strata with calls on both sides,
    w = n_with·n_without/(n_with + n_without): how much longer calls with the wording
    are than comparable calls without it."""
    n1 = np.bincount(strata[holding], minlength=n_strata).astype(float)
    n0 = np.bincount(strata[~holding], minlength=n_strata).astype(float)
    s1 = np.bincount(strata[holding], weights=seconds[holding], minlength=n_strata)
    s0 = np.bincount(strata[~holding], weights=seconds[~holding], minlength=n_strata)
    both = (n1 > 0) & (n0 > 0)
    if not both.any():
        return 0.0
    weight = n1[both] * n0[both] / (n1[both] + n0[both])
    difference = s1[both] / n1[both] - s0[both] / n0[both]
    return float((weight * difference).sum() / weight.sum())
