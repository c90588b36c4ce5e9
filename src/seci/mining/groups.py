"""Grouping paraphrases of one script: the same words misheard (ASR homophones: 六量 for
流量, 淘餐 for 套餐) and the same sentence worded a little differently are one script.

Two steps: clauses with the same toneless pinyin are one (homophones); then clauses whose
character unigram-and-bigram TF-IDF vectors have a cosine ≥ ``similarity`` are joined
(union-find over each clause's nearest neighbours). The group speaks with its most
frequent wording.

Then ``merge_said_together`` joins groups said in (nearly) the same calls: a sentence split
at a comma into two clauses is one script, and testing its halves twice would report it
twice. Calls-sets are compared by MinHash (candidates that share a band of signatures),
then by their exact Jaccard index.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from pypinyin import lazy_pinyin
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.neighbors import NearestNeighbors

SIMILARITY = 0.7
NEIGHBOURS = 8
SAID_TOGETHER = 0.8  # Jaccard index of two groups' calls above which they are one script
_BANDS, _ROWS_PER_BAND = 4, 2  # MinHash: P(candidate | J = 0.8) = 1 − (1 − 0.8²)⁴ ≈ 0.98
_PRIME = (1 << 61) - 1

RowsOf = Callable[[np.ndarray], tuple[np.ndarray, float]]


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


def merge_said_together(groups: Sequence[PhraseGroup], rows_of: RowsOf, *,
                        threshold: float = SAID_TOGETHER) -> list[PhraseGroup]:
    """Groups whose calls overlap by a Jaccard index ≥ ``threshold`` joined into one,
    worded as their representatives in the order they are said."""
    if len(groups) < 2:
        return list(groups)
    found = [rows_of(g.keys) for g in groups]
    signatures = _min_hashes([rows for rows, _ in found])
    joined = _UnionFind(len(groups))
    for band in range(_BANDS):
        buckets: dict[bytes, list[int]] = {}
        columns = signatures[:, band * _ROWS_PER_BAND:(band + 1) * _ROWS_PER_BAND]
        for index, key in enumerate(columns):
            if len(found[index][0]):
                buckets.setdefault(key.tobytes(), []).append(index)
        for members in buckets.values():
            _join_overlapping(members, [found[i][0] for i in members], joined, threshold)
    merged: dict[int, list[int]] = {}
    for index in range(len(groups)):
        merged.setdefault(joined.find(index), []).append(index)
    return [_joined(groups, members, [found[i][1] for i in members])
            if len(members) > 1 else groups[members[0]] for members in merged.values()]


def _min_hashes(row_sets: Sequence[np.ndarray]) -> np.ndarray:
    """Per set, the minimum of ``_BANDS × _ROWS_PER_BAND`` universal hashes of its rows."""
    rng = np.random.default_rng(20261206)
    count = _BANDS * _ROWS_PER_BAND
    multipliers = rng.integers(1, 1 << 31, size=count, dtype=np.uint64)
    offsets = rng.integers(0, 1 << 31, size=count, dtype=np.uint64)
    signatures = np.zeros((len(row_sets), count), dtype=np.uint64)
    for index, rows in enumerate(row_sets):
        if len(rows):
            values = rows.astype(np.uint64)[:, None] * multipliers + offsets
            signatures[index] = (values % np.uint64(_PRIME)).min(axis=0)
    return signatures


def _join_overlapping(members: list[int], row_sets: list[np.ndarray], joined: _UnionFind,
                      threshold: float) -> None:
    """Join the bucket's groups whose calls overlap by a Jaccard index ≥ ``threshold``.

    Phrases said in most calls share their min-hashes and fall into one bucket, so a
    bucket can hold dozens of sets of hundreds of thousands of calls: pairs whose sizes
    alone rule the threshold out (J ≤ min/max) are skipped, and the others are counted
    against a mask of the first set's calls (set, used, then cleared)."""
    sizes = [len(rows) for rows in row_sets]
    mask = np.zeros(max((int(r.max()) + 1 for r in row_sets if len(r)), default=0), dtype=bool)
    for place, first in enumerate(members):
        rivals = [other for other in range(place + 1, len(members))
                  if min(sizes[place], sizes[other]) >= threshold * max(sizes[place],
                                                                        sizes[other])]
        if not sizes[place] or not rivals:
            continue
        mask[row_sets[place]] = True
        for other in rivals:
            second = members[other]
            if joined.find(first) == joined.find(second):
                continue
            shared = int(np.count_nonzero(mask[row_sets[other]]))
            if shared / (sizes[place] + sizes[other] - shared) >= threshold:
                joined.union(first, second)
        mask[row_sets[place]] = False


def _joined(groups: Sequence[PhraseGroup], members: list[int], places: list[float]
            ) -> PhraseGroup:
    ordered = [groups[i] for _, i in sorted(zip(places, members, strict=True))]
    wording = "，".join(g.representative for g in ordered)
    keys = np.unique(np.concatenate([g.keys for g in ordered]))
    variants = [wording] + [v for g in ordered for v in g.variants]
    return PhraseGroup(wording, keys, variants)
