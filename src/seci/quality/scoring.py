"""Scoring a call against a scorecard, and the figures made of scores.

An inspector gives each item 0..max points and marks critical items (致命项) failed or
passed; the call's total is a share of the scorecard's points (`qa_total`). One score per
call and scorecard: the inspector who gave it may correct it until the agent appeals;
anyone else gets 409.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from seci.accounts.models import User
from seci.audit.service import record
from seci.calls.access import own_agent_ids
from seci.calls.kpis import Figure
from seci.calls.models import CallRecord
from seci.calls.queries import get_call
from seci.core.clock import utcnow
from seci.core.errors import FieldErrors
from seci.quality.access import check_may_score, require_inspect
from seci.quality.errors import AlreadyScored, CallNotInSample, ScorecardRetired
from seci.quality.models import (
    QaAppeal,
    QaSample,
    QaSampleCall,
    QaScore,
    Scorecard,
    ScorecardItem,
    ScoreStatus,
)
from seci.quality.sampling import get_sample
from seci.quality.scorecards import get_scorecard

MAX_COMMENT = 4000


# --- the formulas ------------------------------------------------------------------------


@dataclass(frozen=True)
class ScoreResult:
    total: float  # % of the points, 0 when a critical item failed
    critical_failed: bool
    passed: bool


def qa_total(points: Sequence[int], max_points: Sequence[int], critical_failed: bool
             ) -> float:
    """质检得分: total = 100 · Σ points ÷ Σ max points, and 0 when a critical item
    (致命项) failed."""
    possible = sum(max_points)
    if critical_failed or possible == 0:
        return 0.0
    return 100.0 * sum(points) / possible


def qa_passed(total: float, pass_mark: float, critical_failed: bool) -> bool:
    """合格: total ≥ pass mark and no critical item failed."""
    return not critical_failed and total >= pass_mark


def qa_score_mean(n: int, total: float, total_of_squares: float) -> Figure:
    """平均质检得分: x̄ = Σ totals ÷ n with the 95 % Student t interval
    x̄ ± t_{n−1} · s/√n, s² = (Σx² − (Σx)²/n)/(n − 1) (no interval for n < 2)."""
    return Figure.of_mean(n, total, total_of_squares)


def qa_pass_rate(passed: int, n: int) -> Figure:
    """质检合格率: passed scores ÷ scores, with the 95 % Wilson score interval."""
    return Figure.of_rate(passed, n)


# --- points as given ---------------------------------------------------------------------


@dataclass(frozen=True)
class Marks:
    """An inspector's marks: points per item id, and the critical items failed."""

    points: Mapping[int, int]
    failed_items: Collection[int] = ()


def marks_problems(items: Sequence[ScorecardItem], marks: Marks) -> list[dict[str, Any]]:
    """Every item needs points within 0..max; only critical items can be failed. Fields
    are named points_<item id> (pages name their inputs the same way)."""
    problems: list[dict[str, Any]] = []
    by_id = {item.id: item for item in items}
    for item in items:
        given = marks.points.get(item.id)
        name = f"points_{item.id}"
        if given is None:
            problems.append({"field": name, "code": "required", "value": "",
                             "item": item.name})
        elif not 0 <= given <= item.max_points:
            problems.append({"field": name, "code": "out_of_range", "value": given,
                             "min": 0, "max": item.max_points, "item": item.name})
    for item_id in marks.points:
        if item_id not in by_id:
            problems.append({"field": "points", "code": "invalid_choice", "value": item_id})
    for item_id in marks.failed_items:
        if item_id not in by_id or not by_id[item_id].critical:
            problems.append({"field": "failed_items", "code": "invalid_choice",
                             "value": item_id})
    return problems


def evaluate(card: Scorecard, marks: Marks) -> ScoreResult:
    """The total, critical failure and pass of marks on a scorecard (checked first)."""
    if problems := marks_problems(card.items, marks):
        raise FieldErrors(problems)
    critical_failed = bool(set(marks.failed_items))
    total = qa_total([marks.points[i.id] for i in card.items],
                     [i.max_points for i in card.items], critical_failed)
    return ScoreResult(total, critical_failed, qa_passed(total, card.pass_mark,
                                                         critical_failed))


def apply_marks(score: QaScore, card: Scorecard, marks: Marks) -> ScoreResult:
    """Write marks and their result onto a score (scoring and revising an appeal)."""
    result = evaluate(card, marks)
    score.points = {str(i.id): int(marks.points[i.id]) for i in card.items}
    score.failed_items = sorted({int(i) for i in marks.failed_items})
    score.total = result.total
    score.critical_failed = result.critical_failed
    score.passed = result.passed
    return result


def score_summary(score: QaScore) -> dict[str, Any]:
    return {"points": dict(score.points), "failed_items": list(score.failed_items),
            "total": round(score.total, 2), "passed": score.passed, "status": score.status}


# --- scoring -----------------------------------------------------------------------------


def _scorecard_for(session: Session, actor: User, call_id: str, sample_id: int | None,
                   scorecard_id: int | None) -> tuple[Scorecard, QaSample | None]:
    if sample_id is not None:
        sample = get_sample(session, actor=actor, sample_id=sample_id)
        in_sample = session.scalar(select(QaSampleCall.id).where(
            QaSampleCall.sample_id == sample.id, QaSampleCall.call_id == call_id))
        if in_sample is None:
            raise CallNotInSample(call=call_id)
        # The sample's scorecard, even if retired since: a sample is scored alike.
        return get_scorecard(session, scorecard_id=sample.scorecard_id), sample
    if scorecard_id is None:
        raise FieldErrors([{"field": "scorecard_id", "code": "required", "value": ""}])
    card = get_scorecard(session, scorecard_id=scorecard_id)
    if not card.active:
        raise ScorecardRetired()
    return card, None


def find_score(session: Session, *, call_id: str, scorecard_id: int) -> QaScore | None:
    return session.scalar(select(QaScore).where(QaScore.call_id == call_id,
                                                QaScore.scorecard_id == scorecard_id))


def may_rescore(score: QaScore, actor: User, appealed: bool) -> bool:
    """The inspector who gave a score may correct it until it is appealed."""
    return (score.inspector_id == actor.id and score.status == ScoreStatus.SCORED
            and not appealed)


class ScoringState(StrEnum):
    """What an inspector may do with a call and a scorecard."""

    NEW = "new"  # not scored yet: score it
    CORRECT = "correct"  # scored by this inspector, not appealed: may correct it
    LOCKED = "locked"  # scored by someone else, or appealed: read only
    OWN_CALL = "own_call"  # the inspector took this call: someone else scores it


def scoring_state(session: Session, *, actor: User, call: CallRecord, scorecard_id: int
                  ) -> tuple[ScoringState, QaScore | None]:
    """The state of a call for an inspector, with its score if there is one."""
    existing = find_score(session, call_id=call.call_id, scorecard_id=scorecard_id)
    if call.agent_id in own_agent_ids(session, actor):
        return ScoringState.OWN_CALL, existing
    if existing is None:
        return ScoringState.NEW, None
    appealed = session.scalar(select(QaAppeal.id).where(
        QaAppeal.score_id == existing.id)) is not None
    if may_rescore(existing, actor, appealed):
        return ScoringState.CORRECT, existing
    return ScoringState.LOCKED, existing


def score_call(session: Session, *, actor: User, call_id: str, marks: Marks,
               comment: str = "", sample_id: int | None = None,
               scorecard_id: int | None = None) -> tuple[QaScore, bool]:
    """Score a call (inspectors; not one's own calls) with the sample's scorecard, or a
    given active one. Returns the score and whether it was new (False: the inspector
    corrected their own score before any appeal)."""
    require_inspect(actor)
    call = get_call(session, actor=actor, call_id=call_id)  # 404 unless visible
    check_may_score(session, actor, call)
    card, sample = _scorecard_for(session, actor, call.call_id, sample_id, scorecard_id)
    problems = marks_problems(card.items, marks)
    if len(comment) > MAX_COMMENT:
        problems.append({"field": "comment", "code": "too_long", "value": "",
                         "max": MAX_COMMENT})
    if problems:
        raise FieldErrors(problems)
    existing = find_score(session, call_id=call.call_id, scorecard_id=card.id)
    if existing is not None:
        appealed = session.scalar(select(QaAppeal.id).where(
            QaAppeal.score_id == existing.id)) is not None
        if not may_rescore(existing, actor, appealed):
            raise AlreadyScored()
        before = score_summary(existing)
        apply_marks(existing, card, marks)
        existing.comment = comment.strip()
        existing.scored_at = utcnow()
        if sample is not None:
            existing.sample_id = sample.id
        session.flush()
        record(session, actor=actor, action="qa.rescore", entity_type="qa_score",
               entity_id=existing.id, summary=call.call_id, before=before,
               after=score_summary(existing))
        return existing, False
    score = QaScore(call_id=call.call_id, agent_id=call.agent_id, scorecard_id=card.id,
                    sample_id=sample.id if sample else None, inspector_id=actor.id,
                    comment=comment.strip(), status=ScoreStatus.SCORED, scored_at=utcnow())
    apply_marks(score, card, marks)
    try:
        with session.begin_nested():  # another inspector may have scored it meanwhile
            session.add(score)
            session.flush()
    except IntegrityError as error:
        raise AlreadyScored() from error
    record(session, actor=actor, action="qa.score", entity_type="qa_score",
           entity_id=score.id, summary=call.call_id, after=score_summary(score))
    return score, True
