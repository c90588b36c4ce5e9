"""Extracting each call's features once: the agent's clauses, the customer's words and the
hedge flags, stored by hash (``models.CallFeatures``). A run reads only calls without
current features, so mining is incremental as new calls arrive; several workers may
extract disjoint ranges of calls at the same time."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np
import orjson
from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from seci.calls.models import CallRecord, CallTranscript
from seci.core.db import conflict_insert
from seci.mining.models import FEATURES_VERSION, CallFeatures, MinedText
from seci.mining.text import read_call, stable_hash

BATCH = 2000


@dataclass(frozen=True)
class Extracted:
    call_id: str
    agent: np.ndarray  # sorted unique int64 hashes
    positions: np.ndarray  # uint8: where each agent clause was first said (0–255)
    silences: np.ndarray  # uint16: the longest silence after it, in seconds
    customer: np.ndarray
    flags: int
    question: str
    spoken_chars: int = 0
    # The call's import time when read: stored as ``extracted_at``, so a later import of the
    # call (its transcript may have changed) makes it pending again.
    call_updated_at: datetime | None = None


def _pending(id_range: tuple[int, int] | None, after_id: int) -> Select[int, str, str, datetime]:
    query = (select(CallRecord.id, CallRecord.call_id, CallTranscript.turns,
                    CallRecord.updated_at)
             .join(CallTranscript, CallTranscript.call_id == CallRecord.call_id)
             .outerjoin(CallFeatures, CallFeatures.call_id == CallRecord.call_id)
             .where(CallRecord.id > after_id, CallRecord.turn_count > 0,
                    or_(CallFeatures.call_id.is_(None), CallFeatures.version < FEATURES_VERSION,
                        CallFeatures.extracted_at.is_(None),
                        CallFeatures.extracted_at < CallRecord.updated_at)))
    if id_range is not None:
        query = query.where(CallRecord.id >= id_range[0], CallRecord.id < id_range[1])
    return query.order_by(CallRecord.id)


def count_pending(session: Session, *, id_range: tuple[int, int] | None = None) -> int:
    return int(session.scalar(select(func.count()).select_from(
        _pending(id_range, 0).subquery())) or 0)


Pending = tuple[str, str | bytes, datetime | None]  # call_id, turns (JSON), updated_at


def pending_rows(session: Session, *, id_range: tuple[int, int] | None, after_id: int,
                 batch: int = BATCH) -> tuple[list[Pending], int]:
    """The next calls without current features, as read (the parse is separate so that
    other processes can do it), and the last call id read (0 when none was left)."""
    rows = session.execute(_pending(id_range, after_id).limit(batch)).all()
    return ([(call_id, turns, updated_at) for _id, call_id, turns, updated_at in rows],
            int(rows[-1][0]) if rows else 0)


def parse_rows(rows: Sequence[Pending]) -> tuple[list[Extracted], dict[int, tuple[str, str]]]:
    """Each call's features and the texts of their hashes (a pure function of the rows:
    it runs in a pool of processes for large runs)."""
    extracted: list[Extracted] = []
    texts: dict[int, tuple[str, str]] = {}
    for call_id, turns, updated_at in rows:
        text = read_call(orjson.loads(turns))
        agent, positions, silences = _clause_hashes(text.agent_clauses, text.positions,
                                                    text.silences, texts)
        customer = _hashes(text.customer_words, "c", texts)
        extracted.append(Extracted(call_id, agent, positions, silences, customer, text.flags,
                                   text.question, text.spoken_chars, updated_at))
    return extracted, texts


def read_batch(session: Session, *, id_range: tuple[int, int] | None, after_id: int,
               batch: int = BATCH) -> tuple[list[Extracted], dict[int, tuple[str, str]], int]:
    """The next calls without current features: their features, the texts of their
    hashes, and the last call id read (0 when none was left)."""
    rows, last = pending_rows(session, id_range=id_range, after_id=after_id, batch=batch)
    extracted, texts = parse_rows(rows)
    return extracted, texts, last


def _hashes(values: Sequence[str], kind: str, texts: dict[int, tuple[str, str]]
            ) -> np.ndarray:
    found = set()
    for value in values:
        key = stable_hash(value)
        found.add(key)
        texts.setdefault(key, (kind, value[:80]))
    return np.array(sorted(found), dtype="<i8")


def _clause_hashes(clauses: Sequence[str], positions: Sequence[float],
                   silences: Sequence[int], texts: dict[int, tuple[str, str]]
                   ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each clause's hash with where it was first said and the longest silence after it."""
    first: dict[int, float] = {}
    longest: dict[int, int] = {}
    for clause, position, silence in zip(clauses, positions, silences, strict=True):
        key = stable_hash(clause)
        first.setdefault(key, position)
        longest[key] = max(longest.get(key, 0), silence)
        texts.setdefault(key, ("a", clause[:80]))
    keys = sorted(first)
    return (np.array(keys, dtype="<i8"),
            np.array([round(first[k] * 255) for k in keys], dtype=np.uint8),
            np.array([longest[k] for k in keys], dtype="<u2"))


def write_batch(session: Session, extracted: Sequence[Extracted],
                texts: dict[int, tuple[str, str]]) -> None:
    """Store the features (replacing older ones) and the texts not stored yet."""
    if not extracted:
        return
    insert = conflict_insert(session)
    rows = [{"call_id": e.call_id, "version": FEATURES_VERSION,
             "agent_clauses": e.agent.tobytes(), "agent_positions": e.positions.tobytes(),
             "agent_silences": e.silences.tobytes(),
             "customer_words": e.customer.tobytes(),
             "flags": e.flags, "question": e.question[:200],
             "spoken_chars": e.spoken_chars, "extracted_at": e.call_updated_at}
            for e in extracted]
    statement = insert(CallFeatures)
    session.execute(statement.on_conflict_do_update(
        index_elements=["call_id"],
        set_={c: getattr(statement.excluded, c) for c in (
            "version", "agent_clauses", "agent_positions", "agent_silences",
            "customer_words", "flags", "question", "spoken_chars", "extracted_at")}), rows)
    if texts:
        session.execute(insert(MinedText).on_conflict_do_nothing(index_elements=["hash"]),
                        [{"hash": h, "kind": k, "text": t} for h, (k, t) in texts.items()])


def id_ranges(session: Session, *, shards: int) -> list[tuple[int, int]]:
    """Split the calls into ``shards`` ranges of ids of about equal size."""
    low, high = session.execute(select(func.min(CallRecord.id), func.max(CallRecord.id))).one()
    if low is None:
        return []
    step = max(1, (high - low + shards) // shards)
    return [(start, min(start + step, high + 1)) for start in range(low, high + 1, step)]
