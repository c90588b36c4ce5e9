"""Taking an exam: the attempt as its agent sees it (the stored order, a server-side
countdown), answers saved one at a time as the agent goes (refused after the deadline),
the submit, one's history; and every attempt's result for trainers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from seci.accounts.models import User
from seci.audit.service import record
from seci.core.clock import utcnow
from seci.core.errors import FieldErrors
from seci.people import access
from seci.people.errors import AttemptExpired, AttemptFinished, AttemptNotFound
from seci.people.exam_models import (
    AttemptStatus,
    Exam,
    ExamAttempt,
    ExamAttemptItem,
    ExamQuestion,
    QuestionKind,
)
from seci.people.exams import get_exam
from seci.people.grading import (
    Grade,
    finish,
    grade,
    is_overdue,
    is_right,
    items_and_questions,
    settle_overdue,
)
from seci.people.questions import FALSE, TRUE

MAX_BLANK = 200


@dataclass(frozen=True)
class ItemView:
    position: int
    question_id: int
    kind: str
    stem: str
    options: list[tuple[str, str]]  # (key, text) in the attempt's order
    response: list[str]
    correct: bool | None  # once graded, or in practice once answered
    right: list[str] | None  # the right keys or accepted texts: practice, once answered
    explanation: str | None


@dataclass(frozen=True)
class AttemptView:
    attempt: ExamAttempt
    exam: Exam
    items: list[ItemView]
    remaining_seconds: int  # 0 once finished or out of time
    finished: bool  # graded, or out of time (then ``grade`` is what was saved)
    grade: Grade | None

    @property
    def answered(self) -> int:
        return sum(1 for i in self.items if i.response)


def own_attempt(session: Session, *, actor: User, attempt_id: int,
                for_update: bool = False) -> ExamAttempt:
    """The actor's own attempt; 404 for anyone else's. ``for_update``: lock its row and read
    it as it is now (PostgreSQL; SQLite has one writer at a time): answers are saved as the
    agent goes, so an answer and the hand-in can arrive together, and an answer must not
    land after the attempt was graded."""
    access.require_exam_taker(actor)
    attempt = session.execute(
        select(ExamAttempt).where(ExamAttempt.id == attempt_id).with_for_update()
        .execution_options(populate_existing=True)).scalar_one_or_none() if for_update \
        else session.get(ExamAttempt, attempt_id)
    if attempt is None or attempt.user_id != actor.id:
        raise AttemptNotFound()
    return attempt


def _options(question: ExamQuestion, item: ExamAttemptItem) -> list[tuple[str, str]]:
    if question.kind == QuestionKind.TRUE_FALSE:
        return [(TRUE, TRUE), (FALSE, FALSE)]  # the page words them
    if question.kind == QuestionKind.FILL:
        return []
    return [(str(i), question.options[i]) for i in item.option_order]


def _view(session: Session, attempt: ExamAttempt, *, reveal: bool) -> AttemptView:
    exam = session.get(Exam, attempt.exam_id)
    assert exam is not None
    items, questions = items_and_questions(session, [attempt.id])
    now = utcnow()
    overdue = is_overdue(attempt, now)
    finished = attempt.status == AttemptStatus.GRADED or overdue
    graded = attempt.status == AttemptStatus.GRADED
    result = (Grade([bool(i.correct) for i in items[attempt.id]], attempt.correct_count or 0,
                    attempt.score_percent or 0.0, bool(attempt.passed)) if graded
              else grade(exam, items[attempt.id], questions) if finished else None)
    views = []
    for item in items[attempt.id]:
        question = questions[item.question_id]
        answered = bool(item.response)
        show = reveal or (attempt.practice and answered) or (attempt.practice and finished)
        correct = (result.correct[item.position] if result
                   else is_right(question, item.response) if attempt.practice and answered
                   else None)
        views.append(ItemView(
            position=item.position, question_id=question.id, kind=question.kind,
            stem=question.stem, options=_options(question, item),
            response=list(item.response or []), correct=correct,
            right=list(question.answer) if show else None,
            explanation=question.explanation if show else None))
    remaining = 0 if finished else max(0, int((attempt.expires_at - now).total_seconds()))
    return AttemptView(attempt, exam, views, remaining, finished, result)


def attempt_view(session: Session, *, actor: User, attempt_id: int) -> AttemptView:
    """The agent's attempt: questions in the stored order, saved answers, seconds left;
    right answers only in practice (each once answered)."""
    return _view(session, own_attempt(session, actor=actor, attempt_id=attempt_id),
                 reveal=False)


def review_view(session: Session, *, actor: User, attempt_id: int) -> AttemptView:
    """Any attempt with the right answers, for those who manage exams."""
    access.require_exam_manager(actor)
    attempt = session.get(ExamAttempt, attempt_id)
    if attempt is None:
        raise AttemptNotFound()
    return _view(session, attempt, reveal=True)


def _check_response(question: ExamQuestion, item: ExamAttemptItem, response: list[str]
                    ) -> list[str]:
    if question.kind == QuestionKind.FILL:
        text = (response[0] if response else "").strip()
        if len(response) > 1 or len(text) > MAX_BLANK:
            raise FieldErrors([{"field": "response", "code": "too_long", "max": MAX_BLANK,
                                "value": ""}])
        return [text] if text else []
    keys = ({TRUE, FALSE} if question.kind == QuestionKind.TRUE_FALSE
            else {str(i) for i in item.option_order})
    chosen = sorted(set(response))
    if not set(chosen) <= keys or (question.kind != QuestionKind.MULTIPLE and len(chosen) > 1):
        raise FieldErrors([{"field": "response", "code": "invalid_choice",
                            "value": ",".join(response)[:40]}])
    return chosen


@dataclass(frozen=True)
class Saved:
    position: int
    response: list[str]
    saved_at: datetime
    remaining_seconds: int
    correct: bool | None  # practice only
    right: list[str] | None  # practice only
    explanation: str | None


def save_answer(session: Session, *, actor: User, attempt_id: int, position: int,
                response: list[str]) -> Saved:
    """Save one answer as the agent goes (an empty response clears it). Refused once the
    attempt is finished or its time is up; a late answer grades the attempt with what was
    saved before (and that grade is kept)."""
    attempt = own_attempt(session, actor=actor, attempt_id=attempt_id, for_update=True)
    if attempt.status != AttemptStatus.IN_PROGRESS:
        raise AttemptFinished()
    if is_overdue(attempt):
        finish(session, attempt, expired=True)
        raise AttemptExpired()
    item = session.scalar(select(ExamAttemptItem).where(
        ExamAttemptItem.attempt_id == attempt.id, ExamAttemptItem.position == position))
    if item is None:
        raise FieldErrors([{"field": "position", "code": "out_of_range", "min": 0,
                            "max": attempt.question_count - 1, "value": position}])
    question = session.get(ExamQuestion, item.question_id)
    assert question is not None
    item.response = _check_response(question, item, response) or None
    now = utcnow()
    item.answered_at = now
    session.flush()
    practice = attempt.practice and bool(item.response)
    return Saved(position, list(item.response or []), now,
                 max(0, int((attempt.expires_at - now).total_seconds())),
                 is_right(question, item.response) if practice else None,
                 list(question.answer) if practice else None,
                 question.explanation if practice else None)


def submit_attempt(session: Session, *, actor: User, attempt_id: int) -> ExamAttempt:
    """Hand the attempt in and grade it (after the deadline: graded as expired, with the
    answers saved in time)."""
    attempt = own_attempt(session, actor=actor, attempt_id=attempt_id, for_update=True)
    if attempt.status != AttemptStatus.IN_PROGRESS:
        raise AttemptFinished()
    finish(session, attempt, expired=is_overdue(attempt))
    record(session, actor=actor, action="exam.attempt_submit", entity_type="exam_attempt",
           entity_id=attempt.id, summary=f"{attempt.score_percent}",
           after={"expired": attempt.expired, "passed": attempt.passed})
    return attempt


@dataclass(frozen=True)
class HistoryRow:
    attempt: ExamAttempt
    exam: Exam
    finished: bool
    score_percent: float | None
    passed: bool | None


def _rows(session: Session, attempts: list[ExamAttempt]) -> list[tuple[ExamAttempt, Exam,
                                                                       Grade | None]]:
    """Attempts with their exam and grade (stored, or computed for one out of time)."""
    exams = {e.id: e for e in session.scalars(select(Exam).where(
        Exam.id.in_({a.exam_id for a in attempts})))}
    overdue = [a.id for a in attempts if is_overdue(a)]
    items, questions = items_and_questions(session, overdue)
    rows: list[tuple[ExamAttempt, Exam, Grade | None]] = []
    for a in attempts:
        exam = exams[a.exam_id]
        if a.status == AttemptStatus.GRADED:
            rows.append((a, exam, Grade([], a.correct_count or 0, a.score_percent or 0.0,
                                        bool(a.passed))))
        elif a.id in items:
            rows.append((a, exam, grade(exam, items[a.id], questions)))
        else:
            rows.append((a, exam, None))
    return rows


def my_history(session: Session, *, actor: User) -> list[HistoryRow]:
    """The actor's attempts, newest first."""
    access.require_exam_taker(actor)
    attempts = list(session.scalars(select(ExamAttempt).where(
        ExamAttempt.user_id == actor.id).order_by(ExamAttempt.id.desc())))
    return [HistoryRow(a, e, g is not None, g.score_percent if g else None,
                       g.passed if g else None) for a, e, g in _rows(session, attempts)]


@dataclass(frozen=True)
class ResultRow:
    attempt: ExamAttempt
    user: User
    finished: bool
    score_percent: float | None
    correct_count: int | None
    passed: bool | None


@dataclass(frozen=True)
class ExamResults:
    exam: Exam
    rows: list[ResultRow]  # formal attempts, newest first
    finished: int
    mean_score: float | None
    pass_rate: float | None


def exam_results(session: Session, *, actor: User, exam_id: int) -> ExamResults:
    """Every formal attempt of the exam with its score, the mean and the pass rate."""
    exam = get_exam(session, actor=actor, exam_id=exam_id)
    attempts = list(session.scalars(select(ExamAttempt).where(
        ExamAttempt.exam_id == exam.id, ExamAttempt.practice.is_(False))
        .order_by(ExamAttempt.id.desc())))
    users = {u.id: u for u in session.scalars(select(User).where(
        User.id.in_({a.user_id for a in attempts})))}
    rows = [ResultRow(a, users[a.user_id], g is not None, g.score_percent if g else None,
                      g.correct_count if g else None, g.passed if g else None)
            for a, _, g in _rows(session, attempts)]
    done = [r for r in rows if r.finished]
    mean = round(sum(r.score_percent or 0 for r in done) / len(done), 1) if done else None
    rate = round(sum(1 for r in done if r.passed) / len(done), 3) if done else None
    return ExamResults(exam, rows, len(done), mean, rate)


def has_passed(session: Session, *, user_id: int, exam_id: int) -> bool:
    """Whether the user passed a formal attempt of the exam (for training plans)."""
    return session.scalar(select(ExamAttempt.id).where(
        ExamAttempt.user_id == user_id, ExamAttempt.exam_id == exam_id,
        ExamAttempt.practice.is_(False), ExamAttempt.passed.is_(True)).limit(1)) is not None


def settle_exam(session: Session, *, actor: User, exam_id: int) -> int:
    """Grade the exam's attempts that ran out of time (a trainer closing the books)."""
    get_exam(session, actor=actor, exam_id=exam_id)
    return settle_overdue(session, exam_id=exam_id)


def summary_of(view: AttemptView) -> dict[str, Any]:
    """Counts for a page's header."""
    return {"answered": view.answered, "questions": len(view.items),
            "remaining": view.remaining_seconds}
