"""Over-long calls: the long tail and what explains it.

Tail calls are those beyond the p95 of all durations (or a threshold given). For each agent
script, the share of tail calls that hold it is compared with the share of other calls
that hold it within each topic, because a topic with long calls makes all its wording look
"long" (Mantel–Haenszel difference over topics, Sato's variance, Benjamini–Hochberg over
all candidates).

Reasons are ranked by the seconds they add beyond their words and beyond the other
reasons. Any wording is more frequent in long calls, which hold more words; an event that
adds time — a transfer to the back office, a lookup that times out — adds minutes of waiting
that the number of words does not explain. And wordings travel together: the explanation a
topic's hard case needs is said in the same calls as the lookup that times out in that case,
so each alone looks long. So every reason that passes the test above enters one least-squares
model of the duration with a mean per topic, a slope per character spoken and a coefficient per
reason (``joint_added_seconds``): a reason's ``added_seconds`` is its own coefficient, the
seconds it adds when the topic, the words and the other reasons are the same, with its
standard error; reasons whose coefficient is not significantly positive (Benjamini–Hochberg)
are dropped. ``added_seconds_alone`` keeps the comparison within topics, without the others.

Where transcripts carry turn times, the silence after each reason tells a cause from a
companion: a lookup that times out or a transfer is followed by minutes of waiting, while a
long explanation (said more in long calls, because there is time) is followed by a second.
Reasons followed by a wait (``waits``: median silence after them ≥ ``WAIT_MIN_S`` and
≥ ``WAIT_FACTOR`` × the usual silence after a clause in the tail) come first, longest wait
first; the others follow by their seconds.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy import sparse, stats
from sqlalchemy.orm import Session

from seci.mining.dataset import Dataset
from seci.mining.golden import candidate_groups, clause_index
from seci.mining.groups import PhraseGroup
from seci.stats.comparisons import benjamini_hochberg
from seci.stats.stratified import mantel_haenszel_parts, risk_difference_from_sums

QUANTILE = 95
MIN_TAIL_CALLS = 10
Q_LIMIT = 0.01
MIN_LIFT = 1.5
MAX_REASONS = 20
# A wait: the median silence after a reason is at least this many seconds and this many
# times the usual silence after a clause in the tail calls.
WAIT_MIN_S = 30.0
WAIT_FACTOR = 3.0


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
    added_seconds_se: float | None = None
    added_seconds_alone: float | None = None  # within topics, the other reasons not held
    # Median silence after it in the tail calls that hold it, seconds (None without times).
    wait_after_s: float | None = None
    waits: bool = False  # followed by a wait well beyond the call's usual silences
    variants: list[str] = field(default_factory=list)  # the group's wordings

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass
class LongCalls:
    threshold_s: float
    tail_calls: int
    reasons: list[TailReason]
    usual_silence_s: float | None = None  # median silence after a clause in the tail

    def as_dict(self) -> dict[str, Any]:
        return {"threshold_s": self.threshold_s, "tail_calls": self.tail_calls,
                "usual_silence_s": self.usual_silence_s,
                "reasons": [r.as_dict() for r in self.reasons]}


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
    residual = unexplained_seconds(data.duration, words_spoken(data), strata, n_strata)
    tail_per = np.bincount(strata[tail], minlength=n_strata).astype(float)
    other_per = np.bincount(strata[~tail], minlength=n_strata).astype(float)
    index = clause_index(data)
    keys, rows, silences = index.sorted_keys, index.rows, index.silences
    candidates = groups if groups is not None else candidate_groups(session, data)
    tested: list[tuple[TailReason, float, np.ndarray]] = []
    for group in candidates:
        start = np.searchsorted(keys, group.keys, side="left")
        end = np.searchsorted(keys, group.keys, side="right")
        spans = [(s, e) for s, e in zip(start, end, strict=True) if e > s]
        if not spans:
            continue
        held = np.concatenate([np.arange(s, e) for s, e in spans])
        holding = np.zeros(data.size, dtype=bool)
        holding[rows[held]] = True
        outcome = _test(data, group, holding, tail, strata, n_strata, tail_per, other_per,
                        residual)
        if outcome is not None:
            if silences is not None:
                in_tail = tail[rows[held]]
                outcome[0].wait_after_s = (float(np.median(silences[held][in_tail]))
                                           if in_tail.any() else None)
            tested.append((*outcome, np.flatnonzero(holding)))
    if not tested:
        return LongCalls(threshold, int(tail.sum()), [])
    q_values = benjamini_hochberg([p for _, p, _ in tested])
    screened = [(reason, rows_with) for (reason, _p, rows_with), q
                in zip(tested, q_values, strict=True)
                if q < Q_LIMIT and reason.excess > 0 and (reason.lift or 0) >= MIN_LIFT]
    for (reason, _p, _rows), q in zip(tested, q_values, strict=True):
        reason.q_value = q
    reasons = _jointly(data, screened, strata, n_strata)
    usual = (float(np.median(silences[tail[rows]])) if silences is not None and tail.any()
             else 0.0)
    for reason in reasons:
        wait = reason.wait_after_s
        reason.waits = wait is not None and wait >= max(WAIT_MIN_S, WAIT_FACTOR * usual)
    reasons.sort(key=lambda r: (not r.waits,
                                -(r.wait_after_s or 0.0) if r.waits else -r.added_seconds))
    return LongCalls(threshold, int(tail.sum()), reasons[:MAX_REASONS],
                     usual_silence_s=usual if silences is not None else None)


def _jointly(data: Dataset, screened: list[tuple[TailReason, np.ndarray]],
             strata: np.ndarray, n_strata: int) -> list[TailReason]:
    """The screened reasons with their seconds in one model; those adding significant time,
    most first."""
    if not screened:
        return []
    fit = joint_added_seconds(data.duration, words_spoken(data), strata, n_strata,
                              [rows_with for _, rows_with in screened])
    p_values = [float(stats.norm.sf(c / se)) if se > 0 else (0.0 if c > 0 else 1.0)
                for c, se in zip(fit.coefficients, fit.standard_errors, strict=True)]
    kept = []
    for (reason, _), coefficient, se, q in zip(
            screened, fit.coefficients, fit.standard_errors, benjamini_hochberg(p_values),
            strict=True):
        if q < Q_LIMIT and coefficient > 0:
            reason.added_seconds_alone = reason.added_seconds
            reason.added_seconds, reason.added_seconds_se = float(coefficient), float(se)
            kept.append(reason)
    return kept


@dataclass(frozen=True)
class JointFit:
    coefficients: np.ndarray  # seconds per reason
    standard_errors: np.ndarray


def joint_added_seconds(duration: np.ndarray, spoken: np.ndarray, strata: np.ndarray,
                        n_strata: int, holders: list[np.ndarray]) -> JointFit:
    """Least squares of the duration on a mean per stratum (topic), how much was spoken
    (``words_spoken``) and one 0/1 column per reason (the rows holding it): β = (XᶜᵀXᶜ)⁻¹Xᶜᵀyᶜ with
    every column centred within its stratum (the stratum means drop out), Var(β) =
    σ²(XᶜᵀXᶜ)⁻¹, σ² = RSS/(n − k − strata). The reasons' columns stay sparse: XᶜᵀXᶜ =
    XᵀX − Σₛ nₛ·x̄ₛx̄ₛᵀ, so a million calls never become a dense matrix."""
    n = len(duration)
    size = len(holders)
    columns = sparse.csc_matrix(
        (np.ones(sum(len(h) for h in holders)),
         (np.concatenate(holders), np.repeat(np.arange(size), [len(h) for h in holders]))),
        shape=(n, size))
    design = sparse.hstack([sparse.csc_matrix(spoken.astype(float)[:, None]), columns]).tocsc()
    y = duration.astype(float)
    counts = np.maximum(np.bincount(strata, minlength=n_strata), 1).astype(float)
    y_centred = y - (np.bincount(strata, weights=y, minlength=n_strata) / counts)[strata]
    membership = sparse.csr_matrix((np.ones(n), (strata, np.arange(n))), shape=(n_strata, n))
    sums = np.asarray((membership @ design).todense())  # per stratum, each column's sum
    gram = np.asarray((design.T @ design).todense()) - sums.T @ (sums / counts[:, None])
    moment = np.asarray(design.T @ y_centred).ravel()  # yᶜ sums to 0 in every stratum
    inverse = np.linalg.pinv(gram)
    beta = inverse @ moment
    rss = max(float(y_centred @ y_centred - beta @ moment), 0.0)
    sigma2 = rss / max(n - size - 1 - n_strata, 1)
    errors = np.sqrt(np.maximum(np.diag(inverse) * sigma2, 0.0))
    return JointFit(beta[1:], errors[1:])


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
                        tail_with, [data.call_ids[i] for i in examples],
                        variants=group.variants[:8])
    return reason, float(2 * stats.norm.sf(abs(excess / se)))


def words_spoken(data: Dataset) -> np.ndarray:
    """How much was said in each call: the characters spoken (a long explanation takes
    longer than "好的"), or the number of agent clauses where characters were not counted."""
    if len(data.spoken_chars) and data.spoken_chars.any():
        return data.spoken_chars
    return np.diff(data.clauses.offsets)


def unexplained_seconds(duration: np.ndarray, spoken: np.ndarray, strata: np.ndarray,
                        n_strata: int) -> np.ndarray:
    """Duration minus what the call's topic and how much was spoken predict:
    y − ȳ_t − b·(x − x̄_t), b = Σ(x − x̄_t)(y − ȳ_t) / Σ(x − x̄_t)² (one slope, a mean per
    topic)."""
    y, x = duration.astype(float), spoken.astype(float)
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
