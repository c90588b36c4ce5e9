"""Which words mark one group of texts against another: the log-odds ratio with an
informative Dirichlet prior (Monroe, Colaresi & Quinn 2008, "Fightin' words").

For word w with counts y_w in the group (total n) and y'_w in the rest (n'), and a prior
α_w proportional to its count in both (α₀ = Σα_w):

  δ_w = log((y_w + α_w)/(n + α₀ − y_w − α_w)) − log((y'_w + α_w)/(n' + α₀ − y'_w − α_w))
  σ²_w ≈ 1/(y_w + α_w) + 1/(y'_w + α_w);   z_w = δ_w / σ_w

Frequent words are not favoured merely for being frequent, rare words not for being rare.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class MarkedWord:
    word: str
    in_group: int
    in_rest: int
    log_odds: float
    z: float


def marked_words(group: Mapping[str, int], rest: Mapping[str, int], *,
                 prior_size: float = 500.0, limit: int = 20, min_count: int = 3
                 ) -> list[MarkedWord]:
    """The words most over-represented in ``group``, by z-score, strongest first."""
    vocabulary = set(group) | set(rest)
    n, n_rest = sum(group.values()), sum(rest.values())
    both = n + n_rest
    if not n or not n_rest or not both:
        return []
    found = []
    for word in vocabulary:
        y, y_rest = group.get(word, 0), rest.get(word, 0)
        if y < min_count:
            continue
        alpha = prior_size * (y + y_rest) / both
        alpha0 = prior_size
        delta = (math.log((y + alpha) / (n + alpha0 - y - alpha))
                 - math.log((y_rest + alpha) / (n_rest + alpha0 - y_rest - alpha)))
        sigma = math.sqrt(1 / (y + alpha) + 1 / (y_rest + alpha))
        found.append(MarkedWord(word, y, y_rest, delta, delta / sigma))
    found.sort(key=lambda w: -w.z)
    return found[:limit]
