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

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Literal

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import HashingVectorizer, TfidfTransformer, TfidfVectorizer
from sklearn.svm import LinearSVC

from seci.retrieval.text import normalize

MAX_LINEAR_CLASSES = 400
# Neighbour features: hashed (no vocabulary held in memory), and n-grams found in more than
# this share of the examples dropped: they say little and their posting lists are long.
HASH_FEATURES = 2**21
MAX_DOCUMENT_SHARE = 0.05

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
        return words + [f"{a}_{b}" for a, b in pairwise(words)]

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

    def scores(self, query: str) -> list[tuple[int, float]]:
        features = sparse.hstack([self._chars.transform([query]),
                                  self._words.transform([query])]).tocsr()
        decision = self._model.decision_function(features)[0]
        if len(self._model.classes_) == 2:  # binary: one column for the second class
            decision = np.array([-decision, decision])
        return [(int(label), float(value))
                for label, value in zip(self._model.classes_, decision, strict=True)]


class _NeighbourScorer:
    """Best cosine similarity of the query with an article's examples (characters and words
    each count up to 1), computed from an inverted index (feature → examples)."""

    def __init__(self, texts: Sequence[str], labels: np.ndarray,
                 word_features: Callable[[str], list[str]]) -> None:
        self._chars = HashingVectorizer(analyzer="char_wb", ngram_range=(1, 4),
                                        n_features=HASH_FEATURES, alternate_sign=False,
                                        norm=None, lowercase=False)
        self._words = HashingVectorizer(analyzer=word_features, n_features=HASH_FEATURES,
                                        alternate_sign=False, norm=None, lowercase=False)
        self._char_weights = TfidfTransformer(sublinear_tf=True)
        self._word_weights = TfidfTransformer(sublinear_tf=True)
        chars = self._char_weights.fit_transform(self._chars.transform(texts))
        words = self._word_weights.fit_transform(self._words.transform(texts))
        self._keep = np.concatenate([_informative(chars), _informative(words)])
        examples = _normalized_blocks(sparse.hstack([chars, words]).tocsr(), self._keep)
        # Transposed: a query's features pick their rows (posting lists) only.
        self._postings = examples.T.tocsr()
        self._labels = labels

    def _query_features(self, query: str) -> sparse.csr_matrix:
        chars = self._char_weights.transform(self._chars.transform([query]))
        words = self._word_weights.transform(self._words.transform([query]))
        return _normalized_blocks(sparse.hstack([chars, words]).tocsr(), self._keep)

    def scores(self, query: str) -> list[tuple[int, float]]:
        similarity = (self._query_features(query) @ self._postings).tocsr()
        if similarity.nnz == 0:
            return []
        labels = self._labels[similarity.indices]
        order = np.argsort(-similarity.data, kind="stable")
        # The first time a label appears in descending order is its best example.
        unique, first = np.unique(labels[order], return_index=True)
        best = similarity.data[order][first]
        return [(int(label), float(value)) for label, value in zip(unique, best, strict=True)]


def _informative(block: sparse.csr_matrix) -> np.ndarray:
    """A 0/1 mask of the block's columns: found in at most MAX_DOCUMENT_SHARE of the rows."""
    counts = np.bincount(block.indices, minlength=block.shape[1])
    limit = max(MAX_DOCUMENT_SHARE * block.shape[0], 50)
    return np.asarray(counts <= limit, dtype=np.float64)


def _normalized_blocks(features: sparse.csr_matrix, keep: np.ndarray) -> sparse.csr_matrix:
    """Drop uninformative columns, then scale the character and the word half of each row
    to unit length each (so each half's cosine counts up to 1)."""
    kept = features.multiply(keep.reshape(1, -1)).tocsr()
    kept.eliminate_zeros()
    half = HASH_FEATURES
    result = []
    for block in (kept[:, :half], kept[:, half:]):
        norms = np.sqrt(np.asarray(block.multiply(block).sum(axis=1)).ravel())
        norms[norms == 0] = 1.0
        result.append(sparse.diags(1.0 / norms) @ block)
    return sparse.hstack(result).tocsr()
