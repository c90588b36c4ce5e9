"""Review of a resubmitted revision: what changed since it was sent back, and a send-back
without a comment asked for on the review page itself."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from seci.knowledge import articles as kb
from seci.knowledge import versions
from seci.knowledge.models import ArticleStatus
from tests.conftest import csrf_of
from tests.factories import World, make_article, revise, web_login


def _rejected_then_resubmitted(db: Session, world: World) -> int:
    article = make_article(db, world, code="RV-1", title="宽带移机办理",
                           body="移机需要三个工作日。")
    revise(db, world, article, reviewer=None, body="移机需要五个工作日。")
    kb.submit_article(db, article_id=article.id, actor=world["editor"])
    kb.reject_article(db, article_id=article.id, actor=world["reviewer"],
                      comment="请写清楚收费标准")
    revise(db, world, article, reviewer=None, body="移机需要五个工作日，收费50元。")
    kb.submit_article(db, article_id=article.id, actor=world["editor"])
    db.commit()
    return article.id


def test_the_reviewer_sees_what_changed_since_the_send_back(db: Session, world: World) -> None:
    article_id = _rejected_then_resubmitted(db, world)
    since = versions.changes_since_rejection(db, user=world["reviewer"], article_id=article_id)
    assert since is not None
    assert [d.field for d in since] == ["body"]  # the title did not change
    inserted = "".join(s.text for s in since[0].segments if s.op == "insert")
    assert "收费50元" in inserted
    assert "五" not in inserted  # compared with what was sent back, not with the live text


def test_nothing_is_shown_before_any_send_back_or_after_publishing(
        db: Session, world: World) -> None:
    article = make_article(db, world, code="RV-2", title="流量包退订", body="发送短信退订。")
    revise(db, world, article, reviewer=None, body="发送短信或在APP退订。")
    assert versions.changes_since_rejection(db, user=world["reviewer"],
                                            article_id=article.id) is None
    article_id = _rejected_then_resubmitted(db, world)
    kb.approve_article(db, article_id=article_id, actor=world["reviewer"])
    revise(db, world, kb.get_article(db, article_id=article_id), reviewer=None,
           body="新的修改。")
    assert versions.changes_since_rejection(db, user=world["reviewer"],
                                            article_id=article_id) is None


def test_sending_back_without_a_comment_asks_for_one_on_the_review_page(
        client: TestClient, db: Session, world: World) -> None:
    article_id = _rejected_then_resubmitted(db, world)
    web_login(client, "reviewer")
    page = client.get(f"/kb/articles/{article_id}/draft")
    assert page.status_code == 200 and 'id="since-rejection"' in page.text
    answer = client.post(f"/kb/articles/{article_id}/review",
                         data={"csrf_token": csrf_of(page.text), "decision": "reject",
                               "comment": "  "})
    assert answer.status_code == 422
    assert 'id="review-error"' in answer.text and 'aria-invalid="true"' in answer.text
    assert 'id="since-rejection"' in answer.text  # still the review page, with its diff
    db.expire_all()
    assert kb.get_article(db, article_id=article_id).status == ArticleStatus.IN_REVIEW
