"""Knowledge gaps from calls: topics where agents hedge, escalate or promise a call-back,
where first-contact resolution is low and the volume grows.

For each topic (the filed product): the share of its calls with hedging wording
(``data/hedges.txt``) against the other topics' calls, its FCR against theirs (both
two-proportion z-tests), and the trend of its weekly count (least-squares slope, t-test).
A topic is a gap when it hedges significantly more *and* resolves significantly less
(Benjamini–Hochberg over topics); gaps are ranked by the sum of the three z-scores (growth
only counts when positive), so a growing gap comes before a stable one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy import stats

from seci.mining.dataset import Dataset
from seci.mining.text import CALLBACK, ESCALATE, HEDGE
from seci.stats.comparisons import benjamini_hochberg, two_proportion_z_test
from seci.stats.counts import linear_trend
from seci.stats.intervals import wilson_interval
from seci.stats.summaries import Proportion

MIN_CALLS = 30
Q_LIMIT = 0.05


@dataclass
class KnowledgeGap:
    topic: str
    calls: int
    fcr: float
    fcr_ci: tuple[float, float] | None
    fcr_elsewhere: float
    hedge_share: float  # calls where the agent hedged, escalated or promised a call-back
    hedge_share_elsewhere: float
    hedge_kinds: dict[str, float]
    weekly_calls: list[int]
    growth_per_week: float  # calls per week (least-squares slope)
    growth_p_value: float
    q_value: float
    score: float
    is_gap: bool
    example_call_ids: list[str] = field(default_factory=list)
    example_questions: list[str] = field(default_factory=list)
    search_answered_share: float | None = None  # filled by the service (search engine)
    search_log_gaps: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        values = dict(self.__dict__)
        values["fcr_ci"] = list(self.fcr_ci) if self.fcr_ci else None
        return values


def _z(result_effect: float, p_value: float) -> float:
    """The signed z of a two-sided p-value (sign of the effect)."""
    z = float(stats.norm.isf(max(p_value, 1e-300) / 2))
    return z if result_effect >= 0 else -z


def find_knowledge_gaps(data: Dataset, *, min_calls: int = MIN_CALLS) -> list[KnowledgeGap]:
    """Every topic with its evidence; gaps first, most pressing first."""
    if data.size == 0:
        return []
    hedged = (data.flags & (HEDGE | ESCALATE | CALLBACK)) != 0
    n_weeks = len(data.weeks)
    found = []
    for code, topic in enumerate(data.topics):
        mine = data.topic == code
        n, n_rest = int(mine.sum()), int((~mine).sum())
        if n < min_calls or n_rest == 0:
            continue
        hedge_here = Proportion(int(hedged[mine].sum()), n)
        hedge_rest = Proportion(int(hedged[~mine].sum()), n_rest)
        fcr_here = Proportion(int(data.fcr[mine].sum()), n)
        fcr_rest = Proportion(int(data.fcr[~mine].sum()), n_rest)
        hedge_test = two_proportion_z_test(hedge_rest, hedge_here)  # here − rest
        fcr_test = two_proportion_z_test(fcr_here, fcr_rest)  # rest − here: a deficit > 0
        weekly = np.bincount(data.week[mine], minlength=n_weeks).tolist()
        trend = linear_trend(weekly)
        z_hedge = _z(hedge_test.effect, hedge_test.p_value)
        z_fcr = _z(fcr_test.effect, fcr_test.p_value)
        z_growth = max(_z(trend.slope, trend.p_value), 0.0)
        interval = wilson_interval(fcr_here.successes, n)
        examples = np.flatnonzero(mine & hedged)[:3]
        found.append(KnowledgeGap(
            topic=topic, calls=n, fcr=fcr_here.rate,
            fcr_ci=(interval.lower, interval.upper) if interval else None,
            fcr_elsewhere=fcr_rest.rate, hedge_share=hedge_here.rate,
            hedge_share_elsewhere=hedge_rest.rate,
            hedge_kinds={kind: float(((data.flags[mine] & bit) != 0).mean())
                         for kind, bit in (("hedge", HEDGE), ("escalate", ESCALATE),
                                           ("callback", CALLBACK))},
            weekly_calls=[int(c) for c in weekly], growth_per_week=trend.slope,
            growth_p_value=trend.p_value,
            q_value=max(hedge_test.p_value, fcr_test.p_value),  # both must hold
            score=max(z_hedge, 0.0) + max(z_fcr, 0.0) + z_growth,
            is_gap=z_hedge > 0 and z_fcr > 0,
            example_call_ids=[data.call_ids[i] for i in examples],
            example_questions=[data.questions[i] for i in examples]))
    if not found:
        return []
    for gap, q in zip(found, benjamini_hochberg([g.q_value for g in found]), strict=True):
        gap.q_value = q
        gap.is_gap = gap.is_gap and q < Q_LIMIT
    found.sort(key=lambda g: (not g.is_gap, -g.score))
    return found
