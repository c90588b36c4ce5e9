"""The quiz (scoring, pass mark, locking) and coverage per team against hand counts."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from seci.accounts import service as accounts
from seci.accounts.roles import Role
from seci.core.errors import FieldErrors, PermissionDenied
from seci.linkage import coverage, quiz
from seci.linkage.errors import NoticeNotFound, QuizAlreadyTaken
from seci.linkage.models import QuizQuestion
from tests.factories import World
from tests.linkage.helpers import QUESTIONS, released


def _question(answer: int) -> QuizQuestion:
    return QuizQuestion(position=0, text="q", options=["a", "b", "c"], answer=answer)


def test_score_counts_right_answers_and_rounds_down() -> None:
    questions = [_question(0), _question(1), _question(2)]
    assert quiz.score(questions, [0, 1, 2]) == (3, 100)
    assert quiz.score(questions, [0, 1, 0]) == (2, 66)  # 2/3 = 66.7 % → 66
    assert quiz.score(questions, [1, 0, 0]) == (0, 0)


def test_pass_mark_decides_passed(db: Session, world: World) -> None:
    notice, _ = released(db, world)
    quiz.set_quiz(db, notice_id=notice.id, actor=world["trainer"], questions=QUESTIONS,
                  pass_percent=60)
    failed = quiz.take_quiz(db, notice_id=notice.id, user=world["agent"], answers=[1, 1])
    assert (failed.correct, failed.score_percent, failed.passed) == (1, 50, False)
    passed = quiz.take_quiz(db, notice_id=notice.id, user=world["agent"], answers=[1, 0])
    assert passed.passed
    best = quiz.best_attempt(db, notice_id=notice.id, user_id=world["agent"].id)
    assert best is passed


def test_quiz_rules(db: Session, world: World) -> None:
    notice, _ = released(db, world)
    with pytest.raises(PermissionDenied):
        quiz.set_quiz(db, notice_id=notice.id, actor=world["agent"], questions=QUESTIONS)
    with pytest.raises(FieldErrors):
        quiz.set_quiz(db, notice_id=notice.id, actor=world["trainer"], questions=[
            quiz.QuestionSpec("只有一个选项", ["A"], 0)])
    with pytest.raises(FieldErrors):
        quiz.set_quiz(db, notice_id=notice.id, actor=world["trainer"], questions=[
            quiz.QuestionSpec("答案越界", ["A", "B"], 2)])
    quiz.set_quiz(db, notice_id=notice.id, actor=world["trainer"], questions=QUESTIONS[:1])
    quiz.set_quiz(db, notice_id=notice.id, actor=world["trainer"], questions=QUESTIONS)
    assert len(quiz.questions_of(db, quiz_id=quiz.get_quiz(db, notice_id=notice.id).id)) == 2
    with pytest.raises(FieldErrors):  # one answer per question
        quiz.take_quiz(db, notice_id=notice.id, user=world["agent"], answers=[1])
    with pytest.raises(PermissionDenied):
        quiz.take_quiz(db, notice_id=notice.id, user=world["trainer"], answers=[1, 0])
    quiz.take_quiz(db, notice_id=notice.id, user=world["agent"], answers=[1, 0])
    with pytest.raises(QuizAlreadyTaken):
        quiz.set_quiz(db, notice_id=notice.id, actor=world["trainer"], questions=QUESTIONS)


def test_agents_of_other_queues_neither_acknowledge_nor_take_it(db: Session,
                                                                world: World) -> None:
    notice, _ = released(db, world)
    quiz.set_quiz(db, notice_id=notice.id, actor=world["trainer"], questions=QUESTIONS)
    # agent_data works 数据专席 only: the notice does not even exist for them.
    with pytest.raises(NoticeNotFound):
        quiz.take_quiz(db, notice_id=notice.id, user=world["agent_data"], answers=[1, 0])
    with pytest.raises(NoticeNotFound):
        coverage.acknowledge_notice(db, notice_id=notice.id, user=world["agent_data"])


def test_coverage_per_team_hand_counted(db: Session, world: World) -> None:
    queue_a = world.queue_ids("A")
    extra = {name: accounts.create_user(db, username=name, password="secret-pass-1",
                                        display_name=name, roles=[Role.AGENT],
                                        queue_ids=queue_a, team=team)
             for name, team in (("a2", "A组"), ("a3", "A组"), ("b1", "B组"))}
    world["agent"].team = "A组"
    notice, _ = released(db, world)
    quiz.set_quiz(db, notice_id=notice.id, actor=world["trainer"], questions=QUESTIONS)
    # A组: agent acknowledges + passes, a2 acknowledges + fails, a3 nothing.
    # B组: b1 passes without acknowledging.
    coverage.acknowledge_notice(db, notice_id=notice.id, user=world["agent"])
    quiz.take_quiz(db, notice_id=notice.id, user=world["agent"], answers=[1, 0])
    coverage.acknowledge_notice(db, notice_id=notice.id, user=extra["a2"])
    quiz.take_quiz(db, notice_id=notice.id, user=extra["a2"], answers=[0, 1])
    quiz.take_quiz(db, notice_id=notice.id, user=extra["b1"], answers=[1, 0])
    rows = {r.team: r for r in coverage.coverage_for(db, notice_id=notice.id,
                                                     actor=world["manager"])}
    assert set(rows) == {"A组", "B组"}
    a_team, b_team = rows["A组"], rows["B组"]
    assert (len(a_team.agents), len(a_team.acknowledged), len(a_team.passed)) == (3, 2, 1)
    assert a_team.ack_rate == pytest.approx(2 / 3)
    assert a_team.pass_rate == pytest.approx(1 / 3)
    assert [u.username for u in a_team.missing] == ["a2", "a3"]
    assert (b_team.ack_rate, b_team.pass_rate) == (0.0, 1.0)
    with pytest.raises(PermissionDenied):
        coverage.coverage_for(db, notice_id=notice.id, actor=world["agent"])


def test_supervisors_see_the_agents_of_their_queues_only(db: Session, world: World) -> None:
    notice, _ = released(db, world, queue_ids=world.queue_ids("A", "数据专席"))
    everyone = coverage.coverage_for(db, notice_id=notice.id, actor=world["manager"])
    assert sorted(u.username for r in everyone for u in r.agents) == ["agent", "agent_data"]
    mine = coverage.coverage_for(db, notice_id=notice.id, actor=world["supervisor"])  # queue A
    assert [u.username for r in mine for u in r.agents] == ["agent"]
