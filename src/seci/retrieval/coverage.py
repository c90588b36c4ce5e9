"""How much of a caller's question an article's whole text covers.

The rankers look at parts: BM25 weighs words field by field, the matcher compares with the
title and the similar questions. Sibling articles (办理 vs 取消, 查询 vs 退费, a complaint's
follow-up vs a new complaint) share those parts and differ in a detail the body holds. A
caller's situation often names that detail ("重复扣费了能退吗"), so among the few best
hits the one whose text holds more of the question's rare character pairs is the likelier
answer (docs/search.md, "Coverage of the whole article").

    coverage(q, a) = Σ_{b ∈ B(q) ∩ B(a)} idf(b) / Σ_{b ∈ B(q), df(b) > 0} idf(b)
    idf(b) = ln(1 + N / df(b))

B(a): the distinct pairs of adjacent characters of the article's search tokens
(normalised, synonyms rewritten to their standard term, stop words left out: the analyzer's
``tokens``) written one after the other, each field apart; B(q): the same of the question's
tokens, together with the pairs of its words as typed (normalised, stop words left out): a
synonym rewrite alone (上不了网 → 宽带故障) must not decide. df(b): the number of indexed
articles holding b; N: the number of articles. Pairs no article holds tell no article apart
and are left out of the denominator. Reading the tokens (cached per version) instead of the
raw text keeps a restart from normalising every body again.

Document frequencies are counted in a fixed table of hashed pairs (16 MiB at any
knowledge-base size, instead of a dictionary of every pair of a 100k-article corpus); a
rare pair sharing a slot with a common one is weighed as the common one, which only lowers
its weight.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Iterable

import numpy as np

_SLOT_BITS = 22  # 4M counters of 4 bytes
_SEPARATOR = "\n"
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)  # Fibonacci hashing: spreads the pair keys
_UINT64 = (1 << 64) - 1


def article_text(fields: Iterable[str]) -> str:
    """An article's fields of space-separated tokens as the text coverage reads: each
    field's tokens one after the other, fields apart (no pair spans two fields)."""
    return _SEPARATOR.join(field.replace(" ", "") for field in fields)


def question_text(*forms: Iterable[str]) -> str:
    """A question's forms (its words as typed, its search tokens), each one run."""
    return _SEPARATOR.join("".join(words) for words in forms)


def pairs(text: str) -> frozenset[str]:
    """Distinct pairs of adjacent characters within each line of ``text``."""
    return frozenset(line[i:i + 2] for line in text.split(_SEPARATOR)
                     for i in range(len(line) - 1))


def _pair_slots(text: str) -> np.ndarray:
    """The table slots of the pairs of ``text``, repeats included (an index array with
    repeats adds once per slot: ``df[slots] += 1`` counts each article once). Vectorised:
    every article's text is read at each build."""
    points = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    first, second = points[:-1], points[1:]
    separator = ord(_SEPARATOR)
    within = (first != separator) & (second != separator)
    return _slots((first[within].astype(np.uint64) << np.uint64(21)) | second[within])


def _slots(keys: np.ndarray) -> np.ndarray:
    """Slot of each pair key (two code points of 21 bits each), by Fibonacci hashing."""
    return (keys * _GOLDEN >> np.uint64(64 - _SLOT_BITS)).astype(np.int64)


class CoverageIndex:
    """Each indexed article's coverage text and the pairs' document frequencies."""

    def __init__(self) -> None:
        self._texts: dict[int, str] = {}
        self._df = np.zeros(1 << _SLOT_BITS, dtype=np.int32)
        self._lock = threading.Lock()

    def upsert(self, article_id: int, text: str) -> None:
        slots = _pair_slots(text)
        with self._lock:
            self._forget(article_id)
            self._texts[article_id] = text
            self._df[slots] += 1  # once per distinct slot, however often it repeats

    def remove(self, article_id: int) -> None:
        with self._lock:
            self._forget(article_id)

    def holds_pair(self, pair: str) -> bool:
        """Whether some indexed article holds these two characters side by side (a slot
        shared with another pair may say yes wrongly, never no)."""
        if len(pair) != 2:
            return False
        # ``_slots`` for one key in plain integers (asked per query, not per article).
        key = (ord(pair[0]) << 21) | ord(pair[1])
        slot = (key * int(_GOLDEN) & _UINT64) >> (64 - _SLOT_BITS)
        return bool(self._df[slot] > 0)

    def _forget(self, article_id: int) -> None:
        old = self._texts.pop(article_id, None)
        if old is not None:
            self._df[_pair_slots(old)] -= 1

    def weights(self, question: str) -> dict[str, float]:
        """idf of each pair of the question (a ``question_text``) some article holds."""
        ordered = sorted(pairs(question))
        if not ordered:
            return {}
        articles = len(self._texts)
        keys = np.array([ord(pair[0]) << 21 | ord(pair[1]) for pair in ordered],
                        dtype=np.uint64)
        return {pair: math.log1p(articles / int(df))
                for pair, df in zip(ordered, self._df[_slots(keys)], strict=True) if df > 0}

    def coverage(self, weights: dict[str, float], article_id: int) -> float:
        """Share of the question's weight found in the article's text (0–1)."""
        total = sum(weights.values())
        text = self._texts.get(article_id)
        if total <= 0 or text is None:
            return 0.0
        return sum(w for pair, w in weights.items() if pair in text) / total

    def __len__(self) -> int:
        return len(self._texts)
