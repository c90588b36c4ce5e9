"""The calls of a period with their features as arrays, which every finder reads.

A million calls become a handful of numpy arrays (codes of agent, topic, region, week,
queue; outcomes; durations), two compressed sparse rows of hashes (each call's agent
clauses and customer words) and two packed text columns (call ids, customers' first
questions): about 600 MB at a million calls, without a Python object per call. The rows
are read in chunks and each chunk is packed before the next is read, so loading never
holds a million rows of Python objects either (it did: 2.2 GB resident at a million calls,
most of it the allocator's arenas left behind by per-row objects).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, overload

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from seci.calls.kpis import Period, period_clauses
from seci.calls.models import CallRecord
from seci.core.memory import release_free_memory
from seci.mining.models import CallFeatures, MinedText

_FETCH = 20_000
SATISFIED = 4  # a score of 4 or 5 out of 5 (the satisfied share of the KPIs)
ROW = np.int32  # a call's row number (a period holds far fewer than 2³¹ calls)
_SLICE = 2_000_000  # values per slice when scanning a sparse column


@dataclass
class Sparse:
    """Rows of hashes: row i is ``values[offsets[i]:offsets[i + 1]]``."""

    offsets: np.ndarray  # int64, n + 1
    values: np.ndarray  # int64
    positions: np.ndarray | None = None  # uint8 per value, where known
    silences: np.ndarray | None = None  # uint16 seconds per value (agent clauses)

    def row_of_each_value(self) -> np.ndarray:
        """For each stored value, the row it belongs to (int32: half the memory of the
        values themselves)."""
        return np.repeat(np.arange(len(self.offsets) - 1, dtype=ROW), np.diff(self.offsets))

    def members(self, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Every stored value that is one of ``keys`` (sorted, unique): its row and the
        index of its key. In slices, so that the temporaries stay small (``np.isin`` over
        thirty million values sorts them all at once)."""
        rows, codes = [], []
        if len(keys):
            for start in range(0, len(self.values), _SLICE):
                piece = self.values[start:start + _SLICE]
                index = np.minimum(np.searchsorted(keys, piece), len(keys) - 1)
                hit = np.flatnonzero(keys[index] == piece)
                rows.append((np.searchsorted(self.offsets, hit + start, side="right") - 1)
                            .astype(ROW))
                codes.append(index[hit])
        if not rows:
            return np.zeros(0, dtype=ROW), np.zeros(0, dtype=np.int64)
        return np.concatenate(rows), np.concatenate(codes)

    def unique_counts(self) -> tuple[np.ndarray, np.ndarray]:
        """The distinct values and how many rows hold each (a row holds a value once)."""
        return np.unique(self.values, return_counts=True)


class TextColumn(Sequence[str]):
    """Strings packed as UTF-8 in one buffer with offsets: a million call ids or questions
    in tens of megabytes instead of a Python string object each."""

    def __init__(self, buffer: bytes, offsets: np.ndarray) -> None:
        self._buffer = buffer
        self._offsets = offsets  # int64, n + 1

    @classmethod
    def pack(cls, chunks: Iterable[tuple[bytes, np.ndarray]]) -> TextColumn:
        """From chunks of (joined UTF-8, lengths in bytes)."""
        buffers, lengths = [], []
        for joined, sizes in chunks:
            buffers.append(joined)
            lengths.append(sizes)
        offsets = np.zeros(sum(len(s) for s in lengths) + 1, dtype=np.int64)
        if lengths:
            np.cumsum(np.concatenate(lengths), out=offsets[1:])
        return cls(b"".join(buffers), offsets)

    @staticmethod
    def chunk(values: Iterable[object]) -> tuple[bytes, np.ndarray]:
        encoded = [str(v).encode() for v in values]
        return b"".join(encoded), np.fromiter(map(len, encoded), dtype=np.int64,
                                               count=len(encoded))

    def __len__(self) -> int:
        return len(self._offsets) - 1

    @overload
    def __getitem__(self, index: int) -> str: ...

    @overload
    def __getitem__(self, index: slice) -> list[str]: ...

    def __getitem__(self, index: int | slice) -> str | list[str]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        i = int(index)
        if i < 0:
            i += len(self)
        if not 0 <= i < len(self):
            raise IndexError(index)
        return self._buffer[self._offsets[i]:self._offsets[i + 1]].decode()

    def __iter__(self) -> Iterator[str]:
        return (self[i] for i in range(len(self)))


@dataclass
class Dataset:
    call_ids: Sequence[str]
    agents: list[str]  # code → agent id
    topics: list[str]  # code → product
    regions: list[str]
    weeks: list[date]
    queues: list[str]
    agent: np.ndarray  # int32 code per call
    topic: np.ndarray
    region: np.ndarray
    week: np.ndarray
    queue: np.ndarray  # int32 code per call (recommendations by queue)
    fcr: np.ndarray  # bool
    satisfied: np.ndarray  # int8: 1 scored 4–5, 0 scored 1–3, −1 not rated
    duration: np.ndarray  # int32 seconds
    flags: np.ndarray  # hedge / escalate / call-back bits
    questions: Sequence[str]
    clauses: Sparse  # agent clauses
    words: Sparse  # customer words
    spoken_chars: np.ndarray  # int32 characters spoken per call (both sides)
    cache: dict[str, Any] = field(default_factory=dict)  # indexes finders share

    @property
    def size(self) -> int:
        return len(self.call_ids)


class _Codes:
    """Codes for the values of one column, assigned as they are first seen; ``sorted``
    renumbers them in the values' order at the end (finders list names sorted)."""

    def __init__(self) -> None:
        self.code_of: dict[Any, int] = {}
        self.parts: list[np.ndarray] = []

    def add(self, values: Iterable[Any]) -> None:
        code_of = self.code_of
        self.parts.append(np.fromiter((code_of.setdefault(v, len(code_of)) for v in values),
                                      dtype=np.int32))

    def sorted(self) -> tuple[list[Any], np.ndarray]:
        names = sorted(self.code_of)
        renumber = np.zeros(len(names), dtype=np.int32)
        for new, name in enumerate(names):
            renumber[self.code_of[name]] = new
        codes = np.concatenate(self.parts) if self.parts else np.zeros(0, dtype=np.int32)
        return names, renumber[codes]


@dataclass
class _SparseParts:
    """One sparse column's chunks: each a joined buffer of little-endian values plus each
    row's value count."""

    itemsize: int
    values: list[bytes] = field(default_factory=list)
    lengths: list[np.ndarray] = field(default_factory=list)
    positions: list[bytes] = field(default_factory=list)
    silences: list[bytes] = field(default_factory=list)

    def add(self, blobs: Sequence[bytes | None]) -> np.ndarray:
        lengths = np.fromiter((len(b or b"") // self.itemsize for b in blobs), dtype=np.int64,
                              count=len(blobs))
        self.values.append(b"".join(b or b"" for b in blobs))
        self.lengths.append(lengths)
        return lengths

    def sparse(self, *, with_extras: bool = False) -> Sparse:
        lengths = (np.concatenate(self.lengths) if self.lengths
                   else np.zeros(0, dtype=np.int64))
        offsets = np.zeros(len(lengths) + 1, dtype=np.int64)
        np.cumsum(lengths, out=offsets[1:])
        values = _drain(self.values, np.dtype("<i8"), int(offsets[-1]))
        if not with_extras:
            return Sparse(offsets, values)
        return Sparse(offsets, values, _drain(self.positions, np.dtype(np.uint8), len(values)),
                      _drain(self.silences, np.dtype("<u2"), len(values)))


def _drain(blobs: list[bytes], dtype: np.dtype[Any], total: int) -> np.ndarray:
    """One array from the chunks' buffers, each buffer let go once copied (a joined copy
    of everything would double the peak)."""
    out = np.empty(total, dtype=dtype.newbyteorder("="))
    at = 0
    blobs.reverse()
    while blobs:
        piece = np.frombuffer(blobs.pop(), dtype=dtype)
        out[at:at + len(piece)] = piece
        at += len(piece)
    if at != total:
        raise ValueError(f"packed {at} values, expected {total}")
    return out


_COLUMNS = (CallRecord.call_id, CallRecord.agent_id, CallRecord.product, CallRecord.region,
            CallRecord.week, CallRecord.queue, CallRecord.fcr, CallRecord.duration_s,
            CallFeatures.flags, CallFeatures.question, CallRecord.satisfaction,
            CallFeatures.agent_clauses, CallFeatures.customer_words,
            CallFeatures.agent_positions, CallFeatures.spoken_chars,
            CallFeatures.agent_silences)


def load_dataset(session: Session, *, period: Period,
                 filters: Sequence[Any] = ()) -> Dataset:
    """Every call of the period that has features, ordered by id."""
    query = (select(*_COLUMNS)
             .join(CallFeatures, CallFeatures.call_id == CallRecord.call_id)
             .where(*period_clauses(period), *filters).order_by(CallRecord.id))
    loader = _Loader()
    result = session.execute(query.execution_options(yield_per=_FETCH))
    for chunk in result.partitions(_FETCH):
        loader.add(chunk)
    data = loader.dataset()
    release_free_memory()  # the chunks' rows, freed but left resident in the heap
    return data


class _Loader:
    """Packs each chunk of rows into arrays before the next is read."""

    def __init__(self) -> None:
        self.agent, self.topic, self.region = _Codes(), _Codes(), _Codes()
        self.week, self.queue = _Codes(), _Codes()
        self.call_ids: list[tuple[bytes, np.ndarray]] = []
        self.questions: list[tuple[bytes, np.ndarray]] = []
        self.numbers: dict[str, list[np.ndarray]] = {
            "fcr": [], "duration": [], "flags": [], "satisfied": [], "spoken": []}
        self.clauses = _SparseParts(itemsize=8)
        self.words = _SparseParts(itemsize=8)

    def add(self, rows: Sequence[Any]) -> None:
        columns = list(zip(*rows, strict=True))
        (call_ids, agents, products, regions, weeks, queues, fcr, durations, flags,
         questions, scores, clauses, words, positions, spoken, silences) = columns
        self.call_ids.append(TextColumn.chunk(call_ids))
        self.questions.append(TextColumn.chunk(questions))
        self.agent.add(agents)
        self.topic.add(products)
        self.region.add(regions)
        self.week.add(w if isinstance(w, date) else date.fromisoformat(str(w))
                      for w in weeks)
        self.queue.add(str(q) for q in queues)
        n = len(rows)
        self.numbers["fcr"].append(np.fromiter(map(bool, fcr), dtype=bool, count=n))
        self.numbers["duration"].append(np.fromiter(durations, dtype=np.int32, count=n))
        self.numbers["flags"].append(np.fromiter(flags, dtype=np.int16, count=n))
        self.numbers["satisfied"].append(np.fromiter(
            (-1 if v is None else int(v >= SATISFIED) for v in scores), dtype=np.int8,
            count=n))
        self.numbers["spoken"].append(np.fromiter((int(s or 0) for s in spoken),
                                                  dtype=np.int32, count=n))
        lengths = self.clauses.add(clauses)
        self.words.add(words)
        # Positions and silences go with the clauses one for one; a row whose lists do not
        # (features of an older version) gets neutral ones rather than misaligning the rest.
        self.clauses.positions.append(b"".join(
            p if p is not None and len(p) == k else bytes([128]) * k
            for p, k in zip(positions, lengths.tolist(), strict=True)))
        self.clauses.silences.append(b"".join(
            s if s is not None and len(s) == 2 * k else bytes(2 * k)
            for s, k in zip(silences, lengths.tolist(), strict=True)))

    def dataset(self) -> Dataset:
        def joined(name: str, dtype: Any) -> np.ndarray:
            parts = self.numbers[name]
            return np.concatenate(parts) if parts else np.zeros(0, dtype=dtype)

        agents, agent = self.agent.sorted()
        topics, topic = self.topic.sorted()
        regions, region = self.region.sorted()
        weeks, week = self.week.sorted()
        queues, queue = self.queue.sorted()
        return Dataset(
            call_ids=TextColumn.pack(self.call_ids), agents=agents, topics=topics,
            regions=regions, weeks=weeks, queues=queues, agent=agent, topic=topic,
            region=region, week=week, queue=queue, fcr=joined("fcr", bool),
            satisfied=joined("satisfied", np.int8), duration=joined("duration", np.int32),
            flags=joined("flags", np.int16), questions=TextColumn.pack(self.questions),
            spoken_chars=joined("spoken", np.int32),
            clauses=self.clauses.sparse(with_extras=True), words=self.words.sparse())


def texts_of(session: Session, hashes: Sequence[int]) -> dict[int, str]:
    """The stored texts of some hashes (in chunks: databases limit bound parameters)."""
    found: dict[int, str] = {}
    wanted = [int(h) for h in hashes]
    for start in range(0, len(wanted), 900):
        chunk = wanted[start:start + 900]
        rows = session.execute(select(MinedText.hash, MinedText.text)
                               .where(MinedText.hash.in_(chunk))).all()
        found.update((int(h), str(t)) for h, t in rows)
    return found
