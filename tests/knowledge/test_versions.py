"""Immutable versions, side-by-side character diff, rollback as a new version."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from seci.core.errors import PermissionDenied
from seci.knowledge import articles as kb
from seci.knowledge import versions
from seci.knowledge.diff import diff_text
from seci.knowledge.errors import InvalidTransition
from seci.knowledge.models import ArticleVersion, VersionIsImmutable
from tests.factories import World, make_article, revise


def test_every_published_change_is_a_new_version(db: Session, world: World) -> None:
    article = make_article(db, world, body="月租58元")
    revise(db, world, article, body="月租68元")
    revise(db, world, article, body="月租78元")
    history = versions.list_versions(db, user=world["manager"], article_id=article.id)
    assert [v.version_no for v in history] == [3, 2, 1]
    assert [v.body for v in history] == ["月租78元", "月租68元", "月租58元"]


def test_versions_cannot_be_changed_through_the_orm(db: Session, world: World) -> None:
    article = make_article(db, world)
    version = db.get(ArticleVersion, article.live_version_id)
    assert version is not None
    version.body = "篡改"
    with pytest.raises(VersionIsImmutable):
        db.flush()
    db.rollback()


def test_versions_cannot_be_changed_in_the_database(db: Session, world: World) -> None:
    article = make_article(db, world)
    with pytest.raises(DBAPIError, match="append-only"), db.begin_nested():
        db.execute(text("UPDATE article_versions SET body = 'x' WHERE id = :id"),
                   {"id": article.live_version_id})


def test_chinese_diff_is_character_level_and_readable() -> None:
    segments = diff_text("国际漫游日套餐每天25元，不限流量。",
                         "国际漫游日套餐每天30元，含1GB高速流量。")
    deleted = "".join(s.text for s in segments if s.op == "delete")
    inserted = "".join(s.text for s in segments if s.op == "insert")
    assert "25" in deleted and "30" in inserted
    assert "不限" in deleted and "含1GB高速" in inserted
    # the unchanged prefix stays one readable run, not scattered characters
    assert segments[0].op == "equal" and segments[0].text.startswith("国际漫游日套餐每天")


def test_compare_any_two_versions(db: Session, world: World) -> None:
    article = make_article(db, world, title="宽带报修", body="拨打10086")
    revise(db, world, article, body="拨打10086或使用APP报修")
    revise(db, world, article, title="宽带故障报修", body="拨打10086或使用APP报修")
    diffs = {d.field: d for d in versions.compare_versions(
        db, user=world["editor"], article_id=article.id, old_no=1, new_no=3)}
    assert diffs["title"].changed and diffs["body"].changed
    assert not diffs["queues"].changed
    assert "".join(s.text for s in diffs["body"].right if s.op == "insert") == "或使用APP报修"
    assert [s.text for s in diffs["title"].left if s.op == "delete"] == []


def test_rollback_creates_a_new_version_with_old_content(db: Session, world: World) -> None:
    article = make_article(db, world, body="旧规则")
    revise(db, world, article, body="错误的新规则")
    version = versions.rollback_article(db, article_id=article.id, version_no=1,
                                        actor=world["manager"])
    assert version.version_no == 3
    assert version.body == "旧规则"
    assert version.source == "rollback"
    assert kb.get_article(db, article_id=article.id).live_version_id == version.id


def test_rollback_refuses_to_overwrite_a_pending_draft(db: Session, world: World) -> None:
    article = make_article(db, world, body="v1")
    revise(db, world, article, body="v2")
    revise(db, world, article, reviewer=None, body="未完成的草稿")
    with pytest.raises(InvalidTransition):
        versions.rollback_article(db, article_id=article.id, version_no=1,
                                  actor=world["manager"])
    assert kb.get_article(db, article_id=article.id).body == "未完成的草稿"


def test_only_managers_roll_back(db: Session, world: World) -> None:
    article = make_article(db, world)
    revise(db, world, article, body="v2")
    for name in ("editor", "reviewer", "agent"):
        with pytest.raises(PermissionDenied):
            versions.rollback_article(db, article_id=article.id, version_no=1,
                                      actor=world[name])


def test_agents_see_only_the_live_version(db: Session, world: World) -> None:
    article = make_article(db, world, body="v1")
    revise(db, world, article, body="v2")
    history = versions.list_versions(db, user=world["agent"], article_id=article.id)
    assert [v.version_no for v in history] == [2]


# --- the rich-text editor's layout is not a change ---------------------------------------

TYPED = ("### 办理条件\n- 在网满 120 天\n- 无欠费\n| 套餐 | 月费 |\n|---|:---:|\n"
         "| 300M | 50元/月 |")
# The same content as the WYSIWYG editor writes it back.
REWRITTEN = ("### 办理条件\n\n* 在网满 120 天\n* 无欠费\n\n| 套餐 | 月费 |\n| ------ | :----: |\n"
             "| 300M | 50元/月 |\n")


def test_the_editors_layout_is_not_shown_as_a_change() -> None:
    from seci.knowledge.diff import diff_fields, markdown_layout

    assert markdown_layout(TYPED) == markdown_layout(REWRITTEN)
    assert markdown_layout(REWRITTEN) == (
        "### 办理条件\n- 在网满 120 天\n- 无欠费\n| 套餐 | 月费 |\n|---|:---:|\n| 300M | 50元/月 |")
    [body] = diff_fields({"body": TYPED}, {"body": REWRITTEN})
    assert not body.changed
    [body] = diff_fields({"body": TYPED}, {"body": REWRITTEN.replace("50元", "45元")})
    assert body.changed
    assert [s.text for s in body.segments if s.op == "insert"] == ["4"]
    # Text that only looks like markup stays: a star inside a line, a dash rule of two.
    assert markdown_layout("单价 5*3 元\n--") == "单价 5*3 元\n--"
    # Outside Markdown fields the layout counts.
    [title] = diff_fields({"title": "a  "}, {"title": "a"})
    assert title.changed
