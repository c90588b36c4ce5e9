"""Appeals (申诉): the agent disagrees with a score, a QA manager decides.

The agent who took the call (the login the roster links to the call's agent id) may
appeal a score once, with a reason, within `APPEAL_WINDOW_DAYS` of the scoring. A QA
manager other than the inspector (four eyes) upholds the score with a note, or revises
it: new item points, the score recomputed, the original total kept on the appeal.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from seci.accounts.models import User
from seci.audit.service import record
from seci.core.clock import utcnow
from seci.core.errors import FieldErrors
from seci.quality.access import check_may_appeal, check_may_decide, require_manage
from seci.quality.errors import (
    AlreadyAppealed,
    AppealDecided,
    AppealNotFound,
    AppealWindowClosed,
)
from seci.quality.models import AppealDecision, QaAppeal, QaScore, ScoreStatus
from seci.quality.queries import get_visible_score
from seci.quality.scorecards import get_scorecard
from seci.quality.scoring import Marks, apply_marks, marks_problems, score_summary

APPEAL_WINDOW_DAYS = 7  # days after the scoring (or its last correction)
MAX_REASON = 2000
MAX_NOTE = 2000


def appeal_deadline(score: QaScore) -> datetime:
    """The last moment (UTC) the agent may appeal: scored_at + APPEAL_WINDOW_DAYS."""
    return score.scored_at + timedelta(days=APPEAL_WINDOW_DAYS)


def appeal_of(session: Session, *, score_id: int) -> QaAppeal | None:
    return session.scalar(select(QaAppeal).where(QaAppeal.score_id == score_id))


def may_appeal_now(score: QaScore, appeal: QaAppeal | None, now: datetime | None = None
                   ) -> bool:
    """Not appealed yet, still open to appeal, within the window (who: see access)."""
    return (appeal is None and score.status == ScoreStatus.SCORED
            and (now or utcnow()) <= appeal_deadline(score))


def _text_problem(field: str, value: str, limit: int) -> list[dict[str, Any]]:
    if not value.strip():
        return [{"field": field, "code": "required", "value": ""}]
    if len(value) > limit:
        return [{"field": field, "code": "too_long", "value": "", "max": limit}]
    return []


def file_appeal(session: Session, *, actor: User, score_id: int, reason: str) -> QaAppeal:
    """The call's agent appeals a score, once, within the window; the score is then
    "appealed" until a QA manager decides."""
    score = get_visible_score(session, actor=actor, score_id=score_id)
    check_may_appeal(session, actor, score)
    if appeal_of(session, score_id=score.id) is not None or score.status != ScoreStatus.SCORED:
        raise AlreadyAppealed()
    deadline = appeal_deadline(score)
    if utcnow() > deadline:
        raise AppealWindowClosed(deadline=deadline.strftime("%Y-%m-%d %H:%M UTC"))
    if problems := _text_problem("reason", reason, MAX_REASON):
        raise FieldErrors(problems)
    appeal = QaAppeal(score_id=score.id, filed_by_id=actor.id, reason=reason.strip(),
                      filed_at=utcnow(), original_total=score.total)
    try:
        with session.begin_nested():  # a double submit: the unique score_id answers
            session.add(appeal)
            session.flush()
    except IntegrityError as error:
        raise AlreadyAppealed() from error
    score.status = ScoreStatus.APPEALED
    session.flush()
    record(session, actor=actor, action="qa.appeal", entity_type="qa_score",
           entity_id=score.id, summary=score.call_id,
           before={"status": ScoreStatus.SCORED}, after={"status": ScoreStatus.APPEALED})
    return appeal


def get_appeal(session: Session, *, actor: User, appeal_id: int) -> QaAppeal:
    """An appeal, for whoever may see its score."""
    appeal = session.get(QaAppeal, appeal_id)
    if appeal is None:
        raise AppealNotFound(appeal=appeal_id)
    get_visible_score(session, actor=actor, score_id=appeal.score_id)
    return appeal


def decide_appeal(session: Session, *, actor: User, appeal_id: int, decision: str,
                  note: str = "", marks: Marks | None = None) -> QaAppeal:
    """Uphold (a note for the agent is required) or revise (new marks; the score is
    recomputed, the appeal keeps the original total). QA managers, four eyes."""
    require_manage(actor)
    appeal = get_appeal(session, actor=actor, appeal_id=appeal_id)
    score = get_visible_score(session, actor=actor, score_id=appeal.score_id)
    check_may_decide(session, actor, score)
    if appeal.decision is not None:
        raise AppealDecided()
    problems: list[dict[str, Any]] = []
    card = get_scorecard(session, scorecard_id=score.scorecard_id)
    if decision == AppealDecision.UPHELD:
        problems += _text_problem("note", note, MAX_NOTE)
    elif decision == AppealDecision.REVISED:
        if marks is None:
            problems.append({"field": "points", "code": "required", "value": ""})
        else:
            problems += marks_problems(card.items, marks)
        if len(note) > MAX_NOTE:
            problems.append({"field": "note", "code": "too_long", "value": "",
                             "max": MAX_NOTE})
    else:
        problems.append({"field": "decision", "code": "invalid_choice", "value": decision})
    if problems:
        raise FieldErrors(problems)
    before = score_summary(score)
    if decision == AppealDecision.REVISED:
        assert marks is not None
        apply_marks(score, card, marks)
        score.status = ScoreStatus.REVISED
    else:
        score.status = ScoreStatus.UPHELD
    appeal.decision = decision
    appeal.decision_note = note.strip()
    appeal.decided_by_id = actor.id
    appeal.decided_at = utcnow()
    session.flush()
    record(session, actor=actor, action=f"qa.appeal_{decision}", entity_type="qa_score",
           entity_id=score.id, summary=score.call_id, before=before,
           after=score_summary(score) | {"note": appeal.decision_note})
    return appeal
