"""Golden scripts (金牌话术): agent wordings whose use raises first-contact resolution, or
customers' satisfaction, *within the same agent and topic*.

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

A script that works alike in every topic (no substantial heterogeneity between the topics'
log odds ratios: Cochran's Q and I²; on the difference scale the same script always looks
stronger where fewer calls are resolved) is one finding over all its topics (strata
agent × topic; ``all_topics``), not one per topic; one that works in some topics only is
reported per topic. Clauses almost always said together (one sentence split at a comma)
are one script (``groups.merge_said_together``).
Each script's effect on satisfaction (the share of rated calls scored 4–5) is measured the
same way over the same topics; a script is kept when either effect is significant (both
families of tests share one Benjamini–Hochberg correction) and neither is significantly
negative.
A topic's test needs ``min_calls`` calls with the script from at least ``MIN_AGENTS_COMPARED``
agents who sometimes say it and sometimes not: a handful of calls from two agents can show a
perfect difference by chance.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy import stats
from sqlalchemy.orm import Session

from seci.mining.dataset import Dataset, texts_of
from seci.mining.groups import PhraseGroup, group_paraphrases, merge_said_together
from seci.stats.comparisons import benjamini_hochberg
from seci.stats.stratified import (
    cochran_q,
    log_odds_ratio_from_sums,
    mantel_haenszel_parts,
    odds_ratio_parts,
    risk_difference_from_sums,
)

Z95 = 1.959964
MIN_CALLS = 30  # a wording heard in fewer calls is not tested
MAX_SHARE = 0.9  # said in nearly every call: no contrast to learn from
MIN_AGENTS = 3  # agents who say it at least once (one agent's habit is not a script)
MIN_AGENTS_COMPARED = 5  # agents with calls both with and without it, per test
# Cochran's Q on the topics' log odds ratios: an I² above this (Higgins' "substantial")
# with a Q significant at HETEROGENEITY_P means the effect differs between topics.
HETEROGENEITY_I2 = 0.5
HETEROGENEITY_P = 0.05
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
    topic: str  # a product; for a script over all its topics, the one it is said in most
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
    topics: list[str] = field(default_factory=list)  # the topics tested
    all_topics: bool = False  # one effect over all of ``topics`` (strata agent × topic)
    # The same comparison for the share of rated calls scored 4–5 (satisfied).
    effect_satisfaction: float | None = None
    satisfaction_ci_low: float = -1.0
    satisfaction_ci_high: float = 1.0
    p_satisfaction: float | None = None
    q_satisfaction: float | None = None

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


class _Index:
    """Calls by clause hash: for each sorted unique hash, the rows holding it (with where
    in the call it was said and the silence after it). Golden scripts and long calls share
    it: at a million calls it is the largest thing a run builds after the dataset."""

    def __init__(self, data: Dataset) -> None:
        order = np.argsort(data.clauses.values, kind="stable")
        self.sorted_keys = data.clauses.values[order]
        self.rows = data.clauses.row_of_each_value()[order]
        positions, silences = data.clauses.positions, data.clauses.silences
        self.positions = (positions[order] if positions is not None
                          and len(positions) == len(order)
                          else np.full(len(order), 128, dtype=np.uint8))
        self.silences = (silences[order] if silences is not None
                         and len(silences) == len(order) else None)
        del order

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


def distinct_counts(sorted_values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``np.unique(values, return_counts=True)`` of values already sorted, without
    sorting a copy of them again."""
    if not len(sorted_values):
        return sorted_values[:0], np.zeros(0, dtype=np.int64)
    starts = np.flatnonzero(np.concatenate(([True], sorted_values[1:] != sorted_values[:-1])))
    counts = np.diff(np.append(starts, len(sorted_values)))
    return sorted_values[starts], counts


def clause_index(data: Dataset) -> _Index:
    """The dataset's clause index, built once per dataset."""
    index = data.cache.get("clause_index")
    if not isinstance(index, _Index):
        index = data.cache["clause_index"] = _Index(data)
    return index


def candidate_groups(session: Session, data: Dataset, *, min_calls: int = MIN_CALLS
                     ) -> list[PhraseGroup]:
    """Clauses heard in enough calls (but not nearly all), grouped into scripts."""
    keys, counts = distinct_counts(clause_index(data).sorted_keys)
    keep = (counts >= min_calls) & (counts <= MAX_SHARE * max(data.size, 1))
    keys, counts = keys[keep], counts[keep]
    texts = texts_of(session, keys.tolist())
    known = [i for i, k in enumerate(keys.tolist()) if k in texts]
    groups = group_paraphrases([int(keys[i]) for i in known],
                               [texts[int(keys[i])] for i in known],
                               [int(counts[i]) for i in known])
    return merge_said_together(groups, clause_index(data).rows_of)


@dataclass(frozen=True)
class _Strata:
    """Calls by stratum (agent × topic) with their totals and successes (resolved, or
    satisfied among rated calls)."""

    code: np.ndarray  # the stratum of each call
    success: np.ndarray  # per call
    counted: np.ndarray | None  # per call: has the outcome (None: every call)
    totals: np.ndarray
    successes: np.ndarray
    topic: np.ndarray  # the topic of each stratum
    n_topics: int

    @classmethod
    def of(cls, data: Dataset, success: np.ndarray, counted: np.ndarray | None = None
           ) -> _Strata:
        n_topics = len(data.topics)
        code = data.agent.astype(np.int64) * n_topics + data.topic
        size = len(data.agents) * n_topics
        kept = code if counted is None else code[counted]
        hits = success if counted is None else success[counted]
        return cls(code, success, counted, np.bincount(kept, minlength=size).astype(float),
                   np.bincount(kept, weights=hits.astype(float), minlength=size),
                   np.arange(size) % n_topics, n_topics)

    def parts_of(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """For the calls ``rows`` (those with the script): per stratum the successes and
        calls with it, and whether the stratum has calls on both sides."""
        if self.counted is not None:
            rows = rows[self.counted[rows]]
        with_stratum = self.code[rows]
        n1 = np.bincount(with_stratum, minlength=len(self.totals)).astype(float)
        a = np.bincount(with_stratum, weights=self.success[rows].astype(float),
                        minlength=len(self.totals))
        return a, n1, (n1 > 0) & (self.totals - n1 > 0)

    def effect_over(self, rows: np.ndarray, topics: list[int]) -> tuple[float, float] | None:
        """RD_MH and its SE over the strata of ``topics``."""
        a, n1, _ = self.parts_of(rows)
        parts = mantel_haenszel_parts(a, n1, self.successes - a, self.totals - n1)
        chosen = np.isin(self.topic, topics)
        return risk_difference_from_sums(*(float(v[chosen].sum()) for v in (
            parts.numerator, parts.weight, parts.p, parts.q)))


def find_golden_scripts(session: Session, data: Dataset, *, min_calls: int = MIN_CALLS,
                        groups: Sequence[PhraseGroup] | None = None) -> list[GoldenScript]:
    """Every script with a significant within-agent effect (in all its topics, or in one),
    strongest evidence first; openings, sign-offs and outcome statements last."""
    if data.size == 0:
        return []
    groups = list(groups) if groups is not None else candidate_groups(
        session, data, min_calls=min_calls)
    index = clause_index(data)
    strata = _Strata.of(data, data.fcr)
    rated = _Strata.of(data, data.satisfied == 1, data.satisfied >= 0)
    found: list[GoldenScript] = []
    for group in groups:
        rows, position = index.rows_of(group.keys)
        if len(rows) < min_calls or len(np.unique(data.agent[rows])) < MIN_AGENTS:
            continue
        for script, topics in _tests_of(data, group, rows, strata, min_calls):
            script.position = position
            script.phase = ("opening" if position < OPENING
                            else "closing" if position > CLOSING else "middle")
            _add_satisfaction(script, rated.effect_over(rows, topics))
            found.append(script)
    if not found:
        return []
    _correct_for_multiple_tests(found)
    kept = [g for g in found if _raises_fcr(g) or _raises_satisfaction(g)]
    kept.sort(key=lambda g: (g.describes_outcome, g.phase != "middle",
                             -max(g.ci_low, g.satisfaction_ci_low
                                  if _raises_satisfaction(g) else -1.0),
                             -g.effect_fcr))
    return kept[:MAX_FINDINGS]


def _add_satisfaction(script: GoldenScript, estimate: tuple[float, float] | None) -> None:
    if estimate is None or estimate[1] == 0:
        return
    effect, se = estimate
    script.effect_satisfaction = effect
    script.satisfaction_ci_low, script.satisfaction_ci_high = effect - Z95 * se, effect + Z95 * se
    script.p_satisfaction = float(2 * stats.norm.sf(abs(effect / se)))


def _correct_for_multiple_tests(found: list[GoldenScript]) -> None:
    """Benjamini–Hochberg over every test made: each script's FCR test and, where rated
    calls allowed one, its satisfaction test."""
    p_values = [g.p_value for g in found] + [g.p_satisfaction for g in found
                                             if g.p_satisfaction is not None]
    q_values = iter(benjamini_hochberg(p_values))
    for script in found:
        script.q_value = next(q_values)
    for script in found:
        if script.p_satisfaction is not None:
            script.q_satisfaction = next(q_values)


def _raises_fcr(script: GoldenScript) -> bool:
    """Significantly more resolved calls, without significantly less satisfied callers."""
    return (script.q_value < Q_LIMIT and script.effect_fcr > 0
            and (script.effect_satisfaction is None or script.satisfaction_ci_high > 0))


def _raises_satisfaction(script: GoldenScript) -> bool:
    """Significantly more satisfied callers, without significantly fewer resolved calls
    (a ticket callers like is no script if it leaves their problem open)."""
    return (script.q_satisfaction is not None and script.q_satisfaction < Q_LIMIT
            and (script.effect_satisfaction or 0.0) > 0 and script.ci_high > 0)


@dataclass(frozen=True)
class _Test:
    topic: int | None  # None: all the topics tested
    effect: float
    se: float
    n_with: int
    n_without: int
    log_odds: tuple[float, float] | None  # (ln OR_MH, SE), for the heterogeneity test


def _tests_of(data: Dataset, group: PhraseGroup, rows: np.ndarray, strata: _Strata,
              min_calls: int) -> list[tuple[GoldenScript, list[int]]]:
    """One test over all topics when the effect is alike in each, else one per topic where
    the script is heard in enough calls from enough agents; each with its topics."""
    a, n1, informative = strata.parts_of(rows)
    parts = mantel_haenszel_parts(a, n1, strata.successes - a, strata.totals - n1)
    odds = odds_ratio_parts(a, n1, strata.successes - a, strata.totals - n1)
    per_topic = [np.bincount(strata.topic, weights=v, minlength=strata.n_topics)
                 for v in (parts.numerator, parts.weight, parts.p, parts.q,
                           np.where(informative, n1, 0.0),
                           np.where(informative, strata.totals - n1, 0.0),
                           informative.astype(float),
                           odds.r, odds.s, odds.pr, odds.ps_qr, odds.qs)]
    tests = []
    for topic in range(strata.n_topics):
        if per_topic[4][topic] < min_calls or per_topic[6][topic] < MIN_AGENTS_COMPARED:
            continue
        estimate = risk_difference_from_sums(*(float(s[topic]) for s in per_topic[:4]))
        if estimate is None or estimate[1] == 0:
            continue
        tests.append(_Test(topic, *estimate, int(per_topic[4][topic]),
                           int(per_topic[5][topic]),
                           log_odds_ratio_from_sums(*(float(s[topic]) for s in per_topic[7:]))))
    # Outcome statements are listed for what they are, once, whatever their spread.
    if len(tests) >= 2 and (_homogeneous(tests) or _describes_outcome(data, group, rows)):
        topics = [t.topic for t in tests if t.topic is not None]
        overall = risk_difference_from_sums(*(float(s[topics].sum()) for s in per_topic[:4]))
        if overall is not None and overall[1] > 0:
            pooled = _Test(None, *overall, sum(t.n_with for t in tests),
                           sum(t.n_without for t in tests), None)
            by_use = [t.topic for t in sorted(tests, key=lambda t: -t.n_with)
                      if t.topic is not None]
            return [(_script(data, group, rows, pooled, by_use), by_use)]
    return [(_script(data, group, rows, t, [t.topic]), [t.topic]) for t in tests
            if t.topic is not None]


def _homogeneous(tests: Sequence[_Test]) -> bool:
    """No substantial heterogeneity between the topics' log odds ratios (a topic whose
    odds ratio is 0 or infinite has too few calls on one side to say and is left out)."""
    known = [t.log_odds for t in tests if t.log_odds is not None and t.log_odds[1] > 0]
    if len(known) < 2:
        return False
    spread = cochran_q([e for e, _ in known], [se for _, se in known])
    return spread.i_squared <= HETEROGENEITY_I2 or spread.p_value >= HETEROGENEITY_P


def _describes_outcome(data: Dataset, group: PhraseGroup, rows: np.ndarray) -> bool:
    """Said (nearly) only in resolved calls: it reports the outcome rather than causing it."""
    if not len(rows):
        return False
    share = float(data.fcr[rows].mean())
    return share >= OUTCOME_SHARE or (
        share >= OUTCOME_WORDS_SHARE
        and any(w in v for v in group.variants for w in OUTCOME_WORDS))


def _script(data: Dataset, group: PhraseGroup, rows: np.ndarray, test: _Test,
            topics: list[int]) -> GoldenScript:
    in_topics = np.isin(data.topic, topics)
    has = np.zeros(data.size, dtype=bool)
    has[rows] = True
    with_calls = np.flatnonzero(has & in_topics)
    without = in_topics & ~has
    fcr_with = float(data.fcr[with_calls].mean()) if len(with_calls) else None
    fcr_without = float(data.fcr[without].mean()) if without.any() else None
    naive = (fcr_with - fcr_without) if fcr_with is not None and fcr_without is not None \
        else None
    outcome = _describes_outcome(data, group, with_calls)
    resolved_first = with_calls[np.argsort(~data.fcr[with_calls], kind="stable")]
    agents, uses = np.unique(data.agent[with_calls], return_counts=True)
    top = [data.agents[a] for a in agents[np.argsort(-uses)][:5]]
    return GoldenScript(
        phrase=group.representative,
        topic=data.topics[test.topic if test.topic is not None else topics[0]],
        effect_fcr=test.effect, ci_low=test.effect - Z95 * test.se,
        ci_high=test.effect + Z95 * test.se,
        p_value=float(2 * stats.norm.sf(abs(test.effect / test.se))), n_with=test.n_with,
        n_without=test.n_without, fcr_with=fcr_with, fcr_without=fcr_without,
        naive_lift=naive, describes_outcome=bool(outcome), variants=group.variants[:8],
        example_call_ids=[data.call_ids[i] for i in resolved_first[:3]], top_agents=top,
        topics=[data.topics[t] for t in topics], all_topics=test.topic is None)
