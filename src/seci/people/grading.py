"""Grading an exam attempt: single choice and true/false right when the one right option
is chosen, multiple choice all-or-nothing (exactly the right options), fill-in when the
normalised text equals one of the accepted answers. An attempt past its deadline is graded
with what was saved before it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from seci.core.clock import utcnow
from seci.people.exam_models import (
    AttemptStatus,
    Exam,
    ExamAttempt,
    ExamAttemptItem,
    ExamQuestion,
    QuestionKind,
)
from seci.people.questions import normalise_blank

# Answers a little after the deadline still count: the request left the browser in time.
GRACE_SECONDS = 5


def is_right(question: ExamQuestion, response: Sequence[str] | None) -> bool:
    """Whether ``response`` (option keys, ``true``/``false``, or one text) is right."""
    if not response:
        return False
    if question.kind == QuestionKind.FILL:
        given = normalise_blank(response[0])
        return bool(given) and given in {normalise_blank(a) for a in question.answer}
    return set(response) == set(question.answer)


def is_overdue(attempt: ExamAttempt, now: datetime | None = None) -> bool:
    """In progress and past the deadline (with the grace for answers in flight)."""
    moment = now or utcnow()
    return (attempt.status == AttemptStatus.IN_PROGRESS
            and (moment - attempt.expires_at).total_seconds() > GRACE_SECONDS)


@dataclass(frozen=True)
class Grade:
    correct: list[bool]  # by position
    correct_count: int
    score_percent: float
    passed: bool


def grade(exam: Exam, items: Sequence[ExamAttemptItem],
          questions: dict[int, ExamQuestion]) -> Grade:
    """The grade of an attempt's items (pure: nothing is stored)."""
    ordered = sorted(items, key=lambda i: i.position)
    correct = [is_right(questions[i.question_id], i.response) for i in ordered]
    count = sum(correct)
    score = round(100 * count / len(ordered), 1) if ordered else 0.0
    return Grade(correct, count, score, score >= exam.pass_percent)


def items_and_questions(session: Session, attempt_ids: Sequence[int]
                        ) -> tuple[dict[int, list[ExamAttemptItem]], dict[int, ExamQuestion]]:
    """The attempts' items (by attempt) and the questions they drew."""
    items: dict[int, list[ExamAttemptItem]] = {a: [] for a in attempt_ids}
    if not attempt_ids:
        return items, {}
    for item in session.scalars(select(ExamAttemptItem).where(
            ExamAttemptItem.attempt_id.in_(list(attempt_ids)))
            .order_by(ExamAttemptItem.attempt_id, ExamAttemptItem.position)):
        items[item.attempt_id].append(item)
    question_ids = {i.question_id for rows in items.values() for i in rows}
    questions = {q.id: q for q in session.scalars(select(ExamQuestion).where(
        ExamQuestion.id.in_(question_ids)))}
    return items, questions


def finish(session: Session, attempt: ExamAttempt, *, expired: bool) -> Grade:
    """Grade and close the attempt (``expired``: the time ran out first)."""
    exam = session.get(Exam, attempt.exam_id)
    assert exam is not None
    items, questions = items_and_questions(session, [attempt.id])
    result = grade(exam, items[attempt.id], questions)
    for item, right in zip(items[attempt.id], result.correct, strict=True):
        item.correct = right
    attempt.status = AttemptStatus.GRADED
    attempt.expired = expired
    attempt.finished_at = min(utcnow(), attempt.expires_at) if expired else utcnow()
    attempt.correct_count = result.correct_count
    attempt.score_percent = result.score_percent
    attempt.passed = result.passed
    session.flush()
    return result


def settle_overdue(session: Session, *, user_id: int | None = None,
                   exam_id: int | None = None) -> int:
    """Grade the attempts whose time ran out without a submit (a closed browser, a lost
    connection); returns how many. Called by writers only: reads compute the same grade
    without storing it."""
    query = select(ExamAttempt).where(ExamAttempt.status == AttemptStatus.IN_PROGRESS)
    if user_id is not None:
        query = query.where(ExamAttempt.user_id == user_id)
    if exam_id is not None:
        query = query.where(ExamAttempt.exam_id == exam_id)
    settled = 0
    now = utcnow()
    for attempt in session.scalars(query).all():
        if is_overdue(attempt, now):
            finish(session, attempt, expired=True)
            settled += 1
    return settled
