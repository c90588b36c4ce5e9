"""Reproducible stratified samples of calls for inspection (抽样质检).

Source 002 asks for call recordings "sampled by time, call length, region and product".
An inspector chooses a period, optional filters and the strata dimensions; the sample is
drawn in three steps:

1. **Count** the population per stratum in SQL (one GROUP BY over CASE expressions for
   the hour and duration bands), so that a million calls never enter Python as objects.
2. **Allocate** the sample size to the strata in proportion to their sizes by the
   largest-remainder method, with at least one call from every non-empty stratum when the
   size allows (`allocate`). When there are more strata than calls to draw, one call each
   is taken from the largest strata and the smallest strata get none.
3. **Select** within each stratum the calls with the smallest keyed hash
   ``blake2b(f"{seed}:{call_id}")`` (128-bit digest), streaming the population (call id
   and stratum only) through a bounded heap per stratum. The choice depends on the seed
   and the call ids only: the same seed and parameters give the same calls whatever
   order the database returns them in, and a call that arrives later does not reshuffle
   the others (it is taken only if its own hash is small enough).

The seed is chosen at random unless given, and stored with the sample and shown, so a
sample can be drawn again and checked.
"""

from __future__ import annotations

import hashlib
import heapq
import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, TypeVar

from sqlalchemy import case, func, literal, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from seci.accounts.models import User
from seci.audit.service import record
from seci.calls.access import call_scope, scope_clause
from seci.calls.kpis import Period, period_clauses
from seci.calls.models import CallRecord
from seci.core.errors import FieldErrors
from seci.quality.access import require_inspect
from seci.quality.errors import EmptyPopulation, SampleNotFound
from seci.quality.models import QaSample, QaSampleCall, Scorecard

# Hour bands of the local start time: [from, to) hours.
TIME_BANDS: tuple[tuple[str, int, int], ...] = (
    ("night", 0, 8),  # 00–08 夜间
    ("morning", 8, 12),  # 08–12 上午
    ("afternoon", 12, 18),  # 12–18 下午
    ("evening", 18, 24),  # 18–24 晚间
)
# Duration bands: [from, to) seconds, the last one open.
DURATION_BANDS: tuple[tuple[str, int, int | None], ...] = (
    ("lt2m", 0, 120),  # under 2 minutes
    ("2to5m", 120, 300),
    ("5to10m", 300, 600),
    ("ge10m", 600, None),  # 10 minutes or more
)
# Strata dimensions, in the order a stratum's label lists them.
DIMENSIONS: tuple[str, ...] = ("time", "duration", "region", "product")
# Filters that narrow the population: name → column.
FILTER_COLUMNS: dict[str, Any] = {
    "team": CallRecord.team,
    "queue": CallRecord.queue,
    "product": CallRecord.product,
    "region": CallRecord.region,
    "agent_id": CallRecord.agent_id,
}
ALL_CALLS = "all"  # the one stratum when no dimension is chosen
LABEL_SEPARATOR = " | "
MAX_SAMPLE_SIZE = 2000
MAX_SEED = 2**31 - 1  # stored in a 32-bit integer column
MAX_NAME = 120
MAX_FILTER_VALUE = 80
STREAM_BATCH = 5000

StratumKey = tuple[str, ...]
K = TypeVar("K", bound=tuple[str, ...])


def time_band(hour: int) -> str:
    """The hour band of a local hour 0–23 (as the SQL below computes it)."""
    return next(code for code, low, high in TIME_BANDS if low <= hour < high)


def duration_band(seconds: int) -> str:
    """The duration band of a call length in seconds (as the SQL below computes it)."""
    return next(code for code, low, high in DURATION_BANDS
                if seconds >= low and (high is None or seconds < high))


def _time_band_sql() -> ColumnElement[str]:
    return case(*[(CallRecord.hour < high, literal(code)) for code, _low, high in TIME_BANDS[:-1]],
                else_=literal(TIME_BANDS[-1][0]))


def _duration_band_sql() -> ColumnElement[str]:
    bands = [(CallRecord.duration_s < high, literal(code))
             for code, _low, high in DURATION_BANDS if high is not None]
    return case(*bands, else_=literal(DURATION_BANDS[-1][0]))


def _dimension_sql(dimension: str) -> Any:
    if dimension == "time":
        return _time_band_sql()
    if dimension == "duration":
        return _duration_band_sql()
    return CallRecord.region if dimension == "region" else CallRecord.product


def sample_key(seed: int, call_id: str) -> int:
    """The call's place in the draw: blake2b(f"{seed}:{call_id}") as a 128-bit number;
    the smallest are taken."""
    digest = hashlib.blake2b(f"{seed}:{call_id}".encode(), digest_size=16).digest()
    return int.from_bytes(digest, "big")


def stratum_label(key: StratumKey) -> str:
    return LABEL_SEPARATOR.join(key) if key else ALL_CALLS


# --- allocation --------------------------------------------------------------------------


def _by_size(populations: Mapping[K, int]) -> list[K]:
    """Largest stratum first; equal sizes in the order of their keys."""
    return sorted(populations, key=lambda k: (-populations[k], k))


def allocate(populations: Mapping[K, int], size: int) -> dict[K, int]:
    """How many calls each stratum gives to a sample of ``size`` (at most the population).

    With N = Σ N_h calls in H non-empty strata and n = min(size, N):

    - n < H: the n largest strata give one call each, the others none.
    - otherwise, proportional allocation by the largest-remainder (Hamilton) method: the
      quota q_h = n·N_h/N; each stratum gets ⌊q_h⌋ and the n − Σ⌊q_h⌋ calls left go to
      the largest remainders q_h − ⌊q_h⌋ (equal remainders: larger stratum first). Then
      every stratum left with 0 gets 1, taken from the stratum with the largest surplus
      a_h − q_h among those holding more than one.

    Example: strata of 50/30/15/5 calls, n = 10: quotas 5, 3, 1.5, 0.5 → floors 5/3/1/0
    (9); the last call goes to the larger of the two remainders 0.5 → 5/3/2/0; the
    5-call stratum has none, so it takes one from the 15-call stratum (surplus 0.5) →
    5/3/1/1. Every a_h ≤ N_h.
    """
    strata = [k for k in _by_size(populations) if populations[k] > 0]
    total = sum(populations[k] for k in strata)
    n = max(0, min(size, total))
    allocation = {k: 0 for k in populations}
    if n == 0:
        return allocation
    if n < len(strata):
        for key in strata[:n]:
            allocation[key] = 1
        return allocation
    # Exact integer arithmetic: q_h = n·N_h / N.
    numerators = {k: n * populations[k] for k in strata}
    for key in strata:
        allocation[key] = numerators[key] // total
    left = n - sum(allocation.values())
    by_remainder = sorted(strata, key=lambda k: (-(numerators[k] % total),
                                                 -populations[k], k))
    for key in by_remainder[:left]:
        allocation[key] += 1
    for key in [k for k in strata if allocation[k] == 0]:
        # surplus a_h − q_h, times N to stay in integers
        donor = max((k for k in strata if allocation[k] > 1),
                    key=lambda k: (allocation[k] * total - numerators[k], populations[k]))
        allocation[donor] -= 1
        allocation[key] = 1
    return allocation


def select_within_strata(rows: Iterable[tuple[str, StratumKey]],
                         allocation: Mapping[StratumKey, int], seed: int
                         ) -> dict[StratumKey, list[tuple[int, str]]]:
    """For each stratum, the allocated number of calls with the smallest `sample_key`,
    from a stream of (call id, stratum) that is read once; memory holds the chosen only.
    Returns (key, call id) pairs per stratum, smallest key first."""
    heaps: dict[StratumKey, list[tuple[int, str]]] = {}
    for call_id, stratum in rows:
        wanted = allocation.get(stratum, 0)
        if wanted == 0:
            continue  # a stratum that gives nothing, or one that appeared after counting
        key = sample_key(seed, call_id)
        heap = heaps.setdefault(stratum, [])
        # A max-heap of the kept keys (negated): the root is the largest kept.
        if len(heap) < wanted:
            heapq.heappush(heap, (-key, call_id))
        elif key < -heap[0][0]:
            heapq.heapreplace(heap, (-key, call_id))
    return {stratum: sorted((-negative, call_id) for negative, call_id in heap)
            for stratum, heap in heaps.items()}


# --- drawing -----------------------------------------------------------------------------


@dataclass(frozen=True)
class SampleRequest:
    """What an inspector asks for: the period (local days, inclusive), filters, strata
    dimensions, size and seed (None: a random one)."""

    start: date | None
    end: date | None
    size: int
    scorecard_id: int
    dimensions: Sequence[str] = ()
    filters: Mapping[str, str] = field(default_factory=dict)
    with_transcripts: bool = True
    seed: int | None = None
    name: str = ""


@dataclass(frozen=True)
class StratumRow:
    """One stratum of a drawn sample, as stored with it."""

    label: str
    values: dict[str, str]
    population: int
    allocated: int


def _request_problems(session: Session, request: SampleRequest) -> list[dict[str, Any]]:
    problems: list[dict[str, Any]] = []
    for name in ("start", "end"):
        if getattr(request, name) is None:
            problems.append({"field": name, "code": "required", "value": ""})
    if request.start and request.end and request.end < request.start:
        problems.append({"field": "end", "code": "period_order",
                         "value": request.end.isoformat()})
    if not 1 <= request.size <= MAX_SAMPLE_SIZE:
        problems.append({"field": "size", "code": "out_of_range", "value": request.size,
                         "min": 1, "max": MAX_SAMPLE_SIZE})
    for dimension in request.dimensions:
        if dimension not in DIMENSIONS:
            problems.append({"field": "dimensions", "code": "invalid_choice",
                             "value": dimension})
    for name, value in request.filters.items():
        if name not in FILTER_COLUMNS:
            problems.append({"field": "filters", "code": "invalid_choice", "value": name})
        elif len(value) > MAX_FILTER_VALUE:
            problems.append({"field": name, "code": "too_long", "value": "",
                             "max": MAX_FILTER_VALUE})
    if request.seed is not None and not 0 <= request.seed <= MAX_SEED:
        problems.append({"field": "seed", "code": "out_of_range", "value": request.seed,
                         "min": 0, "max": MAX_SEED})
    if len(request.name) > MAX_NAME:
        problems.append({"field": "name", "code": "too_long", "value": "", "max": MAX_NAME})
    card = session.get(Scorecard, request.scorecard_id)
    if card is None or not card.active:
        problems.append({"field": "scorecard_id", "code": "invalid_choice",
                         "value": request.scorecard_id})
    return problems


def _population_clauses(session: Session, actor: User, request: SampleRequest,
                        filters: Mapping[str, str]) -> list[ColumnElement[bool]]:
    clauses = [scope_clause(call_scope(session, actor)),
               *period_clauses(Period(request.start, request.end))]
    clauses += [FILTER_COLUMNS[name] == value for name, value in filters.items()]
    if request.with_transcripts:
        clauses.append(CallRecord.turn_count > 0)
    return clauses


def draw_sample(session: Session, *, actor: User, request: SampleRequest) -> QaSample:
    """Draw and store a stratified sample (inspectors): the calls, their strata, and per
    stratum the population and the allocation. Raises `EmptyPopulation` when no call
    matches."""
    require_inspect(actor)
    if problems := _request_problems(session, request):
        raise FieldErrors(problems)
    seed = request.seed if request.seed is not None else secrets.randbelow(MAX_SEED + 1)
    dimensions = [d for d in DIMENSIONS if d in set(request.dimensions)]
    filters = {k: v.strip() for k, v in sorted(request.filters.items()) if v.strip()}
    population = (select(CallRecord.call_id.label("call_id"),
                         *[_dimension_sql(d).label(d) for d in dimensions])
                  .where(*_population_clauses(session, actor, request, filters)).subquery())
    strata_columns = [population.c[d] for d in dimensions]

    # 1. count per stratum in the database
    counts: dict[StratumKey, int] = {}
    count_query = select(*strata_columns, func.count()).select_from(population)
    if strata_columns:
        count_query = count_query.group_by(*strata_columns)
    for row in session.execute(count_query):
        counts[tuple(str(v) for v in row[:-1])] = int(row[-1])
    counts = {k: v for k, v in counts.items() if v > 0}
    total = sum(counts.values())
    if total == 0:
        raise EmptyPopulation()

    # 2. allocate, 3. stream and keep the smallest keys per stratum
    allocation = allocate(counts, request.size)
    stream = session.execute(select(population.c.call_id, *strata_columns)
                             .execution_options(yield_per=STREAM_BATCH))
    chosen = select_within_strata(
        ((str(row[0]), tuple(str(v) for v in row[1:])) for row in stream), allocation, seed)

    strata = [StratumRow(label=stratum_label(k), values=dict(zip(dimensions, k, strict=True)),
                         population=counts[k], allocated=len(chosen.get(k, [])))
              for k in _by_size(counts)]
    params = {
        "start": request.start.isoformat() if request.start else None,
        "end": request.end.isoformat() if request.end else None,
        "filters": filters, "dimensions": dimensions, "size": request.size,
        "with_transcripts": request.with_transcripts,
        "drawn": sum(s.allocated for s in strata),
        "one_per_largest": min(request.size, total) < len(counts),
        "strata": [{"label": s.label, "values": s.values, "population": s.population,
                    "allocated": s.allocated} for s in strata],
    }
    sample = QaSample(name=" ".join(request.name.split()) or _default_name(request),
                      seed=seed, params=params, population=total,
                      scorecard_id=request.scorecard_id, created_by_id=actor.id)
    session.add(sample)
    session.flush()
    # Worked through in a random but reproducible order (the keys), so that a sample
    # half done still covers the strata in proportion.
    ordered = sorted((key, call_id, stratum_label(stratum))
                     for stratum, picks in chosen.items() for key, call_id in picks)
    session.add_all([QaSampleCall(sample_id=sample.id, call_id=call_id, stratum=label,
                                  position=position)
                     for position, (_key, call_id, label) in enumerate(ordered, start=1)])
    session.flush()
    record(session, actor=actor, action="qa.sample_draw", entity_type="qa_sample",
           entity_id=sample.id, summary=sample.name,
           after={"seed": seed, "population": total, "drawn": params["drawn"],
                  "dimensions": dimensions, "filters": filters,
                  "start": params["start"], "end": params["end"]})
    return sample


def _default_name(request: SampleRequest) -> str:
    start = request.start.isoformat() if request.start else ""
    end = request.end.isoformat() if request.end else ""
    return f"{start} – {end}" if start != end else start


# --- reading -----------------------------------------------------------------------------


def get_sample(session: Session, *, actor: User, sample_id: int) -> QaSample:
    """A sample, for inspectors and QA managers."""
    require_inspect(actor)
    sample = session.get(QaSample, sample_id)
    if sample is None:
        raise SampleNotFound(sample=sample_id)
    return sample


def list_samples(session: Session, *, actor: User, limit: int = 100) -> list[QaSample]:
    """Newest first."""
    require_inspect(actor)
    return list(session.scalars(select(QaSample).order_by(QaSample.id.desc()).limit(limit)))


def sample_strata(sample: QaSample) -> list[StratumRow]:
    """The strata as stored when the sample was drawn, largest first."""
    return [StratumRow(label=str(s["label"]), values=dict(s.get("values") or {}),
                       population=int(s["population"]), allocated=int(s["allocated"]))
            for s in sample.params.get("strata", [])]


def sample_call_ids(session: Session, *, sample_id: int) -> list[str]:
    """The sample's calls in working order."""
    return list(session.scalars(select(QaSampleCall.call_id)
                                .where(QaSampleCall.sample_id == sample_id)
                                .order_by(QaSampleCall.position)))


def filter_choices(session: Session, *, actor: User, limit: int = 300) -> dict[str, list[str]]:
    """The values each filter takes among the calls the actor may see (form suggestions)."""
    require_inspect(actor)
    scope = scope_clause(call_scope(session, actor))
    return {name: sorted(str(v) for v in session.scalars(
                select(column).distinct().where(scope).limit(limit)))
            for name, column in FILTER_COLUMNS.items()}
