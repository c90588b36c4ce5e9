"""Who may act on the question bank, exams and attempts, checked by the services."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session

from seci.core.errors import NotFound
from seci.people import attempts, exams, questions
from seci.people.exam_models import QuestionKind
from seci.people.question_generation import generate_from_article
from seci.people.question_import import import_questions
from seci.people.questions import QuestionData
from tests.authorization import Case, allowances, check_allowed, check_refused, refusals
from tests.factories import World, make_article
from tests.people.exam_helpers import bank, exam, seeded

QUESTION = QuestionData(kind=QuestionKind.TRUE_FALSE, stem="判断题", answer=["true"])
BODY = "国际漫游包天资费为25元/天。开通后24小时内生效。"


def _bank(db: Session, world: World) -> Any:
    return bank(db, world)


def _exam(db: Session, world: World) -> Any:
    bank(db, world)
    return exam(db, world)


def _attempt(db: Session, world: World) -> Any:
    bank(db, world)
    return exams.start_attempt(db, actor=world["agent"], exam_id=exam(db, world).id,
                               rng=seeded())


def _article(db: Session, world: World) -> Any:
    return make_article(db, world, body=BODY)


def _file(db: Session, world: World) -> Any:
    path = Path(tempfile.mkdtemp()) / "questions.csv"
    path.write_text("题型,题干,答案\n判断,漫游要先开长途。,对\n", encoding="utf-8")
    return path


def _settings() -> exams.ExamSettings:
    return exams.ExamSettings(title="新考试", question_count=2)


CASES = [
    Case("add_question", lambda db, w, actor, _: questions.add_question(
        db, actor=actor, data=QUESTION), refused="agent", allowed="trainer"),
    Case("update_question", lambda db, w, actor, made: questions.update_question(
        db, actor=actor, question_id=made[0].id, data=QUESTION),
        refused="supervisor", allowed="manager", setup=_bank),
    Case("review_questions", lambda db, w, actor, made: questions.review_questions(
        db, actor=actor, question_ids=[made[0].id], status="retired"),
        refused="editor", allowed="trainer", setup=_bank),
    Case("generate_from_article", lambda db, w, actor, article: generate_from_article(
        db, actor=actor, article_id=article.id),
        refused="reviewer", allowed="trainer", setup=_article),
    Case("import_questions", lambda db, w, actor, path: import_questions(
        db, actor=actor, path=path, filename="q.csv"),
        refused="analyst", allowed="trainer", setup=_file),
    Case("create_exam", lambda db, w, actor, _: exams.create_exam(
        db, actor=actor, settings=_settings()), refused="agent", allowed="trainer"),
    Case("update_exam", lambda db, w, actor, found: exams.update_exam(
        db, actor=actor, exam_id=found.id, settings=_settings()),
        refused="supervisor", allowed="manager", setup=_exam),
    Case("archive_exam", lambda db, w, actor, found: exams.archive_exam(
        db, actor=actor, exam_id=found.id), refused="agent", allowed="trainer", setup=_exam),
    Case("start_attempt", lambda db, w, actor, found: exams.start_attempt(
        db, actor=actor, exam_id=found.id), refused="trainer", allowed="agent", setup=_exam),
    Case("save_answer", lambda db, w, actor, attempt: attempts.save_answer(
        db, actor=actor, attempt_id=attempt.id, position=0, response=[]),
        refused="supervisor", allowed="agent", setup=_attempt, error=NotFound),
    Case("submit_attempt", lambda db, w, actor, attempt: attempts.submit_attempt(
        db, actor=actor, attempt_id=attempt.id),
        refused="supervisor", allowed="agent", setup=_attempt, error=NotFound),
    Case("settle_exam", lambda db, w, actor, found: attempts.settle_exam(
        db, actor=actor, exam_id=found.id), refused="agent", allowed="trainer", setup=_exam),
]


@pytest.mark.parametrize(("case", "who"), refusals(CASES))
def test_refused(db: Session, world: World, case: Case, who: str) -> None:
    check_refused(db, world, case, who)


@pytest.mark.parametrize("case", allowances(CASES))
def test_allowed(db: Session, world: World, case: Case) -> None:
    check_allowed(db, world, case)


def test_an_agent_sees_only_their_own_attempts(db: Session, world: World) -> None:
    attempt = _attempt(db, world)
    with pytest.raises(NotFound):
        attempts.attempt_view(db, actor=world["agent_data"], attempt_id=attempt.id)
    assert attempts.review_view(db, actor=world["trainer"], attempt_id=attempt.id).items
