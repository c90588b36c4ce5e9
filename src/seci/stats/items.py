"""Item analysis of an exam (classical test theory), vectorised with numpy.

Input: ``scores`` (n attempts × k questions) of 0/1 marks (a question's mark as a fraction
of its maximum also works) and an optional ``answered`` mask of the same shape — when each
attempt draws its own questions, a question counts only in the attempts that drew it. A
question's "rest of the test" in an attempt is the share right of the *other* questions it
drew: (Tᵢ − xᵢⱼ)/(Cᵢ − 1), with Tᵢ the attempt's marks and Cᵢ its question count (with the
same questions for every attempt this is the rest score divided by k − 1, which leaves
every correlation unchanged).

Figures as Moodle's quiz statistics define them (docs.moodle.org, "Quiz statistics
calculations"), as fractions rather than percentages:

  facility_index               F = x̄ⱼ (share right)
  discrimination_index         r(xⱼ, rest) — the item–rest corrected point-biserial
  discriminative_efficiency    C(xⱼ, rest) / Cmax(xⱼ, rest), Cmax pairing both sorted
  kr20                         k/(k − 1)·(1 − Σ pⱼqⱼ / σ²ₜ) = Cronbach's α of 0/1 marks
  standard_error_of_measurement  SEM = sₜ·√(1 − α)
  extreme_groups               the top and bottom 27 % of attempts by score (Kelley 1939)
  option_shares                share choosing each option, overall and in those groups

Undefined figures (no variance, too few attempts) are NaN in arrays and None in scalars.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

Array = npt.NDArray[np.float64]
Mask = npt.NDArray[np.bool_]

EXTREME_GROUP_SHARE = 0.27
# Weak-item rules (see flag_items).
FACILITY_LOW = 0.2
FACILITY_HIGH = 0.95
DISCRIMINATION_LOW = 0.2


def _prepare(scores: npt.ArrayLike, answered: npt.ArrayLike | None) -> tuple[Array, Array]:
    x = np.asarray(scores, dtype=np.float64)
    if x.ndim != 2:
        raise ValueError("scores must be attempts × questions")
    mask = np.ones_like(x) if answered is None else np.asarray(answered, dtype=np.float64)
    if mask.shape != x.shape:
        raise ValueError("answered must have the shape of scores")
    return x * mask, mask


def facility_index(scores: npt.ArrayLike, answered: npt.ArrayLike | None = None) -> Array:
    """F_j = Σᵢ xᵢⱼ / nⱼ: the mean mark of question j over the nⱼ attempts that drew it
    (for right/wrong questions, the share right). NaN for a question nobody drew."""
    x, mask = _prepare(scores, answered)
    counts = mask.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(counts > 0, x.sum(axis=0) / counts, np.nan)


def rest_scores(scores: npt.ArrayLike, answered: npt.ArrayLike | None = None) -> Array:
    """Rᵢⱼ = (Tᵢ − xᵢⱼ)/(Cᵢ − 1): attempt i's share right of the questions other than j
    (NaN where j was not drawn or it was the attempt's only question)."""
    x, mask = _prepare(scores, answered)
    totals = x.sum(axis=1, keepdims=True)
    others = mask.sum(axis=1, keepdims=True) - 1
    with np.errstate(invalid="ignore", divide="ignore"):
        rest = (totals - x) / others
    return np.where((mask > 0) & (others > 0), rest, np.nan)


def _column_moments(x: Array, rest: Array, weight: Array) -> tuple[Array, Array, Array, Array]:
    """Per column over the weighted rows: n, mean of x, mean of rest, and the centred
    values (zero outside the rows)."""
    n = weight.sum(axis=0)
    safe_n = np.where(n > 0, n, 1)
    rest0 = np.where(weight > 0, rest, 0.0)
    mean_x = (x * weight).sum(axis=0) / safe_n
    mean_r = (rest0 * weight).sum(axis=0) / safe_n
    return n, mean_x, mean_r, rest0


def discrimination_index(scores: npt.ArrayLike, answered: npt.ArrayLike | None = None
                         ) -> Array:
    """D_j = C(xⱼ, Rⱼ) / √(V(xⱼ)·V(Rⱼ)): Pearson's r between question j's mark and the
    rest of the test over the attempts that drew it — the item–rest (corrected)
    point-biserial correlation. NaN with fewer than 3 attempts or no variance."""
    x, mask = _prepare(scores, answered)
    rest = rest_scores(x, mask)
    weight = mask * ~np.isnan(rest)
    n, mean_x, mean_r, rest0 = _column_moments(x, rest, weight)
    dx = (x - mean_x) * weight
    dr = (rest0 - mean_r) * weight
    cov = (dx * dr).sum(axis=0)
    var = (dx * dx).sum(axis=0) * (dr * dr).sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        r = cov / np.sqrt(var)
    return np.where((n >= 3) & (var > 0), r, np.nan)


def discriminative_efficiency(scores: npt.ArrayLike, answered: npt.ArrayLike | None = None
                              ) -> Array:
    """E_j = C(xⱼ, Rⱼ) / Cmax(xⱼ, Rⱼ), where Cmax is the covariance after sorting the marks
    and the rest scores separately (each ascending) and pairing them: the largest
    covariance those two distributions allow, so E shows how close the question comes to
    the discrimination its facility permits (Moodle's "discriminative efficiency")."""
    x, mask = _prepare(scores, answered)
    rest = rest_scores(x, mask)
    weight = mask * ~np.isnan(rest)
    n, mean_x, mean_r, rest0 = _column_moments(x, rest, weight)
    cov = ((x - mean_x) * (rest0 - mean_r) * weight).sum(axis=0)
    # Sorting with NaN for the rows not counted puts them last in each column.
    sorted_x = np.sort(np.where(weight > 0, x, np.nan), axis=0)
    sorted_r = np.sort(np.where(weight > 0, rest, np.nan), axis=0)
    valid = ~np.isnan(sorted_x)
    cov_max = np.where(valid, (sorted_x - mean_x) * (sorted_r - mean_r), 0.0).sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        efficiency = cov / cov_max
    return np.where((n >= 3) & (cov_max > 0), efficiency, np.nan)


def kr20(scores: npt.ArrayLike) -> float | None:
    """KR-20 = k/(k − 1)·(1 − Σⱼ pⱼqⱼ / σ²ₜ) for k right/wrong questions answered by every
    attempt, with pⱼ the share right, qⱼ = 1 − pⱼ and σ²ₜ the (population) variance of the
    attempts' totals; for other marks Σ pⱼqⱼ becomes Σ σ²ⱼ, which is Cronbach's α (the
    n/(n − 1) factors of sample variances cancel, so this equals
    ``seci.stats.reliability.cronbach_alpha``). None with fewer than 3 attempts, fewer
    than 2 questions or totals that do not vary."""
    x = np.asarray(scores, dtype=np.float64)
    n, k = x.shape if x.ndim == 2 else (0, 0)
    if n < 3 or k < 2:
        return None
    total_variance = float(x.sum(axis=1).var())
    if total_variance <= 0:
        return None
    return float(k / (k - 1) * (1 - float(x.var(axis=0).sum()) / total_variance))


def standard_error_of_measurement(totals: npt.ArrayLike, reliability: float | None
                                  ) -> float | None:
    """SEM = sₜ·√(1 − ρ): the spread of an attempt's observed score around its true score,
    with sₜ the sample standard deviation of the totals and ρ the reliability (KR-20).
    None without a reliability or with fewer than 2 totals; 0 when ρ ≥ 1."""
    t = np.asarray(totals, dtype=np.float64)
    if reliability is None or t.size < 2:
        return None
    return float(t.std(ddof=1)) * math.sqrt(max(0.0, 1 - reliability))


def extreme_groups(totals: npt.ArrayLike, share: float = EXTREME_GROUP_SHARE
                   ) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp]]:
    """The indexes of the top and the bottom ⌊share·n + ½⌋ attempts by total (at least
    one each; ties keep the attempts' order: a stable sort)."""
    t = np.asarray(totals, dtype=np.float64)
    size = max(1, math.floor(share * t.size + 0.5)) if t.size else 0
    order = np.argsort(-t, kind="stable")
    bottom = np.argsort(t, kind="stable")
    return order[:size], bottom[:size]


@dataclass(frozen=True)
class OptionShares:
    """Share of the attempts that drew each question choosing each option (questions ×
    options), overall and in the top and bottom groups; NaN where nobody drew it."""

    overall: Array
    top: Array
    bottom: Array


def _shares(chosen: Array, mask: Array, rows: npt.NDArray[np.intp] | slice) -> Array:
    counts = mask[rows].sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(counts[:, None] > 0, chosen[rows].sum(axis=0) / counts[:, None],
                        np.nan)


def option_shares(chosen: npt.ArrayLike, totals: npt.ArrayLike,
                  answered: npt.ArrayLike | None = None,
                  share: float = EXTREME_GROUP_SHARE) -> OptionShares:
    """Distractor analysis: ``chosen`` (attempts × questions × options, true where the
    attempt chose the option) → for each question and option, the number choosing it over
    the number of attempts that drew the question, overall and within the top and bottom
    ``share`` of attempts by ``totals``."""
    c = np.asarray(chosen, dtype=np.float64)
    mask = (np.ones(c.shape[:2]) if answered is None
            else np.asarray(answered, dtype=np.float64))
    c = c * mask[:, :, None]
    top, bottom = extreme_groups(totals, share)
    return OptionShares(overall=_shares(c, mask, slice(None)), top=_shares(c, mask, top),
                        bottom=_shares(c, mask, bottom))


@dataclass(frozen=True)
class ItemFlags:
    too_hard: Mask  # F < 0.2
    too_easy: Mask  # F > 0.95
    weak_discrimination: Mask  # D < 0.2 (or undefined)
    attractive_distractor: Mask  # a wrong option chosen more by the top group than bottom

    @property
    def any(self) -> Mask:
        return (self.too_hard | self.too_easy | self.weak_discrimination
                | self.attractive_distractor)


def flag_items(facility: Array, discrimination: Array, shares: OptionShares | None = None,
               key: npt.ArrayLike | None = None) -> ItemFlags:
    """Weak questions: F < ``FACILITY_LOW`` or F > ``FACILITY_HIGH``; D <
    ``DISCRIMINATION_LOW``; a distractor (an option not in ``key``, questions × options)
    chosen by a larger share of the top group than of the bottom group."""
    attractive: Mask = np.zeros(facility.shape, dtype=bool)
    if shares is not None and key is not None:
        wrong = ~np.asarray(key, dtype=bool)
        with np.errstate(invalid="ignore"):
            attractive = np.asarray(
                (wrong & (np.nan_to_num(shares.top) > np.nan_to_num(shares.bottom))).any(axis=1),
                dtype=bool)
    with np.errstate(invalid="ignore"):
        return ItemFlags(
            too_hard=facility < FACILITY_LOW, too_easy=facility > FACILITY_HIGH,
            weak_discrimination=np.isnan(discrimination) | (discrimination < DISCRIMINATION_LOW),
            attractive_distractor=attractive)


def optional(value: float) -> float | None:
    """A numpy figure for JSON and templates: None instead of NaN."""
    return None if math.isnan(value) else float(value)
