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
from collections.abc import Callable, Iterable, Sequence
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

    def __init__(self, examples: Iterable[Example], tokenize: Callable[[str], list[str]],
                 *, max_linear_classes: int = MAX_LINEAR_CLASSES) -> None:
        """``examples`` is read once: a generator spares a large knowledge base a list of
        1.7 million ``Example`` objects (the texts themselves are the callers' strings)."""
        self._tokenize = tokenize
        texts: list[str] = []
        labels_read: list[int] = []
        for example in examples:
            texts.append(example.text)
            labels_read.append(example.label)
        labels = np.array(labels_read, dtype=np.int64)
        del labels_read
        self.labels = np.unique(labels)
        self._scorer: _LinearScorer | _NeighbourScorer
        if 2 <= len(self.labels) <= max_linear_classes:
            self._scorer = _LinearScorer([normalize(t) for t in texts], labels,
                                         self._word_features)
        else:
            # Normalised chunk by chunk as they are hashed: 1.7 million normalised copies
            # held at once were a large part of a 100,000-article training's peak.
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
        ranked = self._scorer.ranked(normalize(query))
        if allowed is None:
            return ranked[:limit]
        return [(label, score) for label, score in ranked if label in allowed][:limit]


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
        # Seeded: the solver visits the examples in a random order, and unseeded it took
        # numpy's global state, so two fits of the same knowledge base differed in the
        # fourth decimal of a confidence: enough to flip a reply near a threshold.
        self._model = LinearSVC(C=0.5, random_state=0)
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

    def ranked(self, query: str) -> list[tuple[int, float]]:
        """(article, score), best first (ties: the lower article id first)."""
        return sorted(self.scores(query), key=lambda item: (-item[1], item[0]))

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
    the index itself. The examples are held in the order of ``_Layout``, so that a query's
    scores are added into one array over the examples and each article's best is a few
    vectorised ``max`` calls."""

    def __init__(self, texts: Sequence[str], labels: np.ndarray,
                 word_features: Callable[[str], list[str]]) -> None:
        self._layout, order = _layout(labels)
        self._buffers = threading.local()
        self._chars = HashingVectorizer(analyzer="char_wb", ngram_range=(1, 4),
                                        n_features=HASH_FEATURES, alternate_sign=False,
                                        norm=None, lowercase=False, dtype=np.float32)
        self._words = HashingVectorizer(analyzer=word_features, n_features=HASH_FEATURES,
                                        alternate_sign=False, norm=None, lowercase=False,
                                        dtype=np.float32)
        rows = len(texts)
        with tempfile.TemporaryDirectory(prefix="seci-matcher-") as spill:
            # Pass 1: hash chunk by chunk, count in how many examples each feature occurs,
            # and keep the raw counts on disk (holding them all would double the peak).
            documents = np.zeros(2 * HASH_FEATURES, dtype=np.int64)
            files: list[Path] = []
            for start in range(0, rows, _CHUNK):
                chunk = self._raw([normalize(texts[i])
                                   for i in order[start:start + _CHUNK].tolist()])
                documents += np.bincount(chunk.indices, minlength=2 * HASH_FEATURES)
                files.append(_spill(Path(spill), len(files), chunk))
            del order
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
        one array (a feature lists an example at most once, so each addition is the same
        as a plain ``+=``; ``np.add.at`` is a third faster at it). Faster than a sparse
        product, which builds a sparse row of a million entries and then has to rank them.
        The array is this thread's own, reused."""
        rows = self._postings.shape[1]
        total = getattr(self._buffers, "total", None)
        if total is None or len(total) != rows:
            total = self._buffers.total = np.zeros(rows, dtype=np.float32)
        else:
            total.fill(0.0)
        indptr, indices, data = (self._postings.indptr, self._postings.indices,
                                 self._postings.data)
        columns = features.indices
        for start, end, weight in zip(indptr[columns].tolist(), indptr[columns + 1].tolist(),
                                      features.data, strict=True):
            if end > start:
                np.add.at(total, indices[start:end], weight * data[start:end])
        return total

    def ranked(self, query: str) -> list[tuple[int, float]]:
        """(article, best cosine), best first (ties: the lower article id first); only
        articles with a positive score, at most ``_BEST_ARTICLES`` of them."""
        features = self._raw([query])
        self._weigh(features)
        if features.nnz == 0:
            return []
        articles = self._layout.articles
        best = self._layout.best(self._similarities(features))
        kept = _best_articles(best, articles, _BEST_ARTICLES)
        labels, values = articles[kept], best[kept]
        order = np.lexsort((labels, -values))
        return list(zip(labels[order].tolist(), values[order].tolist(), strict=True))


def _best_articles(best: np.ndarray, articles: np.ndarray, most: int) -> np.ndarray:
    """Where the ``most`` best positive scores are (ties: the lower article id), as a full
    sort would choose them; only these can be candidates, so only these are sorted. A
    keyword query may give thousands of articles the same score: ``argpartition`` alone
    keeps arbitrary ones of those tied at the cut, which then depend on the layout."""
    if len(best) <= most:
        return np.flatnonzero(best > 0)
    cut = best[np.argpartition(-best, most - 1)[most - 1]]  # the most-th best score
    above = np.flatnonzero(best > max(cut, 0))
    if cut <= 0:
        return above
    tied = np.flatnonzero(best == cut)
    tied = tied[np.argsort(articles[tied], kind="stable")[:most - len(above)]]
    return np.concatenate([above, tied])


@dataclass(frozen=True, eq=False)
class _Layout:
    """Where each article's examples sit in the array a query's similarities are added
    into. Articles with the same number of examples k (a large knowledge base has a few such
    numbers for most of its articles: 16–18 at 100,000 synthetic ones) form a k × n block,
    example j of every article in row j, so that their best is one column-wise ``max``
    (0.1 ms at 100,000 articles); the other articles follow one after another and get
    theirs from ``np.maximum.reduceat``, which loops article by article (2 ms for all of
    them at 100,000)."""

    articles: np.ndarray  # the article of each score ``best`` returns
    blocks: tuple[tuple[int, int, int], ...]  # (first position, examples each, articles)
    rest: np.ndarray  # where each of the remaining articles' examples start
    size: int  # examples in all

    def best(self, similarities: np.ndarray) -> np.ndarray:
        """Each article's best example, in the order of ``articles``."""
        best = np.empty(len(self.articles), dtype=similarities.dtype)
        done = 0
        for start, each, count in self.blocks:
            block = similarities[start:start + each * count].reshape(each, count)
            block.max(axis=0, out=best[done:done + count])
            done += count
        if len(self.rest):
            best[done:] = np.maximum.reduceat(similarities, self.rest)
        return best

    def example_articles(self) -> np.ndarray:
        """The article of the example at each position."""
        done, parts = 0, []
        for _, each, count in self.blocks:
            parts.append(np.tile(self.articles[done:done + count], each))
            done += count
        parts.append(np.repeat(self.articles[done:], np.diff(np.r_[self.rest, self.size])))
        return np.concatenate(parts)


def _layout(labels: np.ndarray) -> tuple[_Layout, np.ndarray]:
    """The layout of examples labelled ``labels`` and, for each position, the index in
    ``labels`` of the example held there. Blocks and articles are in ascending article
    order (the scores do not depend on it; it keeps the layout reproducible)."""
    grouped = np.argsort(labels, kind="stable")
    first = np.flatnonzero(np.r_[True, labels[grouped][1:] != labels[grouped][:-1]])
    counts = np.diff(np.r_[first, len(labels)])
    articles = labels[grouped][first]
    sizes, members = np.unique(counts, return_counts=True)
    in_block = np.zeros(len(first), dtype=bool)
    positions: list[np.ndarray] = []  # indices into ``grouped``
    ordered: list[np.ndarray] = []  # the articles in the order ``best`` returns them
    blocks: list[tuple[int, int, int]] = []
    done = 0
    for each, count in zip(sizes.tolist(), members.tolist(), strict=True):
        if count < _BLOCK_ARTICLES:
            continue
        chosen = np.flatnonzero(counts == each)
        in_block[chosen] = True
        # Row j of the block: the j-th example of every chosen article.
        positions.append((first[chosen][np.newaxis, :]
                          + np.arange(each)[:, np.newaxis]).ravel())
        ordered.append(articles[chosen])
        blocks.append((done, each, count))
        done += each * count
    rest = ~in_block
    positions.append(np.flatnonzero(np.repeat(rest, counts)))
    ordered.append(articles[rest])
    rest_starts = done + np.cumsum(counts[rest]) - counts[rest]
    layout = _Layout(articles=np.concatenate(ordered), blocks=tuple(blocks),
                     rest=rest_starts, size=len(labels))
    return layout, grouped[np.concatenate(positions)]


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
    is ever made. ``per_feature``: how many entries each feature will have. Each chunk's
    bookkeeping is the size of the chunk, not of the 4 million hashed features."""
    indptr = np.zeros(len(per_feature) + 1, dtype=np.int64)
    np.cumsum(per_feature, out=indptr[1:])
    total = int(indptr[-1])
    index_type = np.int32 if max(total, rows) < np.iinfo(np.int32).max else np.int64
    indptr = indptr.astype(index_type)
    indices = np.empty(total, dtype=index_type)
    data = np.empty(total, dtype=np.float32)
    next_free = indptr[:-1].copy()
    offset = 0
    for file in files:
        chunk = _unspill(file)
        weigh(chunk)
        example = np.repeat(np.arange(chunk.shape[0], dtype=index_type) + offset,
                            np.diff(chunk.indptr))
        order = np.argsort(chunk.indices, kind="stable")
        feature = chunk.indices[order]
        # Each feature's run in ``feature``: where it starts, how long it is (none at all
        # when every n-gram of the chunk weighs 0: the examples at the same place of many
        # articles, a block's row, may be one boilerplate line).
        first = np.flatnonzero(np.diff(feature, prepend=-1))
        runs = np.diff(np.r_[first, len(feature)])
        present = feature[first]
        slot = np.repeat(next_free[present] - first, runs) + np.arange(len(feature))
        indices[slot] = example[order]
        data[slot] = chunk.data[order]
        next_free[present] += runs.astype(index_type)
        offset += chunk.shape[0]
    return sparse.csr_matrix((data, indices, indptr), shape=(len(per_feature), rows))


# Examples hashed per chunk (bounds the memory of the raw counts).
_CHUNK = 20_000
# Articles kept per query: many more than the candidates a search takes (engine.CANDIDATES
# × 3), so that filters (queues, audience, validity) applied after still leave enough.
_BEST_ARTICLES = 2_000
# Articles sharing a number of examples that are scored as one block (``_Layout``): fewer
# are cheaper in ``reduceat`` than as a block of their own.
_BLOCK_ARTICLES = 64
