"""The calls of a period with their features as arrays, which every finder reads.

A million calls become a handful of numpy arrays (codes of agent, topic, region, week;
outcomes; durations) and two compressed sparse rows of hashes (each call's agent clauses
and customer words): about 300 MB, loaded in seconds, without a Python object per call.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from seci.calls.kpis import Period, period_clauses
from seci.calls.models import CallRecord
from seci.mining.models import CallFeatures, MinedText

_FETCH = 20_000
SATISFIED = 4  # a score of 4 or 5 out of 5 (the satisfied share of the KPIs)


@dataclass
class Sparse:
    """Rows of hashes: row i is ``values[offsets[i]:offsets[i + 1]]``."""

    offsets: np.ndarray  # int64, n + 1
    values: np.ndarray  # int64
    positions: np.ndarray | None = None  # uint8 per value, where known
    silences: np.ndarray | None = None  # uint16 seconds per value (agent clauses)

    def row_of_each_value(self) -> np.ndarray:
        """For each stored value, the row it belongs to."""
        return np.repeat(np.arange(len(self.offsets) - 1), np.diff(self.offsets))

    def rows_containing(self, keys: np.ndarray) -> np.ndarray:
        """Rows that hold any of ``keys`` (sorted, unique)."""
        hit = np.isin(self.values, keys)
        return np.unique(self.row_of_each_value()[hit])


@dataclass
class Dataset:
    call_ids: list[str]
    agents: list[str]  # code → agent id
    topics: list[str]  # code → product
    regions: list[str]
    weeks: list[date]
    agent: np.ndarray  # int32 code per call
    topic: np.ndarray
    region: np.ndarray
    week: np.ndarray
    queue: list[str]  # per call (recommendations by queue)
    fcr: np.ndarray  # bool
    satisfied: np.ndarray  # int8: 1 scored 4–5, 0 scored 1–3, −1 not rated
    duration: np.ndarray  # int32 seconds
    flags: np.ndarray  # hedge / escalate / call-back bits
    questions: list[str]
    clauses: Sparse  # agent clauses
    words: Sparse  # customer words
    spoken_chars: np.ndarray  # int32 characters spoken per call (both sides)
    cache: dict[str, Any] = field(default_factory=dict)  # indexes finders share

    @property
    def size(self) -> int:
        return len(self.call_ids)


def _codes(values: Sequence[Any]) -> tuple[list[Any], np.ndarray]:
    names, inverse = np.unique(np.array(values, dtype=object), return_inverse=True)
    return list(names), inverse.astype(np.int32)


def load_dataset(session: Session, *, period: Period,
                 filters: Sequence[Any] = ()) -> Dataset:
    """Every call of the period that has features, ordered by id."""
    query = (select(CallRecord.call_id, CallRecord.agent_id, CallRecord.product,
                    CallRecord.region, CallRecord.week, CallRecord.queue, CallRecord.fcr,
                    CallRecord.duration_s, CallFeatures.flags, CallFeatures.question,
                    CallRecord.satisfaction,
                    CallFeatures.agent_clauses, CallFeatures.customer_words,
                    CallFeatures.agent_positions, CallFeatures.spoken_chars,
                    CallFeatures.agent_silences)
             .join(CallFeatures, CallFeatures.call_id == CallRecord.call_id)
             .where(*period_clauses(period), *filters).order_by(CallRecord.id))
    columns: list[list[Any]] = [[] for _ in range(11)]
    spoken: list[int] = []
    silence_parts: list[np.ndarray] = []
    clause_parts: list[np.ndarray] = []
    position_parts: list[np.ndarray] = []
    word_parts: list[np.ndarray] = []
    clause_lengths: list[int] = []
    word_lengths: list[int] = []
    for row in session.execute(query.execution_options(yield_per=_FETCH)):
        for index in range(11):
            columns[index].append(row[index])
        clauses = np.frombuffer(row[11], dtype="<i8")
        words = np.frombuffer(row[12], dtype="<i8")
        clause_parts.append(clauses)
        position_parts.append(np.frombuffer(row[13], dtype=np.uint8))
        spoken.append(int(row[14] or 0))
        silence = np.frombuffer(row[15], dtype="<u2") if row[15] else None
        silence_parts.append(silence if silence is not None and len(silence) == len(clauses)
                             else np.zeros(len(clauses), dtype="<u2"))
        word_parts.append(words)
        clause_lengths.append(len(clauses))
        word_lengths.append(len(words))
    (call_ids, agent_ids, products, regions, weeks, queues, fcr, durations, flags, qs,
     scores) = columns
    agents, agent = _codes(agent_ids)
    topics, topic = _codes(products)
    region_names, region = _codes(regions)
    week_values = [w if isinstance(w, date) else date.fromisoformat(str(w)) for w in weeks]
    week_names, week = _codes(week_values)
    return Dataset(
        call_ids=call_ids, agents=agents, topics=topics, regions=region_names,
        weeks=week_names, agent=agent, topic=topic, region=region, week=week,
        queue=[str(q) for q in queues], fcr=np.array(fcr, dtype=bool),
        satisfied=np.array([-1 if v is None else int(v >= SATISFIED) for v in scores],
                           dtype=np.int8),
        duration=np.array(durations, dtype=np.int32),
        flags=np.array(flags, dtype=np.int16), questions=[str(q) for q in qs],
        spoken_chars=np.array(spoken, dtype=np.int32),
        clauses=_sparse(clause_parts, clause_lengths, position_parts, silence_parts),
        words=_sparse(word_parts, word_lengths))


def _sparse(parts: list[np.ndarray], lengths: list[int],
            positions: list[np.ndarray] | None = None,
            silences: list[np.ndarray] | None = None) -> Sparse:
    offsets = np.zeros(len(lengths) + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    values = np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)

    def joined(pieces: list[np.ndarray] | None, dtype: str) -> np.ndarray | None:
        if pieces is None:
            return None
        return np.concatenate(pieces) if pieces else np.zeros(0, dtype=dtype)

    return Sparse(offsets, values.astype(np.int64, copy=False), joined(positions, "u1"),
                  joined(silences, "<u2"))


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
