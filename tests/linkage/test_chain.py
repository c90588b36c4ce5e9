"""One notice through every post: each state change, its audit, deadlines and overdue."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from seci.audit.models import AuditEvent
from seci.core.clock import today
from seci.core.errors import FieldErrors, PermissionDenied
from seci.knowledge import articles as kb
from seci.knowledge import feedback
from seci.knowledge.models import ArticleStatus, FeedbackKind, KnowledgeAck
from seci.linkage import chain, coverage, flags, inbox, notices, quiz
from seci.linkage.errors import (
    AlreadyReleased,
    ArticleNotLinked,
    NoticeNotFound,
    NotReadyToRelease,
    NotReleased,
)
from seci.linkage.models import Post
from tests.factories import World
from tests.linkage.helpers import QUESTIONS, drafted, new_notice, released, statuses


def test_a_notice_goes_through_every_post(db: Session, world: World) -> None:
    world["agent"].team = world["supervisor"].team = "A组"
    notice, article = drafted(db, world)
    assert article.status == ArticleStatus.DRAFT
    assert article.queue_ids == world.queue_ids("A")
    assert statuses(db, notice) == {
        "business": "open", "quality": "waiting", "publishing": "waiting",
        "training": "waiting", "agents": "waiting", "supervisors": "waiting"}

    with pytest.raises(NotReadyToRelease):
        notices.release_notice(db, notice_id=notice.id, actor=world["manager"])
    notices.submit_drafts(db, notice_id=notice.id, actor=world["manager"])
    assert statuses(db, notice)["business"] == "done"
    assert statuses(db, notice)["quality"] == "open"

    kb.approve_article(db, article_id=article.id, actor=world["reviewer"])  # the KB's review
    assert [statuses(db, notice)[p] for p in ("quality", "publishing", "training")] == [
        "done", "open", "open"]

    notices.release_notice(db, notice_id=notice.id, actor=world["manager"])
    with pytest.raises(AlreadyReleased):
        notices.release_notice(db, notice_id=notice.id, actor=world["manager"])
    assert statuses(db, notice)["publishing"] == "done"
    assert statuses(db, notice)["agents"] == "waiting"  # no quiz yet

    quiz.set_quiz(db, notice_id=notice.id, actor=world["trainer"], questions=QUESTIONS,
                  intro="重点记住月费与生效日期。")
    assert statuses(db, notice)["training"] == "done"
    assert statuses(db, notice)["agents"] == "open"

    assert coverage.acknowledge_notice(db, notice_id=notice.id, user=world["agent"]) == 1
    assert db.scalar(select(KnowledgeAck).where(  # the KB's own read receipt
        KnowledgeAck.user_id == world["agent"].id,
        KnowledgeAck.version_id == article.live_version_id)) is not None
    attempt = quiz.take_quiz(db, notice_id=notice.id, user=world["agent"], answers=[1, 0])
    assert (attempt.score_percent, attempt.passed) == (100, True)
    assert statuses(db, notice)["agents"] == "done"
    assert statuses(db, notice)["supervisors"] == "open"

    coverage.confirm_team(db, notice_id=notice.id, actor=world["supervisor"], note="班前会已讲")
    assert chain.notice_chain(db, notice=notice).complete

    flagged = flags.flag_wrong_answer(db, notice_id=notice.id, article_id=article.id,
                                      actor=world["reviewer"], call_ref="REC-20261123-0042",
                                      comment="坐席答成38元", agent_id=world["agent"].id)
    assert (flagged.kind, flagged.article_id) == (FeedbackKind.WRONG, article.id)
    assert flagged in [fb for fb, _ in feedback.owner_inbox(db, user=world["manager"])]
    flagged_calls = flags.call_flags(db, notice_id=notice.id, actor=world["manager"])
    assert [f.call_ref for f, _ in flagged_calls] == ["REC-20261123-0042"]

    actions = set(db.scalars(select(AuditEvent.action).where(
        AuditEvent.entity_type == "notice", AuditEvent.entity_id == str(notice.id))))
    assert actions == {"notice.create", "notice.draft", "notice.release", "notice.quiz",
                       "notice.quiz_attempt", "notice.team_check", "notice.call_flag"}


def test_a_rejected_draft_sends_the_chain_back_to_business(db: Session, world: World) -> None:
    notice, article = drafted(db, world)
    notices.submit_drafts(db, notice_id=notice.id, actor=world["manager"])
    kb.reject_article(db, article_id=article.id, actor=world["reviewer"], comment="月费写错")
    assert statuses(db, notice)["business"] == "open"
    assert statuses(db, notice)["quality"] == "waiting"


def test_default_deadlines_and_overdue_posts(db: Session, world: World) -> None:
    notice = new_notice(db, world)
    due = notices.deadlines(db, notice_id=notice.id)
    assert due[Post.BUSINESS] == today() + timedelta(days=1)
    assert due[Post.SUPERVISORS] == today() + timedelta(days=7)
    assert chain.notice_chain(db, notice=notice).overdue == []
    # Three days on: business (due +1) and quality (due +2) are late; the due day is on time.
    later = today() + timedelta(days=3)
    late = chain.notice_chain(db, notice=notice, on=later).overdue
    assert [p.post for p in late] == [Post.BUSINESS, Post.QUALITY]
    assert chain.notice_chain(db, notice=notice, on=today() + timedelta(days=1)).overdue == []
    listed = chain.overdue_steps(db, actor=world["manager"], on=later)
    assert [(n.id, s.post) for n, s in listed] == [(notice.id, Post.BUSINESS),
                                                   (notice.id, Post.QUALITY)]


def test_deadlines_given_at_entry_and_moved_later(db: Session, world: World) -> None:
    notice = new_notice(db, world, due={Post.AGENTS: today() + timedelta(days=2)})
    assert notices.deadlines(db, notice_id=notice.id)[Post.AGENTS] == today() + timedelta(2)
    notices.set_deadline(db, notice_id=notice.id, post=Post.AGENTS,
                         due_on=today() + timedelta(days=9), actor=world["manager"])
    assert notices.deadlines(db, notice_id=notice.id)[Post.AGENTS] == today() + timedelta(9)
    with pytest.raises(PermissionDenied):
        notices.set_deadline(db, notice_id=notice.id, post=Post.AGENTS, due_on=today(),
                             actor=world["trainer"])


def test_notice_input_is_checked(db: Session, world: World) -> None:
    with pytest.raises(FieldErrors) as caught:
        new_notice(db, world, title=" ", queue_ids=[])
    assert {e["field"] for e in caught.value.errors} == {"title", "queue_ids"}
    with pytest.raises(PermissionDenied):
        notices.create_notice(db, actor=world["editor"], title="x", body="",
                              module_id=world.modules["资费套餐"].id,
                              queue_ids=world.queue_ids("A"))


def test_drafts_are_valid_from_the_effective_day(db: Session, world: World) -> None:
    start = today() + timedelta(days=10)
    _notice, article = drafted(db, world, effective_on=start)
    assert article.valid_from == start


def test_agents_see_only_released_notices_of_their_queues(db: Session, world: World) -> None:
    notice, _ = drafted(db, world)
    with pytest.raises(NoticeNotFound):
        notices.get_visible_notice(db, user=world["agent"], notice_id=notice.id)
    assert notices.list_notices(db, user=world["agent"]) == []
    assert notices.list_notices(db, user=world["trainer"]) == [notice]
    done, _ = released(db, world)
    assert notices.list_notices(db, user=world["agent"]) == [done]
    assert notices.list_notices(db, user=world["agent_data"]) == []


def test_call_flags_name_an_article_of_the_notice(db: Session, world: World) -> None:
    notice, _ = released(db, world)
    _other, stranger = released(db, world, title="另一通告")
    with pytest.raises(ArticleNotLinked):
        flags.flag_wrong_answer(db, notice_id=notice.id, article_id=stranger.id,
                                actor=world["reviewer"], call_ref="R1", comment="错")
    with pytest.raises(PermissionDenied):
        flags.flag_wrong_answer(db, notice_id=notice.id, article_id=stranger.id,
                                actor=world["agent"], call_ref="R1", comment="错")


def test_team_checks_need_a_release_and_a_team(db: Session, world: World) -> None:
    notice, _ = drafted(db, world)
    with pytest.raises(NotReleased):
        coverage.confirm_team(db, notice_id=notice.id, actor=world["supervisor"])
    done, _ = released(db, world)
    with pytest.raises(FieldErrors):  # the supervisor of no team
        coverage.confirm_team(db, notice_id=done.id, actor=world["supervisor"])
    with pytest.raises(PermissionDenied):
        coverage.confirm_team(db, notice_id=done.id, actor=world["agent"])


def test_inbox_shows_each_post_its_work(db: Session, world: World) -> None:
    world["supervisor"].team = "A组"
    notice, article = drafted(db, world)
    kinds = {u: [i.kind for i in inbox.items_for(db, world[u])]
             for u in ("manager", "reviewer", "trainer", "agent", "supervisor")}
    assert kinds["manager"] == ["notice.business"]
    assert kinds["reviewer"] == kinds["trainer"] == kinds["agent"] == kinds["supervisor"] == []
    notices.submit_drafts(db, notice_id=notice.id, actor=world["manager"])
    assert [i.kind for i in inbox.items_for(db, world["reviewer"])] == ["notice.quality"]
    kb.approve_article(db, article_id=article.id, actor=world["reviewer"])
    notices.release_notice(db, notice_id=notice.id, actor=world["manager"])
    assert [i.kind for i in inbox.items_for(db, world["agent"])] == ["notice.agents"]
    assert [i.kind for i in inbox.items_for(db, world["trainer"])] == ["notice.training"]
    assert [i.kind for i in inbox.items_for(db, world["supervisor"])] == ["notice.supervisors"]
    coverage.confirm_team(db, notice_id=notice.id, actor=world["supervisor"])
    assert inbox.items_for(db, world["supervisor"]) == []
