"""Hot topics and bursts: what customers call about, per region and week, and which
region-weeks stand out.

Two kinds of topic: the product a call was filed under, and what customers *say* — words
from the customer turns, so an outage filed under several products, or a new situation no
product names, still shows. For every (topic, region, week) the count is tested against the
same cell's previous weeks (one-sided Poisson test, ``stats.counts.poisson_burst``); all
tests together get Benjamini–Hochberg q-values. A burst names its ``discovered_topic``:
the customer words most over-represented in its calls against the same region's usual
calls (log-odds with an informative Dirichlet prior).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sqlalchemy.orm import Session

from seci.mining.dataset import Dataset, texts_of
from seci.stats.comparisons import benjamini_hochberg
from seci.stats.counts import poisson_burst
from seci.stats.words import marked_words

HISTORY_WEEKS = 4
MIN_BURST_CALLS = 10  # fewer calls in a week are never called a burst
MIN_RATIO = 2.0
Q_LIMIT = 0.01
MIN_WORD_CALLS = 20  # customer words in fewer calls are not tracked as topics
MAX_WORDS = 300  # the most frequent customer words tracked as topics
# Words as topics must be specific (not in more than 5 % of calls: 就是, 问一下 …), and their
# bursts clearer than a product's, since hundreds of words are tested.
WORD_MAX_SHARE = 0.05
MIN_WORD_BURST_CALLS = 25
MIN_WORD_RATIO = 3.0
MAX_FINDINGS = 30
_FEW_ROWS = 5_000


@dataclass
class Burst:
    topic: str
    region: str
    week: str  # ISO date of the Monday
    count: int
    expected: float
    ratio: float | None
    p_value: float
    q_value: float = 1.0
    source: str = "product"  # product or words
    discovered_topic: str = ""  # the customer words that mark it
    example_call_ids: list[str] = field(default_factory=list)
    example_questions: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass
class HotTopic:
    topic: str
    calls: int
    share: float
    last_week: int
    previous_week: int
    words: list[str]


def _cube(data: Dataset, codes: np.ndarray, rows: np.ndarray, size: int) -> np.ndarray:
    """Counts per (topic code, region, week) for the given calls."""
    n_regions, n_weeks = len(data.regions), len(data.weeks)
    flat = (codes * n_regions + data.region[rows]) * n_weeks + data.week[rows]
    return np.bincount(flat, minlength=size * n_regions * n_weeks).reshape(
        size, n_regions, n_weeks)


def _bursts_in(cube: np.ndarray, names: list[str], data: Dataset, source: str
               ) -> list[Burst]:
    found = []
    topics, regions, weeks = cube.shape
    for t in range(topics):
        for r in range(regions):
            series = cube[t, r]
            for w in range(HISTORY_WEEKS, weeks):
                count = int(series[w])
                if count < MIN_BURST_CALLS:
                    continue
                test = poisson_burst(count, [int(c) for c in series[w - HISTORY_WEEKS:w]])
                found.append(Burst(names[t], data.regions[r], data.weeks[w].isoformat(), count,
                                   test.expected, test.ratio, test.p_value, source=source))
    return found


def find_bursts(session: Session, data: Dataset) -> list[Burst]:
    """Bursts by filed product and by customer words, strongest first."""
    if data.size == 0 or len(data.weeks) <= HISTORY_WEEKS:
        return []
    rows = np.arange(data.size)
    found = _bursts_in(_cube(data, data.topic, rows, len(data.topics)), data.topics, data,
                       "product")
    words, word_rows, word_codes = _tracked_words(session, data)
    if words:
        found += _bursts_in(_cube(data, word_codes, word_rows, len(words)), words, data,
                            "words")
    if not found:
        return []
    for burst, q in zip(found, benjamini_hochberg([b.p_value for b in found]), strict=True):
        burst.q_value = q
    kept = [b for b in found if b.q_value < Q_LIMIT and (b.ratio or 0) >= MIN_RATIO
            and (b.source == "product" or (b.count >= MIN_WORD_BURST_CALLS
                                           and (b.ratio or 0) >= MIN_WORD_RATIO))]
    kept.sort(key=lambda b: (b.p_value, -(b.ratio or 0)))
    kept = _one_per_cell(kept)[:MAX_FINDINGS]
    for burst in kept:
        _describe(session, data, burst)
    return kept


def _one_per_cell(bursts: list[Burst]) -> list[Burst]:
    """Words bursting in a region-week already named by a product burst add detail, not a
    finding of their own; the first burst of each (region, week) per source kind is kept,
    plus any product bursts."""
    seen: set[tuple[str, str]] = set()
    kept = []
    for burst in bursts:
        key = (burst.region, burst.week)
        if burst.source == "words" and key in seen:
            continue
        seen.add(key)
        kept.append(burst)
    return kept


def _tracked_words(session: Session, data: Dataset) -> tuple[list[str], np.ndarray, np.ndarray]:
    keys, counts = _all_word_counts(data)
    keep = (counts >= MIN_WORD_CALLS) & (counts <= WORD_MAX_SHARE * data.size)
    keys, counts = keys[keep], counts[keep]
    top = keys[np.argsort(-counts)[:MAX_WORDS]]
    texts = texts_of(session, top.tolist())
    top = np.array(sorted(k for k in top.tolist() if k in texts), dtype=np.int64)
    if not len(top):
        return [], np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    rows, codes = data.words.members(top)
    return [texts[int(k)] for k in top], rows, codes


def _all_word_counts(data: Dataset) -> tuple[np.ndarray, np.ndarray]:
    """Calls per customer word over the whole period (bursts and hot topics share it)."""
    cached = data.cache.get("word_counts")
    if cached is None:
        cached = data.cache["word_counts"] = data.words.unique_counts()
    keys, counts = cached
    return keys, counts


def _describe(session: Session, data: Dataset, burst: Burst) -> None:
    """The words that mark the burst's calls, and the calls that say them most as
    examples. A product's burst is compared with the product's earlier calls in the region
    (neither its usual words — 师傅, 修好 for broadband faults — nor the region's name are
    what is new); a word burst with the region's earlier calls."""
    region = data.regions.index(burst.region)
    week = [w.isoformat() for w in data.weeks].index(burst.week)
    in_cell = (data.region == region) & (data.week == week)
    if burst.source == "product":
        topic = data.topic == data.topics.index(burst.topic)
        in_cell &= topic
        rest = topic & (data.region == region) & (data.week < week)
    else:
        rest = (data.region == region) & (data.week < week)
    cell_rows = np.flatnonzero(in_cell)
    marked = marked_words(_word_counts(data, cell_rows),
                          _word_counts(data, np.flatnonzero(rest)), limit=5)
    texts = texts_of(session, [int(m.word) for m in marked]) if marked else {}
    names = [texts[int(m.word)] for m in marked if int(m.word) in texts]
    if burst.source == "words":
        names = [burst.topic, *[n for n in names if n != burst.topic]]
    burst.discovered_topic = "、".join(names[:4])
    examples = _saying_most(data, cell_rows, np.array([int(m.word) for m in marked],
                                                      dtype=np.int64))[:3]
    burst.example_call_ids = [data.call_ids[i] for i in examples]
    burst.example_questions = [data.questions[i] for i in examples]


def _saying_most(data: Dataset, rows: np.ndarray, words: np.ndarray) -> np.ndarray:
    """The rows ordered by how many of ``words`` their customers said (stable)."""
    offsets, values = data.words.offsets, data.words.values
    said = np.array([np.isin(values[offsets[r]:offsets[r + 1]], words).sum() for r in rows],
                    dtype=np.int64)
    ordered: np.ndarray = rows[np.argsort(-said, kind="stable")]
    return ordered


def _word_counts(data: Dataset, rows: np.ndarray) -> dict[str, int]:
    """Calls per customer word (as the hash's text form) among the rows."""
    if not len(rows):
        return {}
    keys, counts = _row_word_counts(data, rows)
    return {str(int(k)): int(c) for k, c in zip(keys, counts, strict=True)}


def _row_word_counts(data: Dataset, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    offsets = data.words.offsets
    if len(rows) > _FEW_ROWS:  # a mask over every value beats a Python loop over rows
        chosen = np.zeros(data.size, dtype=bool)
        chosen[rows] = True
        values = data.words.values[np.repeat(chosen, np.diff(offsets))]
    else:
        values = np.concatenate([data.words.values[offsets[r]:offsets[r + 1]]
                                 for r in rows.tolist()])
    return np.unique(values, return_counts=True)


def _word_counts_outside(data: Dataset, rows: np.ndarray) -> dict[str, int]:
    """Calls per customer word among every row but ``rows``: the period's counts minus
    theirs (for a topic against all others, without gathering the others' words)."""
    keys, counts = _all_word_counts(data)
    counts = counts.copy()
    if len(rows):
        inside, inside_counts = _row_word_counts(data, rows)
        counts[np.searchsorted(keys, inside)] -= inside_counts
    kept = np.flatnonzero(counts)
    return {str(int(k)): int(c) for k, c in zip(keys[kept], counts[kept], strict=True)}


def hot_topics(session: Session, data: Dataset, *, limit: int = 15) -> list[HotTopic]:
    """The products customers call about most, with last week against the week before and
    the customer words that mark each."""
    if data.size == 0:
        return []
    counts = Counter(data.topic.tolist())
    last, previous = len(data.weeks) - 1, len(data.weeks) - 2
    result = []
    for code, calls in counts.most_common(limit):
        rows = np.flatnonzero(data.topic == code)
        result.append(HotTopic(
            data.topics[code], calls, calls / data.size,
            int(np.count_nonzero(data.week[rows] == last)),
            int(np.count_nonzero(data.week[rows] == previous)) if previous >= 0 else 0,
            topic_words(session, data, code)))
    return result


def topic_words(session: Session, data: Dataset, code: int, *, limit: int = 4) -> list[str]:
    """The customer words that mark a topic's calls against the others' (log-odds with an
    informative Dirichlet prior)."""
    rows = np.flatnonzero(data.topic == code)
    marked = marked_words(_word_counts(data, rows), _word_counts_outside(data, rows),
                          limit=limit)
    texts = texts_of(session, [int(m.word) for m in marked]) if marked else {}
    return [texts[int(m.word)] for m in marked if int(m.word) in texts]
