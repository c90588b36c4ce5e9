"""A small question bank and exams for the exam tests."""

from __future__ import annotations

import random

from sqlalchemy.orm import Session

from seci.people import exams, questions
from seci.people.exam_models import Exam, ExamMode, ExamQuestion, QuestionKind
from seci.people.questions import QuestionData
from tests.factories import World


def bank(db: Session, world: World, *, reviewed: bool = True) -> list[ExamQuestion]:
    """Four questions, one of each kind, in 资费套餐."""
    module_id = world.modules["资费套餐"].id
    specs = [
        QuestionData(kind=QuestionKind.SINGLE, stem="国际漫游包天资费是多少？",
                     options=["10元", "25元", "30元", "50元"], answer=["1"],
                     module_id=module_id, difficulty=1),
        QuestionData(kind=QuestionKind.MULTIPLE, stem="哪些方式可以开通国际漫游？",
                     options=["发短信 KTMY 到 10086", "营业厅", "拨打 12345"],
                     answer=["0", "1"], module_id=module_id, difficulty=2),
        QuestionData(kind=QuestionKind.TRUE_FALSE, stem="国际漫游需要先开通国际长途。",
                     answer=["true"], module_id=module_id, difficulty=2),
        QuestionData(kind=QuestionKind.FILL, stem="客服热线是____。",
                     answer=["10086", "中国移动10086"], module_id=module_id, difficulty=3),
    ]
    made = [questions.add_question(db, actor=world["trainer"], data=spec) for spec in specs]
    if reviewed:
        questions.review_questions(db, actor=world["trainer"],
                                   question_ids=[q.id for q in made])
    db.flush()
    return made


def exam(db: Session, world: World, *, mode: str = ExamMode.FORMAL, count: int = 4,
         minutes: int = 30, pass_percent: int = 75, max_attempts: int | None = None) -> Exam:
    return exams.create_exam(db, actor=world["trainer"], settings=exams.ExamSettings(
        title="漫游知识考试", module_ids=[world.modules["个人业务"].id], question_count=count,
        pass_percent=pass_percent, time_limit_minutes=minutes, mode=mode,
        max_attempts=max_attempts))


def seeded(seed: int = 7) -> random.Random:
    return random.Random(seed)
