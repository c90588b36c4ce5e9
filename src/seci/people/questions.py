"""The exam question bank: single and multiple choice, true/false and fill-in-the-blank
questions of a business module and difficulty, with the knowledge articles each depends
on. Trainers write them (or import or generate them); every question starts as a draft
and exams draw only from questions a trainer has reviewed."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select, delete, func, or_, select
from sqlalchemy.orm import Session

from seci.accounts.models import User
from seci.audit.service import record
from seci.core.clock import utcnow
from seci.core.errors import FieldErrors
from seci.knowledge.models import Article, Module
from seci.knowledge.modules import modules_within
from seci.people import access
from seci.people.errors import QuestionNotFound
from seci.people.exam_models import (
    Difficulty,
    ExamQuestion,
    ExamQuestionArticle,
    QuestionKind,
    QuestionSource,
    QuestionStatus,
)
from seci.retrieval.text import normalize

MAX_STEM = 1000
MAX_OPTION = 200
MIN_OPTIONS = 2
MAX_OPTIONS = 8
MAX_ACCEPTED = 10
MAX_ARTICLES = 10
MAX_EXPLANATION = 2000
TRUE, FALSE = "true", "false"
PAGE_SIZE = 50


@dataclass(frozen=True)
class QuestionData:
    """A question as written: ``answer`` holds the right options' indexes (as strings) of
    a choice question, ``true`` or ``false``, or the accepted texts of a blank."""

    kind: str
    stem: str
    options: list[str] = field(default_factory=list)
    answer: list[str] = field(default_factory=list)
    module_id: int | None = None
    difficulty: int = Difficulty.MEDIUM
    explanation: str = ""
    article_ids: list[int] = field(default_factory=list)


_PUNCTUATION_OR_SPACE = re.compile(r"[\s]+")


def normalise_blank(text: str) -> str:
    """A fill-in answer as compared: the text pipeline's canonical form (NFKC, simplified
    characters, case folded) without spaces or punctuation, so '１００８６。' equals
    '10086'."""
    canonical = normalize(text)
    return "".join(ch for ch in _PUNCTUATION_OR_SPACE.sub("", canonical)
                   if not unicodedata.category(ch).startswith("P"))


def question_problems(session: Session, data: QuestionData) -> list[dict[str, Any]]:
    """Every problem of a question as written (empty: it may be stored)."""
    problems: list[dict[str, Any]] = []
    if data.kind not in set(QuestionKind):
        problems.append({"field": "kind", "code": "invalid_choice", "value": data.kind})
        return problems
    if not data.stem.strip():
        problems.append({"field": "stem", "code": "required", "value": ""})
    elif len(data.stem) > MAX_STEM:
        problems.append({"field": "stem", "code": "too_long", "max": MAX_STEM, "value": ""})
    if data.difficulty not in set(Difficulty):
        problems.append({"field": "difficulty", "code": "invalid_choice",
                         "value": data.difficulty})
    if len(data.explanation) > MAX_EXPLANATION:
        problems.append({"field": "explanation", "code": "too_long", "max": MAX_EXPLANATION,
                         "value": ""})
    problems.extend(_answer_problems(data))
    if data.module_id is not None and session.get(Module, data.module_id) is None:
        problems.append({"field": "module_id", "code": "unknown_module",
                         "value": data.module_id})
    if len(data.article_ids) > MAX_ARTICLES:
        problems.append({"field": "article_ids", "code": "too_many", "max": MAX_ARTICLES,
                         "value": ""})
    elif data.article_ids:
        found = set(session.scalars(select(Article.id).where(
            Article.id.in_(data.article_ids))))
        for missing in sorted(set(data.article_ids) - found):
            problems.append({"field": "article_ids", "code": "exam_unknown_article",
                             "value": missing})
    return problems


def _answer_problems(data: QuestionData) -> list[dict[str, Any]]:
    if data.kind == QuestionKind.TRUE_FALSE:
        if data.answer not in ([TRUE], [FALSE]):
            return [{"field": "answer", "code": "exam_true_false", "value": ",".join(data.answer)}]
        return []
    if data.kind == QuestionKind.FILL:
        accepted = [a for a in data.answer if a.strip()]
        if not accepted or len(accepted) != len(data.answer) or len(accepted) > MAX_ACCEPTED \
                or any(not normalise_blank(a) for a in accepted):
            return [{"field": "answer", "code": "exam_accepted", "value": "",
                     "max": MAX_ACCEPTED}]
        return []
    options = data.options
    if not MIN_OPTIONS <= len(options) <= MAX_OPTIONS or any(not o.strip() for o in options) \
            or any(len(o) > MAX_OPTION for o in options):
        return [{"field": "options", "code": "quiz_options", "value": "", "min": MIN_OPTIONS,
                 "max": MAX_OPTIONS}]
    if len({o.strip() for o in options}) != len(options):
        return [{"field": "options", "code": "exam_duplicate_option", "value": ""}]
    indexes = {str(i) for i in range(len(options))}
    right = set(data.answer)
    if not right or not right <= indexes or len(right) != len(data.answer) or (
            data.kind == QuestionKind.SINGLE and len(right) != 1):
        return [{"field": "answer", "code": "quiz_answer", "value": ",".join(data.answer)}]
    return []


def _clean(data: QuestionData) -> QuestionData:
    choice = data.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE)
    return QuestionData(
        kind=data.kind, stem=data.stem.strip(),
        options=[o.strip() for o in data.options] if choice else [],
        answer=sorted(data.answer, key=int) if choice else [a.strip() for a in data.answer],
        module_id=data.module_id, difficulty=int(data.difficulty),
        explanation=data.explanation.strip(), article_ids=sorted(set(data.article_ids)))


def _store(session: Session, question: ExamQuestion, data: QuestionData) -> None:
    question.kind = data.kind
    question.stem = data.stem
    question.options = data.options
    question.answer = data.answer
    question.module_id = data.module_id
    question.difficulty = data.difficulty
    question.explanation = data.explanation
    session.flush()
    session.execute(delete(ExamQuestionArticle).where(
        ExamQuestionArticle.question_id == question.id))
    for article_id in data.article_ids:
        session.add(ExamQuestionArticle(question_id=question.id, article_id=article_id))
    session.flush()


def add_question(session: Session, *, actor: User, data: QuestionData,
                 source: str = QuestionSource.MANUAL, generator_key: str | None = None,
                 audit: bool = True) -> ExamQuestion:
    """Write a question into the bank as a draft."""
    access.require_exam_manager(actor)
    problems = question_problems(session, data)
    if problems:
        raise FieldErrors(problems)
    clean = _clean(data)
    question = ExamQuestion(kind=clean.kind, stem=clean.stem, source=source,
                            generator_key=generator_key, status=QuestionStatus.DRAFT,
                            created_by_id=actor.id)
    session.add(question)
    session.flush()
    _store(session, question, clean)
    if audit:
        record(session, actor=actor, action="exam.question_create", entity_type="exam_question",
               entity_id=question.id, summary=clean.stem[:80])
    return question


def get_question(session: Session, *, actor: User, question_id: int) -> ExamQuestion:
    access.require_exam_manager(actor)
    question = session.get(ExamQuestion, question_id)
    if question is None:
        raise QuestionNotFound()
    return question


def update_question(session: Session, *, actor: User, question_id: int, data: QuestionData
                    ) -> ExamQuestion:
    """Change a question; a reviewed question goes back to draft and needs a new review
    (attempts already drawn keep what they were asked)."""
    question = get_question(session, actor=actor, question_id=question_id)
    problems = question_problems(session, data)
    if problems:
        raise FieldErrors(problems)
    _store(session, question, _clean(data))
    if question.status == QuestionStatus.REVIEWED:
        question.status = QuestionStatus.DRAFT
        question.reviewed_by_id = None
        question.reviewed_at = None
    question.updated_at = utcnow()
    record(session, actor=actor, action="exam.question_update", entity_type="exam_question",
           entity_id=question.id, summary=question.stem[:80])
    return question


def review_questions(session: Session, *, actor: User, question_ids: Sequence[int],
                     status: str = QuestionStatus.REVIEWED) -> int:
    """Mark questions reviewed (usable in exams), back to draft, or retired; returns how
    many changed."""
    access.require_exam_manager(actor)
    if status not in set(QuestionStatus):
        raise FieldErrors([{"field": "status", "code": "invalid_choice", "value": status}])
    changed = 0
    for question in session.scalars(select(ExamQuestion).where(
            ExamQuestion.id.in_(list(question_ids)))):
        if question.status == status:
            continue
        question.status = status
        question.reviewed_by_id = actor.id if status == QuestionStatus.REVIEWED else None
        question.reviewed_at = utcnow() if status == QuestionStatus.REVIEWED else None
        changed += 1
    session.flush()
    if changed:
        record(session, actor=actor, action="exam.question_review", entity_type="exam_question",
               summary=f"{status}: {changed}", after={"ids": sorted(question_ids)[:200]})
    return changed


@dataclass(frozen=True)
class QuestionFilter:
    module_id: int | None = None
    kind: str | None = None
    status: str | None = None
    difficulty: int | None = None
    article_id: int | None = None
    text: str = ""


def _filtered(session: Session, query: Select[Any], where: QuestionFilter) -> Select[Any]:
    if where.module_id is not None:
        ids = module_subtree(session, [where.module_id]) or [where.module_id]
        query = query.where(ExamQuestion.module_id.in_(ids))
    if where.kind:
        query = query.where(ExamQuestion.kind == where.kind)
    if where.status:
        query = query.where(ExamQuestion.status == where.status)
    if where.difficulty:
        query = query.where(ExamQuestion.difficulty == where.difficulty)
    if where.article_id is not None:
        query = query.where(ExamQuestion.id.in_(
            select(ExamQuestionArticle.question_id).where(
                ExamQuestionArticle.article_id == where.article_id)))
    if where.text.strip():
        pattern = f"%{where.text.strip()}%"
        query = query.where(or_(ExamQuestion.stem.like(pattern),
                                ExamQuestion.explanation.like(pattern)))
    return query


def list_questions(session: Session, *, actor: User, where: QuestionFilter | None = None,
                   offset: int = 0, limit: int = PAGE_SIZE) -> tuple[list[ExamQuestion], int]:
    """A page of the bank (newest first) and how many match."""
    access.require_exam_manager(actor)
    where = where or QuestionFilter()
    query = _filtered(session, select(ExamQuestion), where)
    total = session.scalar(_filtered(
        session, select(func.count(ExamQuestion.id)), where)) or 0
    rows = session.scalars(query.order_by(ExamQuestion.id.desc())
                           .offset(max(0, offset)).limit(max(1, min(limit, 500))))
    return list(rows), total


def articles_of(session: Session, question_ids: Sequence[int]) -> dict[int, list[Article]]:
    """The articles each question depends on."""
    found: dict[int, list[Article]] = {q: [] for q in question_ids}
    if not question_ids:
        return found
    rows = session.execute(select(ExamQuestionArticle.question_id, Article)
                           .join(Article, Article.id == ExamQuestionArticle.article_id)
                           .where(ExamQuestionArticle.question_id.in_(list(question_ids)))
                           .order_by(Article.code))
    for question_id, article in rows:
        found[question_id].append(article)
    return found


def module_subtree(session: Session, module_ids: Sequence[int]) -> list[int]:
    """The modules and every module below them."""
    return sorted(modules_within(session, roots=module_ids)) if module_ids else []


def counts_by_status(session: Session, *, actor: User) -> dict[str, int]:
    access.require_exam_manager(actor)
    rows = session.execute(select(ExamQuestion.status, func.count(ExamQuestion.id))
                           .group_by(ExamQuestion.status))
    return {str(status): int(n) for status, n in rows}
