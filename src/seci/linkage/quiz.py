"""The trainer's quiz on a notice: questions with options and the right answer; agents
take it and their score is stored (the best attempt counts)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from seci.accounts.models import User
from seci.audit.service import record
from seci.core.clock import utcnow
from seci.core.db import insert_if_absent
from seci.core.errors import FieldErrors
from seci.linkage import access
from seci.linkage.errors import QuizAlreadyTaken, QuizNotFound
from seci.linkage.models import Notice, Quiz, QuizAttempt, QuizQuestion
from seci.linkage.notices import get_notice, get_visible_notice

MAX_QUESTIONS = 20
MAX_OPTIONS = 6
MAX_TEXT = 500


@dataclass(frozen=True)
class QuestionSpec:
    text: str
    options: list[str]
    answer: int  # index of the right option


def get_quiz(session: Session, *, notice_id: int) -> Quiz:
    quiz = session.scalar(select(Quiz).where(Quiz.notice_id == notice_id))
    if quiz is None:
        raise QuizNotFound()
    return quiz


def find_quiz(session: Session, *, notice_id: int) -> Quiz | None:
    return session.scalar(select(Quiz).where(Quiz.notice_id == notice_id))


def questions_of(session: Session, *, quiz_id: int) -> list[QuizQuestion]:
    return list(session.scalars(select(QuizQuestion).where(QuizQuestion.quiz_id == quiz_id)
                                .order_by(QuizQuestion.position)))


@dataclass(frozen=True)
class QuestionView:
    text: str
    options: list[str]
    answer: int | None  # the right option's index: for those who manage quizzes only


def quiz_for(session: Session, *, notice_id: int, actor: User
             ) -> tuple[Quiz, list[QuestionView]]:
    """The notice's quiz as the actor may read it (the notice must be visible to them);
    the right answers only for those who manage quizzes."""
    get_visible_notice(session, user=actor, notice_id=notice_id)
    quiz = get_quiz(session, notice_id=notice_id)
    show = access.may_manage_quiz(actor)
    return quiz, [QuestionView(q.text, list(q.options), q.answer if show else None)
                  for q in questions_of(session, quiz_id=quiz.id)]


def quiz_for_editing(session: Session, *, notice_id: int, actor: User
                     ) -> tuple[Notice, Quiz | None, list[QuizQuestion]]:
    """The notice, its quiz (if any) and the questions with their answers, for a trainer."""
    access.require_quiz_manage(actor)
    notice = get_notice(session, notice_id=notice_id)
    found = find_quiz(session, notice_id=notice_id)
    return notice, found, questions_of(session, quiz_id=found.id) if found else []


def _question_problems(questions: list[QuestionSpec]) -> list[dict[str, Any]]:
    problems: list[dict[str, Any]] = []
    if not questions:
        problems.append({"field": "questions", "code": "required", "value": ""})
    if len(questions) > MAX_QUESTIONS:
        problems.append({"field": "questions", "code": "too_many", "value": "",
                         "max": MAX_QUESTIONS})
    for number, spec in enumerate(questions, start=1):
        name = f"questions.{number}"
        options = [o for o in spec.options if o.strip()]
        if not spec.text.strip() or len(spec.text) > MAX_TEXT:
            problems.append({"field": name, "code": "required", "value": ""})
        if not 2 <= len(options) <= MAX_OPTIONS or len(options) != len(spec.options):
            problems.append({"field": name, "code": "quiz_options", "value": "",
                             "min": 2, "max": MAX_OPTIONS})
        elif not 0 <= spec.answer < len(options):
            problems.append({"field": name, "code": "quiz_answer", "value": spec.answer})
    return problems


def set_quiz(session: Session, *, notice_id: int, actor: User, questions: list[QuestionSpec],
             intro: str = "", pass_percent: int = 80) -> Quiz:
    """Attach (or, until someone has taken it, replace) the notice's quiz."""
    access.require_quiz_manage(actor)
    get_notice(session, notice_id=notice_id)
    problems = _question_problems(questions)
    if not 1 <= pass_percent <= 100:
        problems.append({"field": "pass_percent", "code": "out_of_range", "value": pass_percent,
                         "min": 1, "max": 100})
    if problems:
        raise FieldErrors(problems)
    quiz = find_quiz(session, notice_id=notice_id)
    if quiz is None:  # a form sent twice at once makes one quiz
        insert_if_absent(session, Quiz, {"notice_id": notice_id, "created_by_id": actor.id},
                         ["notice_id"])
        quiz = find_quiz(session, notice_id=notice_id)
        assert quiz is not None
    elif session.scalar(select(QuizAttempt.id).where(QuizAttempt.quiz_id == quiz.id).limit(1)):
        raise QuizAlreadyTaken()
    quiz.intro = intro.strip()
    quiz.pass_percent = pass_percent
    quiz.updated_at = utcnow()
    session.flush()
    session.execute(delete(QuizQuestion).where(QuizQuestion.quiz_id == quiz.id))
    for position, spec in enumerate(questions):
        session.add(QuizQuestion(quiz_id=quiz.id, position=position, text=spec.text.strip(),
                                 options=[o.strip() for o in spec.options], answer=spec.answer))
    session.flush()
    record(session, actor=actor, action="notice.quiz", entity_type="notice",
           entity_id=notice_id, summary=f"{len(questions)} questions",
           after={"questions": len(questions), "pass_percent": pass_percent})
    return quiz


def score(questions: list[QuizQuestion], answers: list[int]) -> tuple[int, int]:
    """(right answers, score in whole percent rounded down); a missing answer is wrong."""
    correct = sum(1 for q, given in zip(questions, answers, strict=False) if given == q.answer)
    return correct, (correct * 100) // len(questions) if questions else 0


def take_quiz(session: Session, *, notice_id: int, user: User, answers: list[int]
              ) -> QuizAttempt:
    """An agent of the notice's queues answers the quiz; the attempt and score are kept."""
    access.require_take(user)
    notice = get_visible_notice(session, user=user, notice_id=notice_id)
    access.check_released_to(user, notice)
    quiz = get_quiz(session, notice_id=notice_id)
    questions = questions_of(session, quiz_id=quiz.id)
    if len(answers) != len(questions):
        raise FieldErrors([{"field": "answers", "code": "quiz_unanswered", "value": "",
                            "count": len(questions)}])
    correct, percent = score(questions, answers)
    attempt = QuizAttempt(quiz_id=quiz.id, user_id=user.id, answers=list(answers),
                          correct=correct, score_percent=percent,
                          passed=percent >= quiz.pass_percent, taken_at=utcnow())
    session.add(attempt)
    session.flush()
    record(session, actor=user, action="notice.quiz_attempt", entity_type="notice",
           entity_id=notice_id, summary=f"{percent}%",
           after={"score_percent": percent, "passed": attempt.passed})
    return attempt


def best_attempt(session: Session, *, notice_id: int, user_id: int) -> QuizAttempt | None:
    return session.scalar(
        select(QuizAttempt).join(Quiz, Quiz.id == QuizAttempt.quiz_id)
        .where(Quiz.notice_id == notice_id, QuizAttempt.user_id == user_id)
        .order_by(QuizAttempt.score_percent.desc(), QuizAttempt.id).limit(1)
    )


def passed_user_ids(session: Session, *, notice_id: int) -> set[int]:
    return set(session.scalars(
        select(QuizAttempt.user_id).join(Quiz, Quiz.id == QuizAttempt.quiz_id)
        .where(Quiz.notice_id == notice_id, QuizAttempt.passed.is_(True))
    ))
