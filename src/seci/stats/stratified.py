"""Effects within strata: the Mantel–Haenszel risk difference.

A phrase that top agents say more often looks effective in a pooled comparison simply
because top agents resolve more calls. Comparing calls with and without the phrase
*within* each stratum (agent × topic) and pooling the within-stratum differences removes
that: only agents who sometimes say it and sometimes do not contribute.

For stratum i: a = successes among the n1 calls with the phrase, b = successes among the
n0 calls without it, N = n1 + n0.

  RD_MH = Σ (a·n0 − b·n1)/N ÷ Σ n1·n0/N          (Mantel–Haenszel weights n1·n0/N)

  Var(RD_MH) = (RD_MH·Σ P + Σ Q) / (Σ n1·n0/N)²  (Sato 1989; Greenland & Robins 1985)
    P = (n1²·b − n0²·a + n1·n0·(n0 − n1)/2) / N²
    Q = (a·(n0 − b) + b·(n1 − a)) / (2N)

Sato's estimator stays valid with many small strata (agents with a few calls of a topic),
where the usual large-strata variance fails. One stratum with n1 = n0 = n gives
(p1(1 − p1) + p0(1 − p0))/n, the familiar unpooled variance. Strata without calls on both
sides carry no weight.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike
from scipy import stats

from seci.stats.summaries import Interval


@dataclass(frozen=True)
class StratifiedEffect:
    effect: float | None  # RD_MH; None when no stratum has calls on both sides
    se: float | None
    interval: Interval | None
    p_value: float | None
    n_with: int  # calls with the phrase in informative strata
    n_without: int
    strata: int  # informative strata


def mantel_haenszel_risk_difference(a: ArrayLike, n1: ArrayLike, b: ArrayLike,
                                    n0: ArrayLike, confidence: float = 0.95
                                    ) -> StratifiedEffect:
    """RD_MH with Sato's variance, its interval (normal) and two-sided p-value, from
    per-stratum counts (arrays of equal length)."""
    a_, n1_, b_, n0_ = (np.asarray(v, dtype=float) for v in (a, n1, b, n0))
    keep = (n1_ > 0) & (n0_ > 0)
    a_, n1_, b_, n0_ = a_[keep], n1_[keep], b_[keep], n0_[keep]
    n_with, n_without = int(n1_.sum()), int(n0_.sum())
    if not len(a_):
        return StratifiedEffect(None, None, None, None, 0, 0, 0)
    total = n1_ + n0_
    weights = n1_ * n0_ / total
    sum_w = float(weights.sum())
    effect = float(((a_ * n0_ - b_ * n1_) / total).sum() / sum_w)
    p_part = (n1_ ** 2 * b_ - n0_ ** 2 * a_ + n1_ * n0_ * (n0_ - n1_) / 2) / total ** 2
    q_part = (a_ * (n0_ - b_) + b_ * (n1_ - a_)) / (2 * total)
    variance = max(0.0, (effect * float(p_part.sum()) + float(q_part.sum())) / sum_w ** 2)
    se = math.sqrt(variance)
    if se == 0:
        return StratifiedEffect(effect, 0.0, Interval(effect, effect, confidence, "sato"),
                                1.0 if effect == 0 else 0.0, n_with, n_without, len(a_))
    z = float(stats.norm.ppf(1 - (1 - confidence) / 2))
    p_value = float(2 * stats.norm.sf(abs(effect / se)))
    return StratifiedEffect(effect, se, Interval(effect - z * se, effect + z * se, confidence,
                                                 "sato"), p_value, n_with, n_without, len(a_))


@dataclass(frozen=True)
class MantelHaenszelParts:
    """The per-stratum pieces of RD_MH and Sato's variance; sums of them over any set of
    strata give that set's estimate (``from_sums``), so many subsets (one per topic) cost
    one pass."""

    numerator: np.ndarray  # (a·n0 − b·n1)/N
    weight: np.ndarray  # n1·n0/N
    p: np.ndarray
    q: np.ndarray


def mantel_haenszel_parts(a: np.ndarray, n1: np.ndarray, b: np.ndarray, n0: np.ndarray
                          ) -> MantelHaenszelParts:
    """Per-stratum parts; strata without calls on both sides get zeros."""
    a_, n1_, b_, n0_ = (np.asarray(v, dtype=float) for v in (a, n1, b, n0))
    total = n1_ + n0_
    keep = (n1_ > 0) & (n0_ > 0)
    safe = np.where(keep, total, 1.0)
    numerator = np.where(keep, (a_ * n0_ - b_ * n1_) / safe, 0.0)
    weight = np.where(keep, n1_ * n0_ / safe, 0.0)
    p = np.where(keep, (n1_ ** 2 * b_ - n0_ ** 2 * a_ + n1_ * n0_ * (n0_ - n1_) / 2)
                 / safe ** 2, 0.0)
    q = np.where(keep, (a_ * (n0_ - b_) + b_ * (n1_ - a_)) / (2 * safe), 0.0)
    return MantelHaenszelParts(numerator, weight, p, q)


def risk_difference_from_sums(numerator: float, weight: float, p: float, q: float
                              ) -> tuple[float, float] | None:
    """(RD_MH, SE) from summed parts; None without any informative stratum."""
    if weight <= 0:
        return None
    effect = numerator / weight
    return effect, math.sqrt(max(0.0, (effect * p + q) / weight ** 2))


@dataclass(frozen=True)
class OddsRatioParts:
    """Per-stratum pieces of the Mantel–Haenszel odds ratio and its Robins–Breslow–Greenland
    variance; like ``MantelHaenszelParts``, sums over any set of strata give that set's
    estimate (``log_odds_ratio_from_sums``).

    With a of n1 successes with the factor and b of n0 without, N = n1 + n0:
      R = a·(n0 − b)/N,  S = (n1 − a)·b/N,  P = (a + n0 − b)/N,  Q = (n1 − a + b)/N
      OR_MH = ΣR/ΣS
      Var(ln OR_MH) = ΣPR/(2(ΣR)²) + Σ(PS + QR)/(2ΣR·ΣS) + ΣQS/(2(ΣS)²)
    """

    r: np.ndarray
    s: np.ndarray
    pr: np.ndarray
    ps_qr: np.ndarray
    qs: np.ndarray


def odds_ratio_parts(a: np.ndarray, n1: np.ndarray, b: np.ndarray, n0: np.ndarray
                     ) -> OddsRatioParts:
    """Per-stratum parts; strata without calls on both sides get zeros."""
    a_, n1_, b_, n0_ = (np.asarray(v, dtype=float) for v in (a, n1, b, n0))
    keep = (n1_ > 0) & (n0_ > 0)
    total = np.where(keep, n1_ + n0_, 1.0)
    r = np.where(keep, a_ * (n0_ - b_) / total, 0.0)
    s = np.where(keep, (n1_ - a_) * b_ / total, 0.0)
    p = np.where(keep, (a_ + n0_ - b_) / total, 0.0)
    q = np.where(keep, (n1_ - a_ + b_) / total, 0.0)
    return OddsRatioParts(r, s, p * r, p * s + q * r, q * s)


def log_odds_ratio_from_sums(r: float, s: float, pr: float, ps_qr: float, qs: float
                             ) -> tuple[float, float] | None:
    """(ln OR_MH, SE) from summed parts; None when either sum is zero (the odds ratio is
    0 or infinite)."""
    if r <= 0 or s <= 0:
        return None
    variance = pr / (2 * r * r) + ps_qr / (2 * r * s) + qs / (2 * s * s)
    return math.log(r / s), math.sqrt(variance)


@dataclass(frozen=True)
class Heterogeneity:
    q: float  # Cochran's Q
    df: int
    p_value: float
    i_squared: float  # share of the spread beyond chance, 0–1 (Higgins & Thompson)


def cochran_q(effects: ArrayLike, standard_errors: ArrayLike) -> Heterogeneity:
    """Whether per-stratum estimates differ beyond chance:
    Q = Σ w·(θᵢ − θ̄)², w = 1/SEᵢ², θ̄ = Σwθ/Σw, against χ² with k − 1 degrees of freedom;
    I² = max(0, (Q − df)/Q)."""
    theta = np.asarray(effects, dtype=float)
    weights = 1 / np.asarray(standard_errors, dtype=float) ** 2
    if len(theta) < 2:
        return Heterogeneity(0.0, 0, 1.0, 0.0)
    mean = float((weights * theta).sum() / weights.sum())
    q = float((weights * (theta - mean) ** 2).sum())
    df = len(theta) - 1
    return Heterogeneity(q, df, float(stats.chi2.sf(q, df)), max(0.0, (q - df) / q) if q else 0.0)
