"""Grouping paraphrases of one script: the same words misheard (ASR homophones: 六量 for
流量, 淘餐 for 套餐) and the same sentence worded a little differently are one script.

Two steps: clauses with the same toneless pinyin are one (homophones); then clauses whose
character unigram-and-bigram TF-IDF vectors have a cosine ≥ ``similarity`` are joined
(union-find over each clause's nearest neighbours). The group speaks with its most
frequent wording.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from pypinyin import lazy_pinyin
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.neighbors import NearestNeighbors

SIMILARITY = 0.7
NEIGHBOURS = 8


@dataclass(frozen=True)
class PhraseGroup:
    representative: str
    keys: np.ndarray  # sorted hashes of the member clauses
    variants: list[str]  # member wordings, most frequent first


class _UnionFind:
    def __init__(self, size: int) -> None:
        self.parent = list(range(size))

    def find(self, item: int) -> int:
        while self.parent[item] != item:
            self.parent[item] = self.parent[self.parent[item]]
            item = self.parent[item]
        return item

    def union(self, first: int, second: int) -> None:
        a, b = self.find(first), self.find(second)
        if a != b:
            self.parent[max(a, b)] = min(a, b)


def group_paraphrases(keys: Sequence[int], texts: Sequence[str], counts: Sequence[int], *,
                      similarity: float = SIMILARITY) -> list[PhraseGroup]:
    """Groups of clauses (given by hash, text and number of calls), largest first."""
    size = len(keys)
    if size == 0:
        return []
    joined = _UnionFind(size)
    by_sound: dict[str, int] = {}
    for index, text in enumerate(texts):
        sound = " ".join(lazy_pinyin(text))
        if sound in by_sound:
            joined.union(by_sound[sound], index)
        else:
            by_sound[sound] = index
    if size > 1:
        vectors = TfidfVectorizer(analyzer="char", ngram_range=(1, 2)).fit_transform(texts)
        neighbours = NearestNeighbors(n_neighbors=min(NEIGHBOURS, size), metric="cosine",
                                      algorithm="brute").fit(vectors)
        distances, indexes = neighbours.kneighbors(vectors)
        for row, (row_distances, row_indexes) in enumerate(zip(distances, indexes,
                                                               strict=True)):
            for distance, other in zip(row_distances, row_indexes, strict=True):
                if other != row and 1 - distance >= similarity:
                    joined.union(row, int(other))
    members: dict[int, list[int]] = {}
    for index in range(size):
        members.setdefault(joined.find(index), []).append(index)
    groups = []
    for indexes in sorted(members.values(), key=lambda m: -sum(counts[i] for i in m)):
        ordered = sorted(indexes, key=lambda i: -counts[i])
        groups.append(PhraseGroup(texts[ordered[0]],
                                  np.array(sorted(keys[i] for i in ordered), dtype=np.int64),
                                  [texts[i] for i in ordered]))
    return groups
