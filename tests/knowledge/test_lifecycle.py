"""Draft → in review → published → retired, four-eyes review, validity dates."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy.orm import Session

from seci.core.clock import today
from seci.core.errors import FieldErrors, PermissionDenied
from seci.knowledge import articles as kb
from seci.knowledge import queries
from seci.knowledge.errors import (
    FourEyesViolation,
    InvalidTransition,
    NoModuleAccess,
    RejectNeedsComment,
)
from seci.knowledge.models import ArticleStatus, Validity
from tests.factories import World, fields, make_article, revise


def test_full_lifecycle_from_draft_to_retired(db: Session, world: World) -> None:
    article = kb.create_article(db, fields=fields(world), actor=world["editor"])
    assert article.status == ArticleStatus.DRAFT
    assert article.live_version is None

    kb.submit_article(db, article_id=article.id, actor=world["editor"])
    assert article.status == ArticleStatus.IN_REVIEW

    version = kb.approve_article(db, article_id=article.id, actor=world["reviewer"])
    assert article.status == ArticleStatus.PUBLISHED
    assert version.version_no == 1
    assert article.live_version_id == version.id
    assert version.approved_by_id == world["reviewer"].id

    kb.retire_article(db, article_id=article.id, actor=world["manager"], reason="业务下线")
    assert article.status == ArticleStatus.RETIRED
    access = kb.article_access(db, user=world["agent"], article=article)
    assert not access.live


def test_reject_sends_back_with_comment(db: Session, world: World) -> None:
    article = make_article(db, world, reviewer=None)
    kb.submit_article(db, article_id=article.id, actor=world["editor"])
    with pytest.raises(RejectNeedsComment):
        kb.reject_article(db, article_id=article.id, actor=world["reviewer"], comment="  ")
    kb.reject_article(db, article_id=article.id, actor=world["reviewer"],
                      comment="资费数字请与最新通告核对")
    assert article.status == ArticleStatus.DRAFT
    assert article.review_comment == "资费数字请与最新通告核对"


@pytest.mark.parametrize("who", ["editor", "editor2"])
def test_the_author_of_a_revision_cannot_approve_it(db: Session, world: World, who: str) -> None:
    # editor2 shares the module; a manager who wrote the revision is refused as well.
    article = make_article(db, world, author=who, reviewer=None)
    kb.submit_article(db, article_id=article.id, actor=world[who])
    with pytest.raises(PermissionDenied):
        kb.approve_article(db, article_id=article.id, actor=world[who])


def test_a_manager_cannot_approve_their_own_revision(db: Session, world: World) -> None:
    article = make_article(db, world, author="manager", reviewer=None)
    kb.submit_article(db, article_id=article.id, actor=world["manager"])
    with pytest.raises(FourEyesViolation):
        kb.approve_article(db, article_id=article.id, actor=world["manager"])
    kb.approve_article(db, article_id=article.id, actor=world["reviewer"])
    assert article.status == ArticleStatus.PUBLISHED


def test_the_last_editor_counts_as_author(db: Session, world: World) -> None:
    """A reviewer who edited a submission cannot then approve it."""
    article = make_article(db, world, author="editor", reviewer=None)
    revise(db, world, article, author="manager", reviewer=None, title="改过的标题")
    kb.submit_article(db, article_id=article.id, actor=world["editor"])
    with pytest.raises(FourEyesViolation):
        kb.approve_article(db, article_id=article.id, actor=world["manager"])


def test_transitions_out_of_order_are_refused(db: Session, world: World) -> None:
    article = make_article(db, world, reviewer=None)
    with pytest.raises(InvalidTransition):
        kb.approve_article(db, article_id=article.id, actor=world["reviewer"])
    kb.submit_article(db, article_id=article.id, actor=world["editor"])
    with pytest.raises(InvalidTransition):
        kb.submit_article(db, article_id=article.id, actor=world["editor"])
    kb.approve_article(db, article_id=article.id, actor=world["reviewer"])
    kb.retire_article(db, article_id=article.id, actor=world["manager"])
    with pytest.raises(InvalidTransition):
        kb.retire_article(db, article_id=article.id, actor=world["manager"])


def test_editing_a_published_article_keeps_the_live_version(db: Session, world: World) -> None:
    article = make_article(db, world, title="旧标题")
    revise(db, world, article, reviewer=None, title="新标题")
    assert article.status == ArticleStatus.DRAFT
    assert article.live_version is not None
    assert article.live_version.title == "旧标题"
    assert kb.article_access(db, user=world["agent"], article=article).live
    kb.submit_article(db, article_id=article.id, actor=world["editor"])
    kb.approve_article(db, article_id=article.id, actor=world["reviewer"])
    assert article.live_version.title == "新标题"
    assert article.live_version.version_no == 2


def test_future_valid_from_is_scheduled(db: Session, world: World) -> None:
    start = today() + timedelta(days=10)
    article = make_article(db, world, valid_from=start)
    agent_access = kb.article_access(db, user=world["agent"], article=article)
    assert agent_access.validity == Validity.SCHEDULED
    assert not agent_access.live
    on_the_day = kb.article_access(db, user=world["agent"], article=article, on=start)
    assert on_the_day.live


def test_expired_articles_are_hidden_from_agents_but_not_managers(db: Session,
                                                                  world: World) -> None:
    article = make_article(db, world, valid_from=date(2025, 1, 1), valid_to=date(2025, 12, 31))
    on = date(2026, 1, 1)
    assert not kb.article_access(db, user=world["agent"], article=article, on=on).live
    manager = kb.article_access(db, user=world["manager"], article=article, on=on)
    assert manager.live and manager.validity == Validity.EXPIRED
    # valid_to is inclusive: the last day still counts
    assert kb.article_access(db, user=world["agent"], article=article,
                             on=date(2025, 12, 31)).live
    listed, _ = queries.list_articles(db, user=world["agent"], query=queries.ArticleQuery(on=on))
    assert article.id not in {a.id for a in listed}
    listed, _ = queries.list_articles(db, user=world["manager"],
                                 query=queries.ArticleQuery(on=on, validity="expired"))
    assert article.id in {a.id for a in listed}


def test_agents_only_see_their_queues(db: Session, world: World) -> None:
    for_a = make_article(db, world, queue_ids=world.queue_ids("A"))
    for_data = make_article(db, world, queue_ids=world.queue_ids("数据专席"))
    listed, _ = queries.list_articles(db, user=world["agent"], query=queries.ArticleQuery())
    ids = {a.id for a in listed}
    assert for_a.id in ids and for_data.id not in ids
    assert not kb.article_access(db, user=world["agent"], article=for_data).live
    assert kb.article_access(db, user=world["agent_data"], article=for_data).live
    # staff who serve every queue see both
    listed, _ = queries.list_articles(db, user=world["supervisor"], query=queries.ArticleQuery())
    assert {for_a.id, for_data.id} <= {a.id for a in listed}


def test_drafts_are_invisible_outside_their_module(db: Session, world: World) -> None:
    draft = make_article(db, world, reviewer=None)  # in 个人业务/资费套餐
    assert kb.article_access(db, user=world["editor2"], article=draft).working_copy
    for outsider in ("editor_home", "reviewer_home", "agent", "supervisor", "admin"):
        access = kb.article_access(db, user=world[outsider], article=draft)
        assert not (access.working_copy or access.live), outsider
    listed, _ = queries.list_articles(db, user=world["editor_home"],
                                 query=queries.ArticleQuery(status="draft"))
    assert draft.id not in {a.id for a in listed}


def test_editors_cannot_write_outside_their_modules(db: Session, world: World) -> None:
    with pytest.raises(NoModuleAccess):
        kb.create_article(db, fields=fields(world, module_id=world.modules["宽带"].id),
                          actor=world["editor"])


def test_expiring_list(db: Session, world: World) -> None:
    soon = make_article(db, world, valid_to=today() + timedelta(days=5))
    later = make_article(db, world, valid_to=today() + timedelta(days=60))
    expired = make_article(db, world, valid_to=today() - timedelta(days=1))
    rows = queries.expiring_articles(db, user=world["editor"], days=30)
    ids = [a.id for a in rows]
    assert soon.id in ids
    assert later.id not in ids and expired.id not in ids


def test_validation_reports_every_field(db: Session, world: World) -> None:
    bad = fields(world, title=" ", queue_ids=[999999], valid_from=date(2026, 5, 1),
                 valid_to=date(2026, 4, 1))
    with pytest.raises(FieldErrors) as caught:
        kb.create_article(db, fields=bad, actor=world["editor"], code="bad code!")
    codes = {(e["field"], e["code"]) for e in caught.value.errors}
    assert codes == {("title", "required"), ("queues", "unknown_queue"),
                     ("valid_to", "before_valid_from"), ("code", "bad_code")}


def test_codes_are_unique_and_generated_when_empty(db: Session, world: World) -> None:
    first = make_article(db, world, reviewer=None)
    assert first.code.startswith("KB-")
    make_article(db, world, reviewer=None, code="ZF-001")
    from seci.knowledge.errors import DuplicateCode

    with pytest.raises(DuplicateCode):
        make_article(db, world, reviewer=None, code="ZF-001")
