"""Golden scripts (金牌话术): agent wordings whose use raises first-contact resolution
*within the same agent and topic*.

A wording the best agents say looks effective when pooled, because the best agents
resolve more calls whatever they say. Here each (phrase group, topic) is tested only
within agents: among one agent's calls of the topic, those with the phrase against those
without (Mantel–Haenszel risk difference over agent strata, Sato's variance), so an agent
who always or never says it contributes nothing. Greetings and sign-offs everybody says
in every call leave no contrast and drop out. The tests of all (phrase, topic) pairs get
Benjamini–Hochberg q-values.

A statement that describes the outcome ("已经帮您处理好了") is said *because* the call was
resolved: it is almost never said in an unresolved call. Such phrases are marked
``describes_outcome`` and ranked after every other finding, whatever their effect.
Openings and sign-offs (said in the first tenth or the last sixth of the agent's words,
where the outcome is not yet touched or already decided) rank after what is said while the
problem is worked: a script can only cause a resolution that comes after it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy import stats
from sqlalchemy.orm import Session

from seci.mining.dataset import Dataset, texts_of
from seci.mining.groups import PhraseGroup, group_paraphrases
from seci.stats.comparisons import benjamini_hochberg
from seci.stats.stratified import mantel_haenszel_parts, risk_difference_from_sums

Z95 = 1.959964
MIN_CALLS = 30  # a wording heard in fewer calls is not tested
MAX_SHARE = 0.9  # said in nearly every call: no contrast to learn from
MIN_AGENTS = 3  # agents who say it at least once (one agent's habit is not a script)
# Resolved share among calls with the phrase above which it describes the outcome.
OUTCOME_SHARE = 0.97
OUTCOME_WORDS = ("已经帮您", "已为您", "已经为您", "办理成功", "处理好了", "已经处理", "办好了",
                 "已经给您", "已经成功")
OUTCOME_WORDS_SHARE = 0.93
OPENING, CLOSING = 0.1, 0.85  # median position (0 = first clause, 1 = last)
Q_LIMIT = 0.05
MAX_FINDINGS = 50


@dataclass
class GoldenScript:
    phrase: str
    topic: str
    effect_fcr: float
    ci_low: float
    ci_high: float
    p_value: float
    q_value: float = 1.0
    n_with: int = 0
    n_without: int = 0
    fcr_with: float | None = None
    fcr_without: float | None = None
    naive_lift: float | None = None  # pooled, for comparison only
    describes_outcome: bool = False
    position: float | None = None  # median place in the call, 0 = start, 1 = end
    phase: str = "middle"  # opening, middle, closing
    variants: list[str] = field(default_factory=list)
    example_call_ids: list[str] = field(default_factory=list)
    top_agents: list[str] = field(default_factory=list)  # who says it most

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


class _Index:
    """Calls by clause hash: for each sorted unique hash, the rows holding it."""

    def __init__(self, data: Dataset) -> None:
        rows = data.clauses.row_of_each_value()
        order = np.argsort(data.clauses.values, kind="stable")
        self.sorted_keys = data.clauses.values[order]
        self.rows = rows[order]
        positions = data.clauses.positions
        self.positions = (positions[order] if positions is not None and len(positions)
                          else np.full(len(order), 128, dtype=np.uint8))

    def rows_of(self, keys: np.ndarray) -> tuple[np.ndarray, float]:
        """The rows holding any of the keys, and the median place they were said at."""
        starts = np.searchsorted(self.sorted_keys, keys, side="left")
        ends = np.searchsorted(self.sorted_keys, keys, side="right")
        spans = [(s, e) for s, e in zip(starts, ends, strict=True) if e > s]
        if not spans:
            return np.zeros(0, dtype=np.int64), 0.5
        rows = np.unique(np.concatenate([self.rows[s:e] for s, e in spans]))
        places = np.concatenate([self.positions[s:e] for s, e in spans])
        return rows, float(np.median(places)) / 255


def candidate_groups(session: Session, data: Dataset, *, min_calls: int = MIN_CALLS
                     ) -> list[PhraseGroup]:
    """Clauses heard in enough calls (but not nearly all), grouped into scripts."""
    keys, counts = np.unique(data.clauses.values, return_counts=True)
    keep = (counts >= min_calls) & (counts <= MAX_SHARE * max(data.size, 1))
    keys, counts = keys[keep], counts[keep]
    texts = texts_of(session, keys.tolist())
    known = [i for i, k in enumerate(keys.tolist()) if k in texts]
    return group_paraphrases([int(keys[i]) for i in known], [texts[int(keys[i])] for i in known],
                             [int(counts[i]) for i in known])


def find_golden_scripts(session: Session, data: Dataset, *, min_calls: int = MIN_CALLS,
                        groups: Sequence[PhraseGroup] | None = None) -> list[GoldenScript]:
    """Every (script, topic) with a significant within-agent effect, strongest evidence
    first; outcome-describing statements last."""
    if data.size == 0:
        return []
    groups = list(groups) if groups is not None else candidate_groups(
        session, data, min_calls=min_calls)
    index = _Index(data)
    n_topics = len(data.topics)
    stratum = data.agent.astype(np.int64) * n_topics + data.topic
    size = len(data.agents) * n_topics
    totals = np.bincount(stratum, minlength=size).astype(float)
    resolved = np.bincount(stratum, weights=data.fcr.astype(float), minlength=size)
    topic_of_stratum = np.arange(size) % n_topics
    found: list[GoldenScript] = []
    for group in groups:
        rows, position = index.rows_of(group.keys)
        if len(rows) < min_calls or len(np.unique(data.agent[rows])) < MIN_AGENTS:
            continue
        for script in _tests_of(data, group, rows, stratum, totals, resolved,
                                topic_of_stratum, min_calls):
            script.position = position
            script.phase = ("opening" if position < OPENING
                            else "closing" if position > CLOSING else "middle")
            found.append(script)
    if not found:
        return []
    q_values = benjamini_hochberg([g.p_value for g in found])
    for script, q in zip(found, q_values, strict=True):
        script.q_value = q
    kept = [g for g in found if g.q_value < Q_LIMIT and g.effect_fcr > 0]
    kept.sort(key=lambda g: (g.describes_outcome, g.phase != "middle", -g.ci_low,
                             -g.effect_fcr))
    return kept[:MAX_FINDINGS]


def _tests_of(data: Dataset, group: PhraseGroup, rows: np.ndarray, stratum: np.ndarray,
              totals: np.ndarray, resolved: np.ndarray, topic_of_stratum: np.ndarray,
              min_calls: int) -> list[GoldenScript]:
    """One test per topic where the script is heard in enough calls."""
    size = len(totals)
    with_stratum = stratum[rows]
    n1 = np.bincount(with_stratum, minlength=size).astype(float)
    a = np.bincount(with_stratum, weights=data.fcr[rows].astype(float), minlength=size)
    parts = mantel_haenszel_parts(a, n1, resolved - a, totals - n1)
    n_topics = len(data.topics)
    sums = [np.bincount(topic_of_stratum, weights=v, minlength=n_topics)
            for v in (parts.numerator, parts.weight, parts.p, parts.q)]
    informative = (n1 > 0) & (totals - n1 > 0)
    n_with = np.bincount(topic_of_stratum, weights=np.where(informative, n1, 0),
                         minlength=n_topics)
    n_without = np.bincount(topic_of_stratum, weights=np.where(informative, totals - n1, 0),
                            minlength=n_topics)
    tests = []
    for topic in range(n_topics):
        if n_with[topic] < min_calls / 2:
            continue
        estimate = risk_difference_from_sums(*(float(s[topic]) for s in sums))
        if estimate is None or estimate[1] == 0:
            continue
        tests.append(_script(data, group, rows, topic, estimate, int(n_with[topic]),
                             int(n_without[topic])))
    return tests


def _script(data: Dataset, group: PhraseGroup, rows: np.ndarray, topic: int,
            estimate: tuple[float, float], n_with: int, n_without: int) -> GoldenScript:
    effect, se = estimate
    in_topic = data.topic == topic
    has = np.zeros(data.size, dtype=bool)
    has[rows] = True
    with_calls = np.flatnonzero(has & in_topic)
    without = in_topic & ~has
    fcr_with = float(data.fcr[with_calls].mean()) if len(with_calls) else None
    fcr_without = float(data.fcr[without].mean()) if without.any() else None
    naive = (fcr_with - fcr_without) if fcr_with is not None and fcr_without is not None \
        else None
    outcome = fcr_with is not None and (
        fcr_with >= OUTCOME_SHARE
        or (fcr_with >= OUTCOME_WORDS_SHARE
            and any(w in v for v in group.variants for w in OUTCOME_WORDS)))
    resolved_first = with_calls[np.argsort(~data.fcr[with_calls], kind="stable")]
    agents, uses = np.unique(data.agent[with_calls], return_counts=True)
    top = [data.agents[a] for a in agents[np.argsort(-uses)][:5]]
    return GoldenScript(
        phrase=group.representative, topic=data.topics[topic], effect_fcr=effect,
        ci_low=effect - Z95 * se, ci_high=effect + Z95 * se,
        p_value=float(2 * stats.norm.sf(abs(effect / se))), n_with=n_with,
        n_without=n_without, fcr_with=fcr_with, fcr_without=fcr_without, naive_lift=naive,
        describes_outcome=bool(outcome), variants=group.variants[:8],
        example_call_ids=[data.call_ids[i] for i in resolved_first[:3]], top_agents=top)
