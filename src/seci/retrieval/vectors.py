"""The neural ranker: sentence vectors of the live knowledge in one NumPy matrix.

An article contributes one row per text (title and similar questions); its score for a
query is the best cosine over its rows, so one customer phrasing close to the query is
enough. Vectors come from ``search_vectors`` when any process encoded the same text with
the same encoder before; only new texts are encoded, and stored for the others.

A query is one matrix-vector product and an ``argpartition``: about 10 ms of one core for
100 000 rows of 384 dimensions, plus encoding the query (~20 ms for MiniLM-L6 on one core).
Memory: rows × dimension × 4 bytes (100 000 × 512 → 200 MB).
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from seci.core.db import conflict_insert
from seci.retrieval.embeddings import EmbeddingError, Encoder, Vectors
from seci.retrieval.vector_models import SearchVector

logger = logging.getLogger("seci.retrieval")

MAX_TEXTS = 200  # per article: title and the first similar questions
MAX_CHARS = 500  # per text (similar questions are at most 500 characters)
RETRY_AFTER = 30.0  # seconds without encoding after a failure (endpoint down)
_CHUNK = 500  # ids per IN (…) list
_FLOAT = np.dtype("<f4")

VersionTexts = tuple[int, int, str | Sequence[str]]


def digest_of(text: str) -> str:
    return hashlib.sha1(text.encode(), usedforsecurity=False).hexdigest()


@dataclass(frozen=True)
class _Wanted:
    article_id: int
    version_id: int
    texts: tuple[str, ...]
    digests: tuple[str, ...]

    @property
    def signature(self) -> tuple[int, tuple[str, ...]]:
        return self.version_id, self.digests


class VectorRanker:
    """Thread-safe in-memory vectors of the live articles of one process.

    ``update`` (under the caller's transaction) loads cached vectors and encodes the rest;
    with ``encode=False`` it only loads and leaves new texts to ``encode_pending``, which a
    background thread calls, so that building a large index never blocks searching.
    """

    def __init__(self, encoder: Encoder, *, max_texts: int = MAX_TEXTS,
                 retry_after: float = RETRY_AFTER,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.encoder = encoder
        self._max_texts = max_texts
        self._retry_after = retry_after
        self._clock = clock
        self._lock = threading.RLock()
        self._dimension: int | None = None
        self._matrix: NDArray[np.float32] = np.zeros((0, 0), dtype=np.float32)
        self._owner: NDArray[np.int64] = np.zeros(0, dtype=np.int64)  # -1: dead row
        self._size = 0  # rows in use (live and dead)
        self._dead = 0
        self._rows: dict[int, tuple[int, int]] = {}  # article → [start, stop) of its rows
        self._held: dict[int, tuple[int, tuple[str, ...]]] = {}  # article → signature
        self._latest: dict[int, int] = {}  # article → newest version asked for
        self._pending: dict[int, _Wanted] = {}
        self._encode_blocked_until = 0.0
        self._query_blocked_until = 0.0
        self._warming = False

    # --- following the knowledge base -----------------------------------------------------

    def update(self, session: Session, versions: Sequence[VersionTexts], *,
               encode: bool = True) -> None:
        """Take in the live versions ``(article_id, version_id, texts)``; ``texts`` is one
        text or a sequence (one row each). An article's previous rows are replaced; an
        article without any text is removed. Vectors missing from the cache are encoded
        and stored unless ``encode`` is False or the encoder failed within the last
        ``retry_after`` seconds: those articles wait in ``pending`` (keeping their previous
        rows meanwhile)."""
        wanted: dict[int, _Wanted] = {}
        for article_id, version_id, texts in versions:
            cleaned = self._clean(texts)
            wanted[article_id] = _Wanted(article_id, version_id, cleaned,
                                         tuple(digest_of(t) for t in cleaned))
        with self._lock:
            for item in wanted.values():
                self._latest[item.article_id] = item.version_id
            empty = [aid for aid, item in wanted.items() if not item.texts]
            self._remove_locked(empty)
            todo = [item for item in wanted.values() if item.texts
                    and self._held.get(item.article_id) != item.signature]
            for item in todo:
                self._pending.pop(item.article_id, None)
        if todo:
            self._obtain(session, todo, encode=encode)

    def encode_pending(self, session: Session, *, limit: int = 256) -> int:
        """Encode (and store) vectors of up to about ``limit`` texts of articles waiting in
        ``pending``; returns the number of articles done. Call it outside the engine's
        lock, in a transaction of its own, until it returns 0."""
        if self._clock() < self._encode_blocked_until:
            return 0
        batch: list[_Wanted] = []
        with self._lock:
            texts = 0
            for item in self._pending.values():
                if batch and texts + len(item.texts) > limit:
                    break
                batch.append(item)
                texts += len(item.texts)
            for item in batch:
                del self._pending[item.article_id]
        if not batch:
            return 0
        return self._obtain(session, batch, encode=True)

    @property
    def pending(self) -> int:
        """Articles whose new vectors are not encoded yet."""
        return len(self._pending)

    def remove(self, article_ids: Iterable[int]) -> None:
        with self._lock:
            self._remove_locked(article_ids)

    def retain(self, article_ids: Iterable[int]) -> None:
        """Remove every article not in ``article_ids`` (after a full rebuild)."""
        keep = set(article_ids)
        with self._lock:
            known = set(self._rows) | set(self._pending) | set(self._latest)
            self._remove_locked(known - keep)

    def _remove_locked(self, article_ids: Iterable[int]) -> None:
        for article_id in article_ids:
            self._latest.pop(article_id, None)
            self._pending.pop(article_id, None)
            self._held.pop(article_id, None)
            self._drop_rows(article_id)
        self._maybe_compact()

    def warm_up(self) -> bool:
        """Load the model (or reach the endpoint) now, e.g. in a background thread at start:
        meanwhile ``top`` sits out instead of waiting. False when the encoder failed."""
        self._warming = True
        try:
            _ = self.encoder.dimension
        except EmbeddingError as exc:
            logger.warning("embedding encoder not ready: %s", exc)
            return False
        finally:
            self._warming = False
        return True

    # --- answering --------------------------------------------------------------------------

    def top(self, query: str, limit: int, allowed: Callable[[int], bool]
            ) -> list[tuple[int, float]]:
        """(article id, cosine) of the ``limit`` best allowed articles, best first.

        An article's score is its best row. When the encoder fails, the failure is logged
        and the neural ranking sits out (empty list) for ``retry_after`` seconds, so that
        search keeps working on its other rankers.
        """
        text = " ".join(query.split())[:MAX_CHARS]
        if limit <= 0 or not text or not self._rows:
            return []
        if self._warming or self._clock() < self._query_blocked_until:
            return []
        try:
            vector = self.encoder.encode([text])[0]
        except EmbeddingError as exc:
            self._query_blocked_until = self._clock() + self._retry_after
            logger.warning("neural ranking off for %.0f s: %s", self._retry_after, exc)
            return []
        with self._lock:
            size = self._size
            matrix = self._matrix  # rows below size never change (replacements append)
            owner = self._owner[:size].copy()
        if not size or vector.shape[0] != matrix.shape[1]:
            if size:
                logger.error("query vector has %d dimensions, the index %d: the model "
                             "changed under the same key %r", vector.shape[0],
                             matrix.shape[1], self.encoder.key)
            return []
        scores = matrix[:size] @ vector
        scores[owner < 0] = -np.inf
        return _best_articles(scores, owner, limit, allowed)

    def __len__(self) -> int:
        return len(self._rows)

    def __contains__(self, article_id: object) -> bool:
        return article_id in self._rows

    # --- vectors from the cache or the encoder ---------------------------------------------

    def _clean(self, texts: str | Sequence[str]) -> tuple[str, ...]:
        items = [texts] if isinstance(texts, str) else list(texts)
        cleaned = (" ".join(t.split())[:MAX_CHARS] for t in items)
        return tuple(dict.fromkeys(t for t in cleaned if t))[:self._max_texts]

    def _obtain(self, session: Session, items: Sequence[_Wanted], *, encode: bool) -> int:
        """Place the vectors of ``items``: cached rows of the version, the same text cached
        for another version, or freshly encoded. Returns the number of articles placed."""
        cached = self._cached_rows(session, [item.version_id for item in items])
        found: dict[str, NDArray[np.float32]] = {}
        stale: set[int] = set()  # versions whose stored rows disagree with their texts
        for digest, vector in cached.values():
            if digest:
                found.setdefault(digest, vector)
        for item in items:
            for position, digest in enumerate(item.digests):
                row = cached.get((item.version_id, position))
                if row is not None and row[0] != digest:
                    stale.add(item.version_id)
        missing = {d for item in items for d in item.digests if d not in found}
        if missing:
            found.update(self._cached_texts(session, missing))
        texts = {d: t for item in items for d, t in zip(item.digests, item.texts, strict=True)
                 if d not in found}
        failed = False
        if texts and (not encode or self._clock() < self._encode_blocked_until):
            failed = True
        elif texts:
            try:
                fresh = self.encoder.encode(list(texts.values()))
                if fresh.shape[0] != len(texts):
                    raise EmbeddingError(f"encoder {self.encoder.key} returned "
                                         f"{fresh.shape[0]} vectors for {len(texts)} texts")
            except EmbeddingError as exc:
                self._encode_blocked_until = self._clock() + self._retry_after
                logger.warning("encoding %d texts failed, retrying in %.0f s: %s",
                               len(texts), self._retry_after, exc)
                failed = True
            else:
                found.update(zip(texts, fresh, strict=True))
        ready = [item for item in items if all(d in found for d in item.digests)]
        done = {item.article_id for item in ready}
        waiting = [item for item in items if item.article_id not in done]
        if failed and waiting:
            with self._lock:
                for item in waiting:
                    if self._latest.get(item.article_id) == item.version_id:
                        self._pending[item.article_id] = item
        self._store(session, ready, found, cached, stale)
        return self._place(ready, found)

    def _cached_rows(self, session: Session, version_ids: Sequence[int]
                     ) -> dict[tuple[int, int], tuple[str, NDArray[np.float32]]]:
        rows: dict[tuple[int, int], tuple[str, NDArray[np.float32]]] = {}
        key = self.encoder.key
        for start in range(0, len(version_ids), _CHUNK):
            chunk = list(version_ids[start:start + _CHUNK])
            for version_id, position, digest, dimension, blob in session.execute(
                    select(SearchVector.version_id, SearchVector.position, SearchVector.digest,
                           SearchVector.dimension, SearchVector.vector)
                    .where(SearchVector.version_id.in_(chunk),
                           SearchVector.encoder_key == key)):
                vector = self._decode(dimension, blob)
                rows[(version_id, position)] = (digest, vector) if vector is not None else (
                    "", np.zeros(0, dtype=np.float32))
        return rows

    def _cached_texts(self, session: Session, digests: set[str]
                      ) -> dict[str, NDArray[np.float32]]:
        """Vectors of the same texts stored for other versions (an edit re-encodes only
        what changed)."""
        found: dict[str, NDArray[np.float32]] = {}
        ordered = sorted(digests)
        key = self.encoder.key
        for start in range(0, len(ordered), _CHUNK):
            for digest, dimension, blob in session.execute(
                    select(SearchVector.digest, SearchVector.dimension, SearchVector.vector)
                    .where(SearchVector.digest.in_(ordered[start:start + _CHUNK]),
                           SearchVector.encoder_key == key)):
                vector = self._decode(dimension, blob)
                if vector is not None:
                    found.setdefault(digest, vector)
        return found

    def _decode(self, dimension: int, blob: bytes) -> NDArray[np.float32] | None:
        if len(blob) != dimension * _FLOAT.itemsize or (
                self._dimension is not None and dimension != self._dimension):
            return None
        return np.frombuffer(blob, dtype=_FLOAT).astype(np.float32)

    def _store(self, session: Session, items: Sequence[_Wanted],
               vectors: dict[str, NDArray[np.float32]],
               cached: dict[tuple[int, int], tuple[str, NDArray[np.float32]]],
               stale: set[int]) -> None:
        key = self.encoder.key
        renewed = sorted({item.version_id for item in items} & stale)
        for start in range(0, len(renewed), _CHUNK):
            session.execute(delete(SearchVector).where(
                SearchVector.version_id.in_(renewed[start:start + _CHUNK]),
                SearchVector.encoder_key == key))
        rows = [
            {"version_id": item.version_id, "encoder_key": key, "position": position,
             "digest": digest, "dimension": int(vectors[digest].shape[0]),
             "vector": vectors[digest].astype(_FLOAT).tobytes()}
            for item in items
            for position, digest in enumerate(item.digests)
            if item.version_id in stale
            or cached.get((item.version_id, position), ("",))[0] != digest
        ]
        if not rows:
            return
        insert = conflict_insert(session)
        # Another process may have stored the same version meanwhile: keep either copy.
        for start in range(0, len(rows), _CHUNK):
            session.execute(insert(SearchVector).on_conflict_do_nothing(),
                            rows[start:start + _CHUNK])

    # --- the matrix -------------------------------------------------------------------------

    def _place(self, items: Sequence[_Wanted], vectors: dict[str, NDArray[np.float32]]
               ) -> int:
        placed = 0
        with self._lock:
            for item in items:
                if self._latest.get(item.article_id) != item.version_id:
                    continue  # removed, or a newer version arrived meanwhile
                rows = [vectors[d] for d in item.digests]
                dimensions = {row.shape[0] for row in rows}
                if self._dimension is None and len(dimensions) == 1:
                    self._dimension = dimensions.pop()
                    dimensions.add(self._dimension)
                if dimensions != {self._dimension}:
                    logger.error("vectors of article %d have %s dimensions, the index %s: "
                                 "the model changed under the same key %r", item.article_id,
                                 sorted(dimensions), self._dimension, self.encoder.key)
                    continue
                block = np.stack(rows)
                self._drop_rows(item.article_id)
                self._append(item.article_id, block)
                self._held[item.article_id] = item.signature
                placed += 1
            self._maybe_compact()
        return placed

    def _drop_rows(self, article_id: int) -> None:
        span = self._rows.pop(article_id, None)
        if span is not None:
            start, stop = span
            self._owner[start:stop] = -1
            self._dead += stop - start

    def _append(self, article_id: int, block: Vectors) -> None:
        count = block.shape[0]
        needed = self._size + count
        if needed > self._matrix.shape[0] or self._matrix.shape[1] != block.shape[1]:
            capacity = max(1024, needed, 2 * self._matrix.shape[0])
            self._reallocate(capacity, block.shape[1])
        # Fresh rows lie beyond every reader's snapshot (readers copy ``owner[:size]``).
        self._matrix[self._size:needed] = block
        self._owner[self._size:needed] = article_id
        self._rows[article_id] = (self._size, needed)
        self._size = needed

    def _reallocate(self, capacity: int, dimension: int) -> None:
        """New arrays holding the live rows only (readers keep the old ones)."""
        matrix = np.zeros((capacity, dimension), dtype=np.float32)
        owner = np.full(capacity, -1, dtype=np.int64)
        rows: dict[int, tuple[int, int]] = {}
        size = 0
        for article_id, (start, stop) in self._rows.items():
            count = stop - start
            matrix[size:size + count] = self._matrix[start:stop]
            owner[size:size + count] = article_id
            rows[article_id] = (size, size + count)
            size += count
        self._matrix, self._owner, self._rows = matrix, owner, rows
        self._size, self._dead = size, 0

    def _maybe_compact(self) -> None:
        if self._dead > 4096 and self._dead > self._size // 2:
            live = self._size - self._dead
            self._reallocate(max(1024, 2 * live), self._matrix.shape[1])


def _best_articles(scores: NDArray[np.float32], owner: NDArray[np.int64], limit: int,
                   allowed: Callable[[int], bool]) -> list[tuple[int, float]]:
    """Best allowed articles by their best row: rows in descending score, first sight of an
    article is its best. Looks at a few times ``limit`` rows and widens only while too many
    of them belong to articles already seen or not allowed."""
    total = scores.shape[0]
    window = min(total, max(4 * limit, 64))
    chosen: list[tuple[int, float]] = []
    seen: set[int] = set()
    while True:
        if window >= total:
            rows = np.argsort(-scores, kind="stable")
        else:
            part = np.argpartition(-scores, window - 1)[:window]
            rows = part[np.argsort(-scores[part], kind="stable")]
        for row in rows.tolist():
            score = float(scores[row])
            if score == -np.inf:
                return chosen
            article_id = int(owner[row])
            if article_id in seen:
                continue
            seen.add(article_id)
            if allowed(article_id):
                chosen.append((article_id, score))
                if len(chosen) == limit:
                    return chosen
        if window >= total:
            return chosen
        window = min(total, window * 4)
