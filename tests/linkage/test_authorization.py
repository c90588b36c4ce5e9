"""Who may act in post linkage, checked by the services themselves."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.orm import Session

from seci.core.clock import today
from seci.knowledge import articles as kb
from seci.linkage import chain, coverage, flags, notices, quiz
from seci.linkage.errors import NoticeNotFound
from seci.linkage.models import Notice, Post
from tests.authorization import Case, allowances, check_allowed, check_refused, refusals
from tests.factories import World
from tests.linkage.helpers import QUESTIONS, drafted, new_notice, released


def _reviewed(db: Session, world: World) -> Notice:
    """Drafted, submitted and approved: ready to release."""
    notice, article = drafted(db, world)
    notices.submit_drafts(db, notice_id=notice.id, actor=world["manager"])
    kb.approve_article(db, article_id=article.id, actor=world["reviewer"])
    return notice


def _released(db: Session, world: World) -> Notice:
    return released(db, world)[0]


def _with_quiz(db: Session, world: World) -> Notice:
    notice = _released(db, world)
    quiz.set_quiz(db, notice_id=notice.id, actor=world["trainer"], questions=QUESTIONS)
    return notice


def _for_team_a(db: Session, world: World) -> Notice:
    world["supervisor"].team = "A组"
    return _released(db, world)


def _flaggable(db: Session, world: World) -> tuple[Notice, int]:
    notice, article = released(db, world)
    return notice, article.id


CASES = [
    Case("create_notice", lambda db, w, actor, _: notices.create_notice(
        db, actor=actor, title="关于调整流量包的业务通告", body="下月起调整。",
        module_id=w.modules["资费套餐"].id, queue_ids=w.queue_ids("A")),
        refused="trainer", allowed="manager"),
    Case("set_deadline", lambda db, w, actor, notice: notices.set_deadline(
        db, notice_id=notice.id, post=Post.AGENTS, due_on=today() + timedelta(days=9),
        actor=actor), setup=new_notice, refused="supervisor", allowed="manager"),
    Case("draft_article", lambda db, w, actor, notice: notices.draft_article(
        db, notice_id=notice.id, actor=actor, title="流量包资费说明", body="月费10元。"),
        setup=new_notice, refused="editor", allowed="manager"),
    Case("submit_drafts", lambda db, w, actor, pair: notices.submit_drafts(
        db, notice_id=pair[0].id, actor=actor), setup=drafted, refused="reviewer",
        allowed="manager"),
    Case("release_notice", lambda db, w, actor, notice: notices.release_notice(
        db, notice_id=notice.id, actor=actor), setup=_reviewed, refused="reviewer",
        allowed="manager"),
    Case("set_quiz", lambda db, w, actor, notice: quiz.set_quiz(
        db, notice_id=notice.id, actor=actor, questions=QUESTIONS), setup=_released,
        refused="manager", allowed="trainer"),
    Case("quiz_for_editing", lambda db, w, actor, notice: quiz.quiz_for_editing(
        db, notice_id=notice.id, actor=actor), setup=_with_quiz, refused="agent",
        allowed="trainer"),
    # agent_data works 数据专席 only: the notice (queue A) does not exist for them.
    Case("take_quiz", lambda db, w, actor, notice: quiz.take_quiz(
        db, notice_id=notice.id, user=actor, answers=[1, 0]), setup=_with_quiz,
        refused="agent_data", allowed="agent", error=NoticeNotFound),
    Case("acknowledge_notice", lambda db, w, actor, notice: coverage.acknowledge_notice(
        db, notice_id=notice.id, user=actor), setup=_released, refused="trainer",
        allowed="agent"),
    Case("confirm_team", lambda db, w, actor, notice: coverage.confirm_team(
        db, notice_id=notice.id, actor=actor, note="班前会已讲"), setup=_for_team_a,
        refused="agent", allowed="supervisor"),
    Case("coverage_for", lambda db, w, actor, notice: coverage.coverage_for(
        db, notice_id=notice.id, actor=actor), setup=_released, refused="agent",
        allowed="supervisor"),
    Case("flag_wrong_answer", lambda db, w, actor, pair: flags.flag_wrong_answer(
        db, notice_id=pair[0].id, article_id=pair[1], actor=actor,
        call_ref="REC-20261123-0042", comment="坐席答成38元"), setup=_flaggable,
        refused="manager", allowed="reviewer"),
    Case("call_flags", lambda db, w, actor, notice: flags.call_flags(
        db, notice_id=notice.id, actor=actor), setup=_released, refused="agent",
        allowed="analyst"),
    Case("overdue_steps", lambda db, w, actor, _: chain.overdue_steps(db, actor=actor),
         setup=new_notice, refused="agent", allowed="editor"),
]


@pytest.mark.parametrize(("case", "who"), refusals(CASES))
def test_refused(db: Session, world: World, case: Case, who: str) -> None:
    check_refused(db, world, case, who)


@pytest.mark.parametrize("case", allowances(CASES))
def test_allowed(db: Session, world: World, case: Case) -> None:
    check_allowed(db, world, case)


def test_only_quiz_managers_read_the_right_answers(db: Session, world: World) -> None:
    notice = _with_quiz(db, world)
    answers = {name: [q.answer for q in quiz.quiz_for(db, notice_id=notice.id,
                                                      actor=world[name])[1]]
               for name in ("trainer", "agent", "manager")}
    assert answers == {"trainer": [1, 0], "agent": [None, None], "manager": [None, None]}
    with pytest.raises(NoticeNotFound):
        quiz.quiz_for(db, notice_id=notice.id, actor=world["agent_data"])
