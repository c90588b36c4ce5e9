"""The untuned simple hybrid that issue 15 measures SECI against (benchmark only).

Three rankings over one document per article — title, similar questions and body joined
by newlines — fused by reciprocal rank with the usual fixed k = 60:

* **BM25** over jieba words: jieba's own dictionary and algorithm (its Rust port rjieba, a
  fresh ``rjieba.Jieba()``: none of SECI's telecom terms, synonyms or stop words), tokens
  lower-cased, tokens without a letter or digit dropped; Okapi BM25 with the common
  defaults k1 = 1.5, b = 0.75 and idf = ln(1 + (N − n + 0.5) / (n + 0.5));
* **character 1–3-gram TF-IDF**: scikit-learn's ``TfidfVectorizer(analyzer="char",
  ngram_range=(1, 3))``, everything else default (lower-case, smoothed idf, l2), cosine;
* **pinyin TF-IDF**: the text's toneless pinyin syllables (``pypinyin.lazy_pinyin``; other
  characters come through as they are), lower-cased, syllables and pairs of adjacent
  syllables as terms, ``TfidfVectorizer`` defaults otherwise, cosine.

Each ranking holds the documents scoring above 0; fused score = Σ 1 / (60 + rank). No text
normalisation beyond that (no traditional → simplified, no synonyms), no parameter was
tried against any query set: these choices were written down before the first run and are
not to be tuned. It has no confidence and never says "no good match".

It sees what SECI's search sees in the evaluation: the articles of the KB file (after the
same similar-question cut) that are valid on the judged day (``valid_from`` ≤ day ≤
``valid_to``, open ends allowed), both audiences (the evaluation searches as staff).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import date
from itertools import pairwise
from typing import Any

RRF_K = 60
BM25_K1 = 1.5
BM25_B = 0.75
_WORD = re.compile(r"\w")


def valid_on(record: dict[str, Any], day: date) -> bool:
    """SECI's rule: valid from ``valid_from`` to ``valid_to``, both days included."""
    start, end = record.get("valid_from"), record.get("valid_to")
    return ((not start or date.fromisoformat(str(start)) <= day)
            and (not end or date.fromisoformat(str(end)) >= day))


def document(record: dict[str, Any]) -> str:
    questions = record.get("similar_questions") or []
    if isinstance(questions, str):
        questions = [questions]
    return "\n".join([str(record.get("title") or ""), *map(str, questions),
                      str(record.get("body") or "")])


class Bm25:
    """Okapi BM25 over pre-tokenised documents."""

    def __init__(self, documents: Sequence[list[str]]) -> None:
        self.counts = [Counter(d) for d in documents]
        self.lengths = [len(d) for d in documents]
        self.average = sum(self.lengths) / len(documents) if documents else 0.0
        frequency: Counter[str] = Counter()
        for counts in self.counts:
            frequency.update(counts.keys())
        n = len(documents)
        self.idf = {t: math.log(1 + (n - f + 0.5) / (f + 0.5)) for t, f in frequency.items()}

    def scores(self, query: list[str]) -> list[float]:
        result = []
        for counts, length in zip(self.counts, self.lengths, strict=True):
            norm = BM25_K1 * (1 - BM25_B + BM25_B * length / (self.average or 1))
            result.append(sum(self.idf[t] * counts[t] * (BM25_K1 + 1) / (counts[t] + norm)
                              for t in query if t in counts))
        return result


def _ranked(scores: Sequence[float]) -> list[int]:
    return sorted((i for i, s in enumerate(scores) if s > 0), key=lambda i: (-scores[i], i))


class HybridBaseline:
    """Build from KB records (the import JSONL form); ``search`` returns article codes."""

    def __init__(self, records: Sequence[dict[str, Any]], on: date) -> None:
        import rjieba
        from pypinyin import lazy_pinyin
        from sklearn.feature_extraction.text import TfidfVectorizer

        self._jieba = rjieba.Jieba()
        self._pinyin: Callable[[str], list[str]] = lazy_pinyin
        kept = [r for r in records if valid_on(r, on)]
        self.codes = [str(r["code"]) for r in kept]
        texts = [document(r) for r in kept]
        self.bm25 = Bm25([self.words(t) for t in texts])
        self.chars = TfidfVectorizer(analyzer="char", ngram_range=(1, 3))
        self.char_matrix = self.chars.fit_transform(texts)
        self.sounds = TfidfVectorizer(analyzer=self.pinyin_terms)
        self.sound_matrix = self.sounds.fit_transform(texts)

    def words(self, text: str) -> list[str]:
        return [w.strip().lower() for w in self._jieba.cut(text) if _WORD.search(w)]

    def pinyin_terms(self, text: str) -> list[str]:
        syllables = [s.strip().lower() for s in self._pinyin(text) if _WORD.search(s)]
        return syllables + [f"{a}_{b}" for a, b in pairwise(syllables)]

    def rankings(self, query: str) -> list[list[int]]:
        """Document indexes of each ranking, best first, scores above 0 only."""
        char_scores = (self.char_matrix @ self.chars.transform([query]).T).toarray().ravel()
        sound_scores = (self.sound_matrix @ self.sounds.transform([query]).T).toarray().ravel()
        return [_ranked(scores) for scores in (self.bm25.scores(self.words(query)),
                                               [float(s) for s in char_scores],
                                               [float(s) for s in sound_scores])]

    def search(self, query: str, limit: int = 10) -> list[str]:
        fused: dict[int, float] = {}
        for ranking in self.rankings(query):
            for rank, index in enumerate(ranking, start=1):
                fused[index] = fused.get(index, 0.0) + 1 / (RRF_K + rank)
        best = sorted(fused, key=lambda i: (-fused[i], i))[:limit]
        return [self.codes[i] for i in best]
