"""Item analysis of an exam's formal attempts: facility, discrimination (item–rest
point-biserial), discriminative efficiency, KR-20 and the standard error of measurement,
the share choosing each option overall and in the top and bottom 27 %, and the weak
questions. The figures are ``seci.stats.items``; this module gathers the marks."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from sqlalchemy import select
from sqlalchemy.orm import Session

from seci.accounts.models import User
from seci.people.exam_models import AttemptStatus, ExamAttempt, ExamQuestion, QuestionKind
from seci.people.exams import get_exam
from seci.people.grading import is_overdue, is_right, items_and_questions
from seci.people.questions import FALSE, TRUE
from seci.stats.items import (
    discrimination_index,
    discriminative_efficiency,
    facility_index,
    flag_items,
    kr20,
    option_shares,
    optional,
    standard_error_of_measurement,
)

Floats = npt.NDArray[np.float64]
Bools = npt.NDArray[np.bool_]
# Fewer finished attempts than this make no analysis worth showing.
MIN_ATTEMPTS = 5


@dataclass(frozen=True)
class MatrixAnalysis:
    """The figures of a marks matrix (attempts × questions)."""

    facility: Floats
    discrimination: Floats
    efficiency: Floats
    counts: Floats  # attempts that drew each question
    overall: Floats  # questions × options
    top: Floats
    bottom: Floats
    flags: list[list[str]]  # per question: too_hard, too_easy, weak_discrimination, ...
    alpha: float | None  # KR-20 over the questions every attempt drew
    sem: float | None  # in questions right
    common_questions: int
    mean_score: float | None  # share right


def analyse_matrix(scores: Floats, answered: Bools, chosen: Bools, key: Bools
                   ) -> MatrixAnalysis:
    """All figures at once, vectorised: ``scores`` and ``answered`` attempts × questions,
    ``chosen`` attempts × questions × options, ``key`` questions × options."""
    facility = facility_index(scores, answered)
    discrimination = discrimination_index(scores, answered)
    efficiency = discriminative_efficiency(scores, answered)
    marks = (scores * answered).sum(axis=1)
    drawn = answered.sum(axis=1)
    share_right = np.divide(marks, drawn, out=np.zeros_like(marks), where=drawn > 0)
    shares = option_shares(chosen, share_right, answered)
    flags = flag_items(facility, discrimination, shares, key)
    common = answered.all(axis=0)
    common_scores = scores[:, common]
    alpha = kr20(common_scores) if common.sum() >= 2 else None
    sem = standard_error_of_measurement(common_scores.sum(axis=1), alpha)
    names = ("too_hard", "too_easy", "weak_discrimination", "attractive_distractor")
    masks = (flags.too_hard, flags.too_easy, flags.weak_discrimination,
             flags.attractive_distractor)
    per_question = [[name for name, mask in zip(names, masks, strict=True) if mask[j]]
                    for j in range(scores.shape[1])]
    return MatrixAnalysis(
        facility=facility, discrimination=discrimination, efficiency=efficiency,
        counts=answered.sum(axis=0).astype(np.float64), overall=shares.overall,
        top=shares.top, bottom=shares.bottom, flags=per_question, alpha=alpha, sem=sem,
        common_questions=int(common.sum()),
        mean_score=float(share_right.mean()) if share_right.size else None)


@dataclass(frozen=True)
class OptionFigure:
    key: str
    text: str
    right: bool
    overall: float | None
    top: float | None
    bottom: float | None


@dataclass(frozen=True)
class QuestionFigure:
    question: ExamQuestion
    attempts: int
    facility: float | None
    discrimination: float | None
    efficiency: float | None
    options: list[OptionFigure]
    flags: list[str]


@dataclass(frozen=True)
class ExamAnalysis:
    exam_id: int
    attempts: int
    enough: bool  # at least MIN_ATTEMPTS finished formal attempts
    alpha: float | None
    sem: float | None
    common_questions: int
    mean_score: float | None
    questions: list[QuestionFigure]

    @property
    def weak(self) -> list[QuestionFigure]:
        return [q for q in self.questions if q.flags]


def _option_keys(question: ExamQuestion) -> list[str]:
    if question.kind == QuestionKind.TRUE_FALSE:
        return [TRUE, FALSE]
    if question.kind == QuestionKind.FILL:
        return []
    return [str(i) for i in range(len(question.options))]


def exam_analysis(session: Session, *, actor: User, exam_id: int) -> ExamAnalysis:
    """The item analysis of the exam's finished formal attempts (those out of time count
    with what was saved)."""
    exam = get_exam(session, actor=actor, exam_id=exam_id)
    attempts = [a for a in session.scalars(select(ExamAttempt).where(
        ExamAttempt.exam_id == exam.id, ExamAttempt.practice.is_(False)).order_by(
        ExamAttempt.id)) if a.status == AttemptStatus.GRADED or is_overdue(a)]
    items, questions = items_and_questions(session, [a.id for a in attempts])
    order = sorted(questions)
    column = {qid: j for j, qid in enumerate(order)}
    keys = [_option_keys(questions[qid]) for qid in order]
    width = max((len(k) for k in keys), default=0)
    n, k = len(attempts), len(order)
    scores = np.zeros((n, k))
    answered = np.zeros((n, k), dtype=bool)
    chosen = np.zeros((n, k, width), dtype=bool)
    key = np.zeros((k, width), dtype=bool)
    for j, qid in enumerate(order):
        for o, option in enumerate(keys[j]):
            key[j, o] = option in questions[qid].answer
    for i, attempt in enumerate(attempts):
        for item in items[attempt.id]:
            j = column[item.question_id]
            answered[i, j] = True
            right = (bool(item.correct) if attempt.status == AttemptStatus.GRADED
                     else is_right(questions[item.question_id], item.response))
            scores[i, j] = 1.0 if right else 0.0
            for response in item.response or []:
                if response in keys[j]:
                    chosen[i, j, keys[j].index(response)] = True
    if n == 0 or k == 0:
        return ExamAnalysis(exam.id, n, False, None, None, 0, None, [])
    figures = analyse_matrix(scores, answered, chosen, key)
    result = []
    for j, qid in enumerate(order):
        question = questions[qid]
        texts = question.options if question.kind != QuestionKind.TRUE_FALSE else keys[j]
        result.append(QuestionFigure(
            question=question, attempts=int(figures.counts[j]),
            facility=optional(figures.facility[j]),
            discrimination=optional(figures.discrimination[j]),
            efficiency=optional(figures.efficiency[j]),
            options=[OptionFigure(option, texts[o], bool(key[j, o]),
                                  optional(figures.overall[j, o]),
                                  optional(figures.top[j, o]),
                                  optional(figures.bottom[j, o]))
                     for o, option in enumerate(keys[j])],
            flags=figures.flags[j]))
    return ExamAnalysis(exam.id, n, n >= MIN_ATTEMPTS, figures.alpha, figures.sem,
                        figures.common_questions, figures.mean_score, result)
