"""Exam definitions (title, modules, difficulty mix, number of questions, pass mark, time
limit, practice or formal) and how an attempt draws its questions: reviewed questions of
the exam's modules in the difficulty mix, in a shuffled order with shuffled options, all
stored with the attempt so that a reload shows the same exam."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from seci.accounts.models import User
from seci.audit.service import record
from seci.core.clock import utcnow
from seci.core.errors import FieldErrors
from seci.knowledge.models import Module
from seci.people import access
from seci.people.errors import ExamNotFound, NoAttemptsLeft, NotEnoughQuestions
from seci.people.exam_models import (
    AttemptStatus,
    Difficulty,
    Exam,
    ExamAttempt,
    ExamAttemptItem,
    ExamMode,
    ExamQuestion,
    QuestionKind,
    QuestionStatus,
)
from seci.people.grading import settle_overdue
from seci.people.questions import module_subtree

MAX_TITLE = 120
MAX_QUESTIONS = 200
MAX_MINUTES = 600
MAX_ATTEMPTS = 20


@dataclass(frozen=True)
class ExamSettings:
    title: str
    module_ids: list[int] = field(default_factory=list)  # empty: the whole bank
    question_count: int = 20
    easy_percent: int = 30
    medium_percent: int = 50
    hard_percent: int = 20
    pass_percent: int = 80
    time_limit_minutes: int = 30
    mode: str = ExamMode.FORMAL
    max_attempts: int | None = None
    description: str = ""
    fixed_paper: bool = False


def _settings_problems(session: Session, settings: ExamSettings) -> list[dict[str, Any]]:
    problems: list[dict[str, Any]] = []
    if not settings.title.strip():
        problems.append({"field": "title", "code": "required", "value": ""})
    elif len(settings.title) > MAX_TITLE:
        problems.append({"field": "title", "code": "too_long", "max": MAX_TITLE, "value": ""})
    for name, low, high in (("question_count", 1, MAX_QUESTIONS), ("pass_percent", 1, 100),
                            ("time_limit_minutes", 1, MAX_MINUTES)):
        value = getattr(settings, name)
        if not low <= value <= high:
            problems.append({"field": name, "code": "out_of_range", "min": low, "max": high,
                             "value": value})
    mix = (settings.easy_percent, settings.medium_percent, settings.hard_percent)
    if any(not 0 <= p <= 100 for p in mix) or sum(mix) != 100:
        problems.append({"field": "easy_percent", "code": "exam_difficulty_mix",
                         "value": "+".join(str(p) for p in mix)})
    if settings.mode not in set(ExamMode):
        problems.append({"field": "mode", "code": "invalid_choice", "value": settings.mode})
    if settings.max_attempts is not None and not 1 <= settings.max_attempts <= MAX_ATTEMPTS:
        problems.append({"field": "max_attempts", "code": "out_of_range", "min": 1,
                         "max": MAX_ATTEMPTS, "value": settings.max_attempts})
    known = set(session.scalars(select(Module.id).where(
        Module.id.in_(settings.module_ids)))) if settings.module_ids else set()
    for missing in sorted(set(settings.module_ids) - known):
        problems.append({"field": "module_ids", "code": "unknown_module", "value": missing})
    return problems


def _draw_settings(exam: Exam) -> tuple[object, ...]:
    return (exam.module_ids, exam.question_count, exam.easy_percent, exam.medium_percent,
            exam.hard_percent, exam.fixed_paper)


def _apply(exam: Exam, settings: ExamSettings) -> None:
    before = _draw_settings(exam)
    exam.title = settings.title.strip()
    exam.description = settings.description.strip()
    exam.module_ids = sorted(set(settings.module_ids))
    exam.question_count = settings.question_count
    exam.easy_percent = settings.easy_percent
    exam.medium_percent = settings.medium_percent
    exam.hard_percent = settings.hard_percent
    exam.pass_percent = settings.pass_percent
    exam.time_limit_minutes = settings.time_limit_minutes
    exam.mode = settings.mode
    exam.max_attempts = settings.max_attempts
    exam.fixed_paper = settings.fixed_paper
    if _draw_settings(exam) != before:
        exam.paper_ids = []  # a fixed paper is drawn again at the next attempt


def create_exam(session: Session, *, actor: User, settings: ExamSettings) -> Exam:
    """Define an exam."""
    access.require_exam_manager(actor)
    problems = _settings_problems(session, settings)
    if problems:
        raise FieldErrors(problems)
    exam = Exam(created_by_id=actor.id)
    _apply(exam, settings)
    session.add(exam)
    session.flush()
    record(session, actor=actor, action="exam.create", entity_type="exam", entity_id=exam.id,
           summary=exam.title, after=asdict(settings))
    return exam


def update_exam(session: Session, *, actor: User, exam_id: int, settings: ExamSettings
                ) -> Exam:
    """Change an exam; attempts already started keep the questions they drew."""
    exam = get_exam(session, actor=actor, exam_id=exam_id)
    problems = _settings_problems(session, settings)
    if problems:
        raise FieldErrors(problems)
    _apply(exam, settings)
    exam.updated_at = utcnow()
    session.flush()
    record(session, actor=actor, action="exam.update", entity_type="exam", entity_id=exam.id,
           summary=exam.title, after=asdict(settings))
    return exam


def archive_exam(session: Session, *, actor: User, exam_id: int, archived: bool = True
                 ) -> Exam:
    """Withdraw an exam from agents (results and analysis stay)."""
    exam = get_exam(session, actor=actor, exam_id=exam_id)
    exam.archived = archived
    session.flush()
    record(session, actor=actor, action="exam.archive", entity_type="exam", entity_id=exam.id,
           summary=f"{exam.title}: {archived}")
    return exam


def get_exam(session: Session, *, actor: User, exam_id: int) -> Exam:
    """An exam for those who manage exams."""
    access.require_exam_manager(actor)
    exam = session.get(Exam, exam_id)
    if exam is None:
        raise ExamNotFound()
    return exam


def open_exam(session: Session, *, actor: User, exam_id: int) -> Exam:
    """An exam an agent may take (not archived)."""
    access.require_exam_taker(actor)
    exam = session.get(Exam, exam_id)
    if exam is None or exam.archived:
        raise ExamNotFound()
    return exam


def list_exams(session: Session, *, actor: User, include_archived: bool = False) -> list[Exam]:
    access.require_exam_manager(actor)
    query = select(Exam).order_by(Exam.id.desc())
    if not include_archived:
        query = query.where(Exam.archived.is_(False))
    return list(session.scalars(query))


def available_exams(session: Session, *, actor: User) -> list[Exam]:
    """Exams an agent may take, formal ones first."""
    access.require_exam_taker(actor)
    exams = session.scalars(select(Exam).where(Exam.archived.is_(False)).order_by(Exam.id))
    return sorted(exams, key=lambda e: (e.mode != ExamMode.FORMAL, e.id))


def pool_query(session: Session, exam: Exam) -> Any:
    """The reviewed questions an exam draws from."""
    query = select(ExamQuestion).where(ExamQuestion.status == QuestionStatus.REVIEWED)
    if exam.module_ids:
        query = query.where(ExamQuestion.module_id.in_(module_subtree(session, exam.module_ids)))
    return query


def pool_size(session: Session, exam: Exam) -> dict[int, int]:
    """Reviewed questions available per difficulty."""
    sub = pool_query(session, exam).subquery()
    rows = session.execute(select(sub.c.difficulty, func.count()).group_by(sub.c.difficulty))
    return {int(d): int(n) for d, n in rows}


def draw(pool: Sequence[ExamQuestion], exam: Exam, rng: random.Random) -> list[ExamQuestion]:
    """``exam.question_count`` questions in the difficulty mix (rounded; a difficulty short
    of questions is made up from the others), in a random order."""
    count = exam.question_count
    easy = round(count * exam.easy_percent / 100)
    hard = round(count * exam.hard_percent / 100)
    targets = {Difficulty.EASY: easy, Difficulty.HARD: hard,
               Difficulty.MEDIUM: max(0, count - easy - hard)}
    chosen: list[ExamQuestion] = []
    for difficulty, target in targets.items():
        bucket = sorted((q for q in pool if q.difficulty == difficulty), key=lambda q: q.id)
        chosen.extend(rng.sample(bucket, min(target, len(bucket))))
    taken = {q.id for q in chosen}
    rest = sorted((q for q in pool if q.id not in taken), key=lambda q: q.id)
    chosen.extend(rng.sample(rest, min(count - len(chosen), len(rest))))
    rng.shuffle(chosen)
    return chosen


def option_order(question: ExamQuestion, rng: random.Random) -> list[int]:
    """The shuffled order of a choice question's options (true/false keeps its order)."""
    if question.kind not in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
        return []
    order = list(range(len(question.options)))
    rng.shuffle(order)
    return order


def attempts_used(session: Session, *, exam_id: int, user_id: int) -> int:
    return session.scalar(select(func.count(ExamAttempt.id)).where(
        ExamAttempt.exam_id == exam_id, ExamAttempt.user_id == user_id)) or 0


def current_attempt(session: Session, *, exam_id: int, user_id: int) -> ExamAttempt | None:
    """The user's unfinished attempt of the exam that still has time, if any."""
    return session.scalar(select(ExamAttempt).where(
        ExamAttempt.exam_id == exam_id, ExamAttempt.user_id == user_id,
        ExamAttempt.status == AttemptStatus.IN_PROGRESS,
        ExamAttempt.expires_at > utcnow()).order_by(ExamAttempt.id.desc()).limit(1))


def _paper(session: Session, exam: Exam, rng: random.Random) -> list[ExamQuestion]:
    """The attempt's questions in its own order: a fresh draw, or the exam's fixed paper
    (drawn at its first attempt and kept)."""
    if exam.fixed_paper and exam.paper_ids:
        found = {q.id: q for q in session.scalars(select(ExamQuestion).where(
            ExamQuestion.id.in_(exam.paper_ids)))}
        paper = [found[i] for i in exam.paper_ids if i in found]
        rng.shuffle(paper)
        return paper
    pool = list(session.scalars(pool_query(session, exam)))
    if len(pool) < exam.question_count:
        raise NotEnoughQuestions(available=len(pool), needed=exam.question_count)
    questions = draw(pool, exam, rng)
    if exam.fixed_paper:
        exam.paper_ids = sorted(q.id for q in questions)
    return questions


def start_attempt(session: Session, *, actor: User, exam_id: int,
                  rng: random.Random | None = None) -> ExamAttempt:
    """Start an attempt, or resume the one still running: questions and options are drawn
    and shuffled once and stored, the deadline is set by the server."""
    exam = open_exam(session, actor=actor, exam_id=exam_id)
    assert actor.id is not None
    running = current_attempt(session, exam_id=exam.id, user_id=actor.id)
    if running is not None:
        return running
    settle_overdue(session, user_id=actor.id)
    if exam.mode == ExamMode.FORMAL and exam.max_attempts is not None and attempts_used(
            session, exam_id=exam.id, user_id=actor.id) >= exam.max_attempts:
        raise NoAttemptsLeft(limit=exam.max_attempts)
    rng = rng or random.SystemRandom()
    questions = _paper(session, exam, rng)
    now = utcnow()
    attempt = ExamAttempt(exam_id=exam.id, user_id=actor.id, started_at=now,
                          expires_at=now + timedelta(minutes=exam.time_limit_minutes),
                          practice=exam.mode == ExamMode.PRACTICE,
                          question_count=len(questions))
    session.add(attempt)
    session.flush()
    for position, question in enumerate(questions):
        session.add(ExamAttemptItem(attempt_id=attempt.id, position=position,
                                    question_id=question.id,
                                    option_order=option_order(question, rng)))
    session.flush()
    record(session, actor=actor, action="exam.attempt_start", entity_type="exam_attempt",
           entity_id=attempt.id, summary=exam.title)
    return attempt
