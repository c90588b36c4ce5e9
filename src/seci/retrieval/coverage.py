"""How much of a caller's question an article's whole text covers.

The rankers look at parts: BM25 weighs words field by field, the matcher compares with the
title and the similar questions. Sibling articles (办理 vs 取消, 查询 vs 退费, a complaint's
follow-up vs a new complaint) share those parts and differ in a detail the body holds. A
caller's situation often names that detail ("扣了两次钱想退回来"), so among the few best
hits the one whose text holds more of the question's rare character pairs is the likelier
answer (docs/search.md, "Coverage of the whole article").

    coverage(q, a) = Σ_{b ∈ B(q) ∩ B(a)} idf(b) / Σ_{b ∈ B(q), df(b) > 0} idf(b)
    idf(b) = ln(1 + N / df(b))

B(x): the distinct character bigrams of the Han, Latin and digit runs of normalised x (of a
question: of its words as typed, stop words left out, joined);
df(b): the number of indexed articles whose text holds b; N: the number of articles.
Pairs no article holds tell no article apart and are left out of the denominator.

Document frequencies are counted in a fixed table of hashed bigrams (a few megabytes at any
knowledge-base size, instead of a dictionary of every pair of a 100k-article corpus); a
rare pair sharing a slot with a common one is weighed as the common one, which only
lowers its weight.
"""

from __future__ import annotations

import math
import re
import threading
from collections.abc import Iterable

import numpy as np

from seci.retrieval.text import normalize

_RUNS = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff0-9a-z]+")
_SLOTS = 1 << 22  # 4M counters of 4 bytes: 16 MiB
_MASK = _SLOTS - 1


def coverage_text(parts: Iterable[str]) -> str:
    """The runs of the normalised parts, one per line: what ``bigrams`` and the substring
    test read (a pair never spans two runs)."""
    return "\n".join(run for part in parts for run in _RUNS.findall(normalize(part)))


def bigrams(text: str) -> frozenset[str]:
    """Distinct character pairs within the runs of ``text`` (a ``coverage_text``, or a
    query normalised by ``query_bigrams``)."""
    return frozenset(run[i:i + 2] for run in text.split("\n") for i in range(len(run) - 1))


def query_bigrams(question: str) -> frozenset[str]:
    return bigrams(coverage_text([question]))


def _slots(pairs: Iterable[str]) -> np.ndarray:
    # Python's string hash is salted per process; the table lives only in this process.
    return np.fromiter((hash(pair) & _MASK for pair in pairs), dtype=np.int64)


class CoverageIndex:
    """Each indexed article's coverage text and the bigram document frequencies."""

    def __init__(self) -> None:
        self._texts: dict[int, str] = {}
        self._df = np.zeros(_SLOTS, dtype=np.int32)
        self._lock = threading.Lock()

    def upsert(self, article_id: int, text: str) -> None:
        with self._lock:
            self._forget(article_id)
            self._texts[article_id] = text
            np.add.at(self._df, _slots(bigrams(text)), 1)

    def remove(self, article_id: int) -> None:
        with self._lock:
            self._forget(article_id)

    def _forget(self, article_id: int) -> None:
        old = self._texts.pop(article_id, None)
        if old is not None:
            np.subtract.at(self._df, _slots(bigrams(old)), 1)

    def weights(self, pairs: frozenset[str]) -> dict[str, float]:
        """idf of each pair some article holds."""
        articles = len(self._texts)
        ordered = sorted(pairs)
        frequencies = self._df[_slots(ordered)] if ordered else np.zeros(0, dtype=np.int32)
        return {pair: math.log1p(articles / int(df))
                for pair, df in zip(ordered, frequencies, strict=True) if df > 0}

    def coverage(self, weights: dict[str, float], article_id: int) -> float:
        """Share of the query's weight found in the article's text (0–1)."""
        total = sum(weights.values())
        text = self._texts.get(article_id)
        if total <= 0 or text is None:
            return 0.0
        return sum(w for pair, w in weights.items() if pair in text) / total

    def __len__(self) -> int:
        return len(self._texts)
