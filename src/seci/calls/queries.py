"""Reading calls: the list behind any chart point (drill-down), one call, its transcript
(every view of a transcript is audited), and the complaint Pareto."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from seci.accounts.models import User
from seci.audit.service import record
from seci.calls.access import call_scope, scope_clause
from seci.calls.errors import CallNotFound
from seci.calls.kpis import (
    SLICE_COLUMNS,
    TIME_SLICES,
    Period,
    filter_clauses,
    period_clauses,
)
from seci.calls.models import CallRecord, CallTranscript, TopicThreshold
from seci.roster.models import RosterAgent
from seci.stats.pareto import ParetoRow, pareto

PAGE_SIZE = 50
MAX_PAGE_SIZE = 500
NO_CATEGORY = ""  # complaints filed without a category


@dataclass(frozen=True)
class CallFilter:
    """Which calls a drill-down lists: a period, slice values and outcome conditions."""

    period: Period = field(default_factory=Period)
    slices: dict[str, Any] = field(default_factory=dict)  # e.g. {"week": date, "team": "A组"}
    fcr: bool | None = None
    complaint: bool | None = None
    complaint_category: str | None = None
    repeat_7d: bool | None = None
    rated: bool | None = None
    satisfaction_max: int | None = None  # e.g. 2: the dissatisfied
    over_long: bool | None = None
    with_transcript: bool | None = None


def _outcome_clauses(f: CallFilter) -> list[ColumnElement[bool]]:
    clauses: list[ColumnElement[bool]] = []
    for column, wanted in ((CallRecord.fcr, f.fcr), (CallRecord.complaint, f.complaint),
                           (CallRecord.repeat_7d, f.repeat_7d)):
        if wanted is not None:
            clauses.append(column.is_(wanted))
    if f.complaint_category is not None:
        clauses.append(CallRecord.complaint.is_(True))
        clauses.append(CallRecord.complaint_category.is_(None) if f.complaint_category ==
                       NO_CATEGORY else CallRecord.complaint_category == f.complaint_category)
    if f.rated is not None:
        clauses.append(CallRecord.satisfaction.is_not(None) if f.rated
                       else CallRecord.satisfaction.is_(None))
    if f.satisfaction_max is not None:
        clauses.append(CallRecord.satisfaction <= f.satisfaction_max)
    if f.with_transcript is not None:
        clauses.append(CallRecord.turn_count > 0 if f.with_transcript
                       else CallRecord.turn_count == 0)
    return clauses


def _slice_clauses(slices: dict[str, Any]) -> list[ColumnElement[bool]]:
    time = {k: v for k, v in slices.items() if k in TIME_SLICES}
    other = {k: str(v) for k, v in slices.items() if k not in TIME_SLICES}
    clauses = [SLICE_COLUMNS[k] == (v if isinstance(v, date) else date.fromisoformat(str(v)))
               for k, v in time.items()]
    return clauses + filter_clauses(other)


def _base_query(session: Session, actor: User, f: CallFilter) -> Any:
    threshold = func.coalesce(TopicThreshold.manual_s, TopicThreshold.p95_s)
    query = (select(CallRecord).outerjoin(TopicThreshold,
                                          TopicThreshold.product == CallRecord.product)
             .where(scope_clause(call_scope(session, actor)), *period_clauses(f.period),
                    *_slice_clauses(f.slices), *_outcome_clauses(f)))
    if "stage" in f.slices:
        query = query.outerjoin(RosterAgent, RosterAgent.agent_id == CallRecord.agent_id)
    if f.over_long is not None:
        query = query.where(CallRecord.duration_s > threshold if f.over_long
                            else CallRecord.duration_s <= threshold)
    return query


def list_calls(session: Session, *, actor: User, call_filter: CallFilter, page: int = 1,
               page_size: int = PAGE_SIZE) -> tuple[Sequence[CallRecord], int]:
    """The calls behind a figure, newest first, with their total count for paging."""
    page_size = max(1, min(page_size, MAX_PAGE_SIZE))
    query = _base_query(session, actor, call_filter)
    total = int(session.scalar(select(func.count()).select_from(query.subquery())) or 0)
    rows = session.scalars(query.order_by(CallRecord.started_at.desc(), CallRecord.id.desc())
                           .limit(page_size).offset((max(page, 1) - 1) * page_size)).all()
    return rows, total


def get_call(session: Session, *, actor: User, call_id: str) -> CallRecord:
    call = session.scalar(select(CallRecord).where(CallRecord.call_id == call_id))
    if call is None or not call_scope(session, actor).allows(call):
        raise CallNotFound()
    return call


@dataclass(frozen=True)
class Turn:
    speaker: str  # "customer" or "agent"
    text: str
    start_ms: int | None


def read_transcript(session: Session, *, actor: User, call_id: str, ip: str | None = None
                    ) -> list[Turn]:
    """A call's turns (numbers masked since import); the reading is audited."""
    call = get_call(session, actor=actor, call_id=call_id)
    stored = session.get(CallTranscript, call.call_id)
    record(session, actor=actor, action="calls.transcript_view", entity_type="call",
           entity_id=call.call_id, ip=ip)
    if stored is None:
        return []
    return [Turn("customer" if speaker == "c" else "agent", text, start)
            for speaker, text, start in json.loads(stored.turns)]


def complaint_counts(session: Session, *, actor: User, period: Period = Period(),
                     filters: dict[str, str] | None = None) -> dict[str, int]:
    """Complaints per category (NO_CATEGORY for those filed without one)."""
    category = func.coalesce(CallRecord.complaint_category, NO_CATEGORY)
    query = (select(category, func.count()).where(
        CallRecord.complaint.is_(True), scope_clause(call_scope(session, actor)),
        *period_clauses(period), *filter_clauses(filters or {})).group_by(category))
    if "stage" in (filters or {}):
        query = query.outerjoin(RosterAgent, RosterAgent.agent_id == CallRecord.agent_id)
    return {str(name): int(count) for name, count in session.execute(query)}


def complaint_pareto(session: Session, *, actor: User, period: Period = Period(),
                     filters: dict[str, str] | None = None) -> list[ParetoRow]:
    """投诉帕累托: categories largest first with share and cumulative share (80/20)."""
    return pareto(complaint_counts(session, actor=actor, period=period, filters=filters))


def transcript_json_turns(turns: list[Turn]) -> list[dict[str, Any]]:
    return [{"speaker": t.speaker, "text": t.text, "start_ms": t.start_ms} for t in turns]



def slice_values(session: Session, *, actor: User, name: str, limit: int = 500) -> list[str]:
    """The values a slice takes among the calls the actor may see (filter choices)."""
    column = SLICE_COLUMNS[name]
    query = select(column).distinct().where(scope_clause(call_scope(session, actor)),
                                            column.is_not(None))
    if name == "stage":
        query = query.select_from(CallRecord).join(
            RosterAgent, RosterAgent.agent_id == CallRecord.agent_id)
    return sorted(str(v) for v in session.scalars(query.limit(limit)))


def agent_names(session: Session, agent_ids: Sequence[str]) -> dict[str, str]:
    """Roster names for agent ids ("A1001" → "张敏 A1001" is what people recognise)."""
    if not agent_ids:
        return {}
    rows = session.execute(select(RosterAgent.agent_id, RosterAgent.name)
                           .where(RosterAgent.agent_id.in_(list(agent_ids))))
    return {agent_id: f"{name} {agent_id}" for agent_id, name in rows}
