"""Agent feedback (纠错), votes, view counts and the new-knowledge push."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from seci.core.errors import FieldErrors
from seci.knowledge import articles as kb
from seci.knowledge import feedback as fb
from seci.knowledge import push, usage
from seci.knowledge.errors import ArticleNotFound, InvalidTransition, NotArticleOwner
from seci.knowledge.models import FeedbackStatus
from tests.factories import World, make_article, revise


def test_flag_fix_and_the_agent_sees_the_outcome(db: Session, world: World) -> None:
    article = make_article(db, world, body="套餐外流量0.29元/MB")
    item = fb.flag_article(db, article_id=article.id, user=world["agent"], kind="outdated",
                           comment="单价已调整为3元/GB")
    inbox = fb.owner_inbox(db, user=world["editor"])
    assert [(f.id, a.id) for f, a in inbox] == [(item.id, article.id)]
    assert fb.owner_inbox(db, user=world["editor_home"]) == []

    fb.accept_feedback(db, feedback_id=item.id, user=world["editor"])
    revise(db, world, article, body="套餐外流量3元/GB")

    [(mine, _)] = fb.my_reports(db, user=world["agent"])
    db.refresh(mine)
    assert mine.status == FeedbackStatus.FIXED
    assert mine.fixed_version_no == 2
    assert fb.owner_inbox(db, user=world["editor"]) == []


def test_decline_needs_a_reason_the_agent_can_read(db: Session, world: World) -> None:
    article = make_article(db, world)
    item = fb.flag_article(db, article_id=article.id, user=world["agent"], kind="wrong",
                           comment="号码写错了")
    with pytest.raises(FieldErrors):
        fb.decline_feedback(db, feedback_id=item.id, user=world["editor"], reason="")
    fb.decline_feedback(db, feedback_id=item.id, user=world["editor"],
                        reason="号码与通告一致，无需修改")
    [(mine, _)] = fb.my_reports(db, user=world["agent"])
    assert mine.status == FeedbackStatus.DECLINED
    assert mine.response == "号码与通告一致，无需修改"
    with pytest.raises(InvalidTransition):
        fb.accept_feedback(db, feedback_id=item.id, user=world["editor"])


def test_only_the_owner_or_a_manager_handles_feedback(db: Session, world: World) -> None:
    article = make_article(db, world)
    item = fb.flag_article(db, article_id=article.id, user=world["agent"], kind="unclear",
                           comment="步骤看不懂")
    for name in ("editor2", "agent", "reviewer"):
        with pytest.raises(NotArticleOwner):
            fb.accept_feedback(db, feedback_id=item.id, user=world[name])
        # Nor do they read the article's feedback: the service decides, not the page.
        assert fb.feedback_for_article(db, user=world[name], article=article) == []
    assert fb.feedback_for_article(db, user=world["editor"], article=article) == [item]
    fb.accept_feedback(db, feedback_id=item.id, user=world["manager"])


def test_feedback_needs_a_kind_and_a_comment(db: Session, world: World) -> None:
    article = make_article(db, world)
    with pytest.raises(FieldErrors) as caught:
        fb.flag_article(db, article_id=article.id, user=world["agent"], kind="boring",
                        comment=" ")
    assert {e["field"] for e in caught.value.errors} == {"kind", "comment"}


def test_nobody_flags_what_they_cannot_see(db: Session, world: World) -> None:
    article = make_article(db, world, queue_ids=world.queue_ids("VIP"))
    with pytest.raises(ArticleNotFound):
        fb.flag_article(db, article_id=article.id, user=world["agent"], kind="wrong",
                        comment="x")


def test_votes_count_once_per_user_and_can_change(db: Session, world: World) -> None:
    article = make_article(db, world)
    usage.vote(db, article_id=article.id, user=world["agent"], helpful=True)
    usage.vote(db, article_id=article.id, user=world["agent"], helpful=True)
    result = usage.vote(db, article_id=article.id, user=world["supervisor"], helpful=True)
    assert (result.helpful_count, result.unhelpful_count) == (2, 0)
    result = usage.vote(db, article_id=article.id, user=world["agent"], helpful=False)
    assert (result.helpful_count, result.unhelpful_count) == (1, 1)


def test_views_are_counted_without_disturbing_editors(db: Session, world: World) -> None:
    article = make_article(db, world)
    lock = kb.get_article(db, article_id=article.id).lock_version
    usage.add_views(db, counts={article.id: 2})
    db.expire_all()
    fresh = kb.get_article(db, article_id=article.id)
    assert fresh.view_count == 2
    assert fresh.lock_version == lock


def test_new_knowledge_is_pushed_to_the_queue_and_acknowledged(db: Session,
                                                               world: World) -> None:
    for_a = make_article(db, world, queue_ids=world.queue_ids("A"))
    make_article(db, world, queue_ids=world.queue_ids("VIP"))
    items = push.new_knowledge(db, user=world["agent"], days=30)
    assert [i.article.id for i in items] == [for_a.id]
    assert items[0].acked_at is None

    [row] = [c for c in push.coverage(db, actor=world["supervisor"], days=30)
             if c.article.id == for_a.id]
    assert [u.username for u in row.missing] == ["agent"]

    push.acknowledge(db, user=world["agent"], version_id=items[0].version.id)
    push.acknowledge(db, user=world["agent"], version_id=items[0].version.id)  # idempotent
    assert push.new_knowledge(db, user=world["agent"], days=30)[0].acked_at is not None
    [row] = [c for c in push.coverage(db, actor=world["supervisor"], days=30)
             if c.article.id == for_a.id]
    assert row.missing == [] and row.rate == 1.0


def test_a_changed_article_is_pushed_again(db: Session, world: World) -> None:
    article = make_article(db, world)
    first = push.new_knowledge(db, user=world["agent"], days=30)[0]
    push.acknowledge(db, user=world["agent"], version_id=first.version.id)
    revise(db, world, article, body="资费调整")
    [item] = push.new_knowledge(db, user=world["agent"], days=30)
    assert item.version.version_no == 2 and item.acked_at is None


def test_agents_cannot_see_coverage(db: Session, world: World) -> None:
    from seci.core.errors import PermissionDenied

    with pytest.raises(PermissionDenied):
        push.coverage(db, actor=world["agent"], days=30)


def test_a_scheduled_version_is_news_when_it_takes_effect(db: Session, world: World) -> None:
    from datetime import timedelta

    from seci.core.clock import today

    start = today() + timedelta(days=60)
    article = make_article(db, world, valid_from=start)
    assert push.new_knowledge(db, user=world["agent"], days=30) == []
    items = push.new_knowledge(db, user=world["agent"], days=30, on=start)
    assert [i.article.id for i in items] == [article.id]


def test_the_home_counts_agree_with_the_feedback_page(db: Session, world: World) -> None:
    """Home's 纠错 counts: an agent's own flags still waiting ("What I reported"), an
    owner's open inbox; a handled flag leaves both."""
    article = make_article(db, world)
    other = make_article(db, world, code="KB-OTHER")
    first = fb.flag_article(db, article_id=article.id, user=world["agent"], kind="wrong",
                            comment="资费已调整")
    fb.flag_article(db, article_id=other.id, user=world["agent"], kind="unclear",
                    comment="看不懂")
    agent, owner = world["agent"], world["editor"]
    waiting = [f for f, _ in fb.my_reports(db, user=agent) if f.status in fb.PENDING]
    assert fb.count_own_pending_for(db, actor=agent) == len(waiting) == 2
    assert fb.count_to_handle_for(db, actor=agent) == 0
    assert fb.count_to_handle_for(db, actor=owner) == len(fb.owner_inbox(db, user=owner)) == 2
    fb.decline_feedback(db, feedback_id=first.id, user=owner, reason="资费未变")
    assert fb.count_own_pending_for(db, actor=agent) == 1
    assert fb.count_to_handle_for(db, actor=owner) == 1
