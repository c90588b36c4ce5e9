"""The demo's question bank, formal exam and its item analysis are filled."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from seci.accounts.models import User
from seci.demo.exams import FORMAL_TITLE
from seci.demo.loader import load_demo
from seci.people import attempts, exams, item_analysis, questions
from seci.people.exam_models import QuestionSource, QuestionStatus


def test_the_demo_exam_is_taken_and_analysed(db: Session) -> None:
    load_demo(db)
    trainer = db.scalar(select(User).where(User.username == "trainer"))
    assert trainer is not None
    bank, total = questions.list_questions(db, actor=trainer, where=questions.QuestionFilter(
        status=QuestionStatus.REVIEWED), limit=500)
    assert total >= 30 and all(q.source == QuestionSource.GENERATED for q in bank)
    assert {q.kind for q in bank} >= {"single", "fill"}
    formal = next(e for e in exams.list_exams(db, actor=trainer) if e.title == FORMAL_TITLE)
    results = attempts.exam_results(db, actor=trainer, exam_id=formal.id)
    assert results.finished >= 15
    scores = [r.score_percent for r in results.rows if r.score_percent is not None]
    assert max(scores) - min(scores) >= 40  # weak to strong
    assert any(r.attempt.expired for r in results.rows)
    assert results.pass_rate is not None and 0 < results.pass_rate < 1
    analysis = item_analysis.exam_analysis(db, actor=trainer, exam_id=formal.id)
    assert analysis.enough and analysis.common_questions == 20
    assert analysis.alpha is not None and analysis.alpha > 0.5
    assert analysis.sem is not None and analysis.weak
    agent = db.scalar(select(User).where(User.username == "agent"))
    assert agent is not None
    assert formal.id in {e.id for e in exams.available_exams(db, actor=agent)}
    assert attempts.my_history(db, actor=agent)  # the practice round
