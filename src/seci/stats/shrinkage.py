"""Shrinking small-volume rates toward their group's rate (empirical Bayes, beta-binomial),
so that five lucky calls do not beat sixty good ones.

With rates xᵢ/nᵢ of units in a group, the prior Beta(α, β) has the group's mean μ and a
strength m = α + β (how many calls' worth of belief the group's rate carries):

  μ = Σx / Σn;   m from the method of moments: the spread of the units' rates beyond what
  binomial noise explains, τ² = max(var_w(p̂) − μ(1 − μ)·mean(1/nᵢ), ε), m = μ(1 − μ)/τ² − 1,
  clamped to [min_strength, max_strength] (defaults 5 and 500).

  shrunk rate = (xᵢ + m·μ)/(nᵢ + m); interval = the Beta(xᵢ + mμ, nᵢ − xᵢ + m(1 − μ))
  quantiles (a 95 % credible interval).

A unit with a few calls lands near μ; one with many keeps close to its own rate.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from scipy import stats


@dataclass(frozen=True)
class ShrunkRate:
    successes: float
    n: int
    raw: float | None
    shrunk: float
    low: float
    high: float


@dataclass(frozen=True)
class BetaPrior:
    mean: float
    strength: float

    @property
    def alpha(self) -> float:
        return self.mean * self.strength

    @property
    def beta(self) -> float:
        return (1 - self.mean) * self.strength


def beta_prior(counts: Sequence[tuple[float, int]], *, min_strength: float = 5.0,
               max_strength: float = 500.0) -> BetaPrior:
    """The group's prior from its units' (successes, n), by the method of moments
    (successes may be fractional: standardised counts)."""
    used = [(x, n) for x, n in counts if n > 0]
    total = sum(n for _, n in used)
    if not total:
        raise ValueError("no unit has any case")
    mean = sum(x for x, _ in used) / total
    mean = min(max(mean, 1e-6), 1 - 1e-6)
    if len(used) < 2:
        return BetaPrior(mean, max_strength)
    weights = [n / total for _, n in used]
    rates = [x / n for x, n in used]
    spread = sum(w * (r - mean) ** 2 for w, r in zip(weights, rates, strict=True))
    noise = mean * (1 - mean) * sum(1 / n for _, n in used) / len(used)
    between = max(spread - noise, 1e-9)
    strength = mean * (1 - mean) / between - 1
    return BetaPrior(mean, min(max(strength, min_strength), max_strength))


def shrink(successes: float, n: int, prior: BetaPrior, confidence: float = 0.95) -> ShrunkRate:
    alpha, beta = successes + prior.alpha, n - successes + prior.beta
    tail = (1 - confidence) / 2
    return ShrunkRate(successes, n, successes / n if n else None, alpha / (alpha + beta),
                      float(stats.beta.ppf(tail, alpha, beta)),
                      float(stats.beta.ppf(1 - tail, alpha, beta)))
