"""The learned matcher: a model over character and word n-grams, trained on the labelled
paraphrases the knowledge base already holds (titles, similar questions, what agents opened
after a query; later also confirmed assistant answers).

No Chinese sentence model ships in a package, so understanding comes from these labels. Two
forms, chosen by the number of articles:

- **linear** (up to ``MAX_LINEAR_CLASSES`` articles): one-vs-rest linear SVM. The best
  ranker we have (BANKING77: ~0.91 top-1 where plain BM25 reaches ~0.77), but its training
  cost grows with articles × examples: 0.4 s at 100 articles, 5 s at 400, 21 s at 800.
- **neighbours** (above): the query is compared with every labelled example (cosine of the
  same features, best example per article), which trains in time linear in the examples
  and answers from posting lists, so a 100,000-article knowledge base stays interactive.

Both report scores on their own scale; ``kind`` tells the confidence model which one it has.
"""

from __future__ import annotations

import tempfile
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from typing import Literal

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import HashingVectorizer, TfidfVectorizer
from sklearn.svm import LinearSVC

from seci.retrieval.text import normalize, pinyin_bigrams

MAX_LINEAR_CLASSES = 400
# Neighbour features: hashed (no vocabulary held in memory), and n-grams found in more than
# this share of the examples dropped: they say little and their posting lists are long.
HASH_FEATURES = 2**21
MAX_DOCUMENT_SHARE = 0.05
# … and, on a large knowledge base, n-grams found in more examples than this: at 100,000
# articles (1.7 million examples) they are ~1 % of the examples, their weight is small, and
# adding up their postings was most of a query's time (docs/benchmarks.md: the top 10 stayed
# the same for 300 synthetic queries, p95 of the matcher 24 → 10 ms).
MAX_POSTINGS = 30_000

MatcherKind = Literal["linear", "neighbours"]


@dataclass(frozen=True)
class Example:
    text: str
    label: int  # article id


class Matcher:
    """Fitted once on a snapshot of examples; immutable afterwards (swap to retrain)."""

    def __init__(self, examples: Sequence[Example], tokenize: Callable[[str], list[str]],
                 *, max_linear_classes: int = MAX_LINEAR_CLASSES) -> None:
        self._tokenize = tokenize
        texts = [normalize(e.text) for e in examples]
        labels = np.array([e.label for e in examples])
        self.labels = np.unique(labels)
        self._scorer: _LinearScorer | _NeighbourScorer
        if 2 <= len(self.labels) <= max_linear_classes:
            self._scorer = _LinearScorer(texts, labels, self._word_features)
        else:
            self._scorer = _NeighbourScorer(texts, labels, self._word_features)

    @property
    def kind(self) -> MatcherKind:
        return "linear" if isinstance(self._scorer, _LinearScorer) else "neighbours"

    def _word_features(self, text: str) -> list[str]:
        words = self._tokenize(text)
        return words + [f"{a}_{b}" for a, b in pairwise(words)] + [
            f"py:{g}" for g in pinyin_bigrams(text)]

    def top(self, query: str, limit: int, allowed: set[int] | None = None
            ) -> list[tuple[int, float]]:
        """Best articles for the query, best first (only ``allowed`` ones when given)."""
        scored = self._scorer.scores(normalize(query))
        ranked = sorted(((label, score) for label, score in scored
                         if allowed is None or label in allowed),
                        key=lambda item: (-item[1], item[0]))
        return ranked[:limit]


class _LinearScorer:
    """One-vs-rest linear SVM on TF-IDF n-grams: a decision value per article."""

    def __init__(self, texts: Sequence[str], labels: np.ndarray,
                 word_features: Callable[[str], list[str]]) -> None:
        self._chars = TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 4), sublinear_tf=True,
                                      lowercase=False)
        self._words = TfidfVectorizer(analyzer=word_features, sublinear_tf=True,
                                      lowercase=False)
        features = sparse.hstack([self._chars.fit_transform(texts),
                                  self._words.fit_transform(texts)]).tocsr()
        self._model = LinearSVC(C=0.5)
        self._model.fit(features, labels)
        # A query is weighed by hand from the fitted vocabularies: the same numbers as
        # ``transform`` + ``decision_function``, without their per-call checks, which cost
        # several milliseconds for one short question (every assistant turn asks one).
        self._parts = (
            _Vocabulary(self._chars.build_analyzer(), self._chars.vocabulary_,
                        self._chars.idf_, 0),
            _Vocabulary(self._words.build_analyzer(), self._words.vocabulary_,
                        self._words.idf_, len(self._chars.vocabulary_)),
        )
        self._coef = np.ascontiguousarray(self._model.coef_.T)  # features × classes
        self._intercept = self._model.intercept_

    def features(self, query: str) -> tuple[np.ndarray, np.ndarray]:
        """The query's TF-IDF vector as (feature columns, values)."""
        columns, values = zip(*(part.weigh(query) for part in self._parts), strict=True)
        return np.concatenate(columns), np.concatenate(values)

    def scores(self, query: str) -> list[tuple[int, float]]:
        columns, values = self.features(query)
        decision = values @ self._coef[columns] + self._intercept
        if len(self._model.classes_) == 2:  # binary: one column for the second class
            decision = np.array([-decision[0], decision[0]])
        return [(int(label), float(value))
                for label, value in zip(self._model.classes_, decision, strict=True)]


@dataclass(frozen=True)
class _Vocabulary:
    """One fitted TF-IDF vectoriser (sublinear tf, l2 norm) read directly."""

    analyze: Callable[[str], list[str]]
    columns: dict[str, int]
    idf: np.ndarray
    offset: int  # where its columns start in the stacked features

    def weigh(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        counts: dict[int, int] = {}
        for gram in self.analyze(text):
            column = self.columns.get(gram)
            if column is not None:
                counts[column] = counts.get(column, 0) + 1
        columns = np.fromiter(counts, dtype=np.intp, count=len(counts))
        values = (1.0 + np.log(np.fromiter(counts.values(), dtype=np.float64,
                                           count=len(counts)))) * self.idf[columns]
        norm = float(np.sqrt(values @ values))
        return columns + self.offset, values / norm if norm > 0 else values


class _NeighbourScorer:
    """Best cosine similarity of the query with an article's examples (characters and words
    each count up to 1), computed from an inverted index (feature → examples).

    Features are hashed and weighted by hand, chunk by chunk and in place, so that a large
    knowledge base (1.7 million examples at 100,000 articles) needs little more memory than
    the index itself. The examples are held grouped by article, so that a query's scores are
    added into one array over the examples and each article's best is one ``reduceat``."""

    def __init__(self, texts: Sequence[str], labels: np.ndarray,
                 word_features: Callable[[str], list[str]]) -> None:
        order = np.argsort(labels, kind="stable")
        texts = [texts[i] for i in order]
        labels = labels[order]
        # Where each article's examples start, and which article that is.
        self._starts = np.flatnonzero(np.r_[True, labels[1:] != labels[:-1]])
        self._article = labels[self._starts]
        self._buffers = threading.local()
        self._chars = HashingVectorizer(analyzer="char_wb", ngram_range=(1, 4),
                                        n_features=HASH_FEATURES, alternate_sign=False,
                                        norm=None, lowercase=False, dtype=np.float32)
        self._words = HashingVectorizer(analyzer=word_features, n_features=HASH_FEATURES,
                                        alternate_sign=False, norm=None, lowercase=False,
                                        dtype=np.float32)
        with tempfile.TemporaryDirectory(prefix="seci-matcher-") as spill:
            # Pass 1: hash chunk by chunk, count in how many examples each feature occurs,
            # and keep the raw counts on disk (holding them all would double the peak).
            documents = np.zeros(2 * HASH_FEATURES, dtype=np.int64)
            files: list[Path] = []
            for start in range(0, len(texts), _CHUNK):
                chunk = self._raw(texts[start:start + _CHUNK])
                documents += np.bincount(chunk.indices, minlength=2 * HASH_FEATURES)
                files.append(_spill(Path(spill), len(files), chunk))
            rows = len(texts)
            # Smoothed IDF; n-grams in more than MAX_DOCUMENT_SHARE of the examples (or more
            # than MAX_POSTINGS) weigh 0.
            self._weights = (np.log((1 + rows) / (1 + documents)) + 1).astype(np.float32)
            self._weights[documents > min(max(MAX_DOCUMENT_SHARE * rows, 50), MAX_POSTINGS)] = 0.0
            # Pass 2: weigh each chunk and write it straight into the transposed index
            # (feature → examples). A feature keeps one entry per example it occurs in
            # unless its weight is 0, so the index's size is known before any is weighed.
            per_feature = np.where(self._weights > 0, documents, 0)
            del documents
            self._postings = _transposed(files, per_feature, rows, self._weigh)

    def _raw(self, texts: Sequence[str]) -> sparse.csr_matrix:
        return sparse.hstack([self._chars.transform(texts), self._words.transform(texts)],
                             format="csr", dtype=np.float32)

    def _weigh(self, matrix: sparse.csr_matrix) -> None:
        """Sublinear TF × IDF, then each half of each row (characters, words) to unit
        length; in place."""
        data = matrix.data
        np.log(data, out=data)
        data += 1.0
        data *= self._weights[matrix.indices]
        row = np.repeat(np.arange(matrix.shape[0]), np.diff(matrix.indptr))
        half = (matrix.indices >= HASH_FEATURES).astype(np.int64)
        cell = row * 2 + half  # one norm per row and half
        norms = np.sqrt(np.bincount(cell, weights=data.astype(np.float64) ** 2,
                                    minlength=2 * matrix.shape[0]))
        norms[norms == 0] = 1.0
        data /= norms[cell].astype(np.float32)
        matrix.eliminate_zeros()

    def _similarities(self, features: sparse.csr_matrix) -> np.ndarray:
        """The query's cosine with every example: each of its features' postings added into
        one array (a feature lists an example at most once, so a plain ``+=`` is exact).
        Faster than a sparse product, which builds a sparse row of a million entries and
        then has to rank them. The array is this thread's own, reused."""
        rows = self._postings.shape[1]
        total = getattr(self._buffers, "total", None)
        if total is None or len(total) != rows:
            total = self._buffers.total = np.zeros(rows, dtype=np.float32)
        else:
            total.fill(0.0)
        indptr, indices, data = (self._postings.indptr, self._postings.indices,
                                 self._postings.data)
        for feature, weight in zip(features.indices, features.data, strict=True):
            start, end = indptr[feature], indptr[feature + 1]
            if end > start:
                total[indices[start:end]] += weight * data[start:end]
        return total

    def scores(self, query: str) -> list[tuple[int, float]]:
        features = self._raw([query])
        self._weigh(features)
        if features.nnz == 0:
            return []
        best = np.maximum.reduceat(self._similarities(features), self._starts)
        # Only the best articles can be candidates: partition, then sort those.
        if len(best) > _BEST_ARTICLES:
            kept = np.argpartition(-best, _BEST_ARTICLES - 1)[:_BEST_ARTICLES]
        else:
            kept = np.arange(len(best))
        kept = kept[best[kept] > 0]
        return [(int(label), float(value))
                for label, value in zip(self._article[kept], best[kept], strict=True)]


def _spill(directory: Path, number: int, chunk: sparse.csr_matrix) -> Path:
    target = directory / f"chunk-{number}.npz"
    _spill_to(target, chunk)
    return target


def _spill_to(target: Path, chunk: sparse.csr_matrix) -> None:
    np.savez(target, indptr=chunk.indptr, indices=chunk.indices, data=chunk.data,
             shape=np.array(chunk.shape))


def _unspill(source: Path) -> sparse.csr_matrix:
    with np.load(source) as stored:
        return sparse.csr_matrix((stored["data"], stored["indices"], stored["indptr"]),
                                 shape=tuple(stored["shape"]))


def _transposed(files: Sequence[Path], per_feature: np.ndarray, rows: int,
                weigh: Callable[[sparse.csr_matrix], None]) -> sparse.csr_matrix:
    """The chunks (examples × features, in order), each ``weigh``ed, as one features ×
    examples CSR matrix filled in place: each entry goes to its feature's next free slot,
    so examples stay in ascending order within a feature and no second copy of the index
    is ever made. ``per_feature``: how many entries each feature will have."""
    indptr = np.zeros(len(per_feature) + 1, dtype=np.int64)
    np.cumsum(per_feature, out=indptr[1:])
    total = int(indptr[-1])
    index_type = np.int32 if max(total, rows) < np.iinfo(np.int32).max else np.int64
    indices = np.empty(total, dtype=index_type)
    data = np.empty(total, dtype=np.float32)
    next_free = indptr[:-1].copy()
    offset = 0
    for file in files:
        chunk = _unspill(file)
        weigh(chunk)
        example = np.repeat(np.arange(chunk.shape[0], dtype=np.int64) + offset,
                            np.diff(chunk.indptr))
        order = np.argsort(chunk.indices, kind="stable")
        feature = chunk.indices[order]
        counts = np.bincount(feature, minlength=len(per_feature))
        group_start = np.cumsum(counts) - counts  # where each feature's run starts in order
        slot = next_free[feature] + (np.arange(len(feature)) - group_start[feature])
        indices[slot] = example[order]
        data[slot] = chunk.data[order]
        next_free += counts
        offset += chunk.shape[0]
    return sparse.csr_matrix((data, indices, indptr), shape=(len(per_feature), rows))


# Examples hashed per chunk (bounds the memory of the raw counts).
_CHUNK = 20_000
# Articles kept per query: many more than the candidates a search takes (engine.CANDIDATES
# × 3), so that filters (queues, audience, validity) applied after still leave enough.
_BEST_ARTICLES = 2_000
