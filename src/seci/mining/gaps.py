"""Knowledge gaps from calls: topics where agents do not know, hand the call on, resolve
less, and where the volume grows.

For each topic (the filed product), against the other topics' calls (two-proportion
z-tests):
- the share of calls where the agent said they do not know ("不太清楚", "系统里查不到":
  ``hedge`` lines of ``data/hedges.txt``), the mark of missing knowledge;
- the share handed on (escalated or a call-back promised): also the normal course of faults
  that need a technician, so it supports a gap but weighs less;
- first-contact resolution;
and the trend of its weekly count (least-squares slope, t-test).

A topic is a gap when it resolves significantly less *and* its agents say they do not know
significantly more often (Benjamini–Hochberg over topics, both tests). Handing on alone does
not make a gap: every unresolved call ends with a call-back or a ticket, so a topic that
resolves less always hands on more.
Gaps are ranked by the size of what was found, not by z-scores (which grow with volume:
a big topic would always come first):

  score = 2·(not-known share − elsewhere) + (handed-on share − elsewhere)
          + (FCR elsewhere − FCR) + ½·min(relative growth, 1)

each difference counted when positive; the relative growth is the fitted change over the
period ÷ the mean weekly count, counted only when the trend is significant (p < 0.05).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from seci.mining.dataset import Dataset
from seci.mining.text import CALLBACK, ESCALATE, HEDGE
from seci.stats.comparisons import TestResult, benjamini_hochberg, two_proportion_z_test
from seci.stats.counts import linear_trend
from seci.stats.intervals import wilson_interval
from seci.stats.summaries import Proportion

MIN_CALLS = 30
Q_LIMIT = 0.05
GROWTH_P = 0.05


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
    not_known_share: float = 0.0  # calls where the agent said they do not know
    not_known_share_elsewhere: float = 0.0
    example_call_ids: list[str] = field(default_factory=list)
    example_questions: list[str] = field(default_factory=list)
    search_answered_share: float | None = None  # filled by the service (search engine)
    # Filled by the service: the customer words that mark the topic, and agents' searches
    # that went without a good answer and name the topic or one of those words.
    words: list[str] = field(default_factory=list)
    search_log_gaps: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        values = dict(self.__dict__)
        values["fcr_ci"] = list(self.fcr_ci) if self.fcr_ci else None
        return values


def _excess(marked: np.ndarray, mine: np.ndarray) -> TestResult:
    """The topic's share of marked calls minus the other topics' (z-test)."""
    return two_proportion_z_test(Proportion(int(marked[~mine].sum()), int((~mine).sum())),
                                 Proportion(int(marked[mine].sum()), int(mine.sum())))


def _relative_growth(weekly: list[int], slope: float) -> float:
    """The fitted change over the period as a share of the mean weekly count."""
    mean = sum(weekly) / len(weekly) if weekly else 0.0
    return slope * (len(weekly) - 1) / mean if mean else 0.0


def find_knowledge_gaps(data: Dataset, *, min_calls: int = MIN_CALLS) -> list[KnowledgeGap]:
    """Every topic with its evidence; gaps first, most pressing first."""
    if data.size == 0:
        return []
    not_known = (data.flags & HEDGE) != 0
    handed_on = (data.flags & (ESCALATE | CALLBACK)) != 0
    any_hedge = not_known | handed_on
    n_weeks = len(data.weeks)
    found = []
    for code, topic in enumerate(data.topics):
        mine = data.topic == code
        n, n_rest = int(mine.sum()), int((~mine).sum())
        if n < min_calls or n_rest == 0:
            continue
        known_test = _excess(not_known, mine)
        handed_test = _excess(handed_on, mine)
        fcr_test = two_proportion_z_test(Proportion(int(data.fcr[mine].sum()), n),
                                         Proportion(int(data.fcr[~mine].sum()), n_rest))
        weekly = np.bincount(data.week[mine], minlength=n_weeks).tolist()
        trend = linear_trend(weekly)
        growth = _relative_growth(weekly, trend.slope) if trend.p_value < GROWTH_P else 0.0
        # Handing on follows any unresolved call, so only not knowing marks the gap.
        known_p = known_test.p_value if known_test.effect > 0 else 1.0
        fcr_here = float(data.fcr[mine].mean())
        fcr_rest = float(data.fcr[~mine].mean())
        interval = wilson_interval(int(data.fcr[mine].sum()), n)
        examples = np.flatnonzero(mine & any_hedge)[:3]
        found.append(KnowledgeGap(
            topic=topic, calls=n, fcr=fcr_here,
            fcr_ci=(interval.lower, interval.upper) if interval else None,
            fcr_elsewhere=fcr_rest, hedge_share=float(any_hedge[mine].mean()),
            hedge_share_elsewhere=float(any_hedge[~mine].mean()),
            hedge_kinds={kind: float(((data.flags[mine] & bit) != 0).mean())
                         for kind, bit in (("hedge", HEDGE), ("escalate", ESCALATE),
                                           ("callback", CALLBACK))},
            weekly_calls=[int(c) for c in weekly], growth_per_week=trend.slope,
            growth_p_value=trend.p_value,
            q_value=max(known_p, fcr_test.p_value),  # both must hold
            score=(2 * max(known_test.effect, 0.0) + max(handed_test.effect, 0.0)
                   + max(fcr_rest - fcr_here, 0.0) + 0.5 * min(max(growth, 0.0), 1.0)),
            is_gap=fcr_here < fcr_rest and known_p < 1.0,
            not_known_share=float(not_known[mine].mean()),
            not_known_share_elsewhere=float(not_known[~mine].mean()),
            example_call_ids=[data.call_ids[i] for i in examples],
            example_questions=[data.questions[i] for i in examples]))
    if not found:
        return []
    for gap, q in zip(found, benjamini_hochberg([g.q_value for g in found]), strict=True):
        gap.q_value = q
        gap.is_gap = gap.is_gap and q < Q_LIMIT
    found.sort(key=lambda g: (not g.is_gap, -g.score))
    return found
