"""The home page's to-dos: each domain counts its own work for the actor, the counts agree
with the pages they lead to, and the page names every kind in Chinese."""

from __future__ import annotations

import re
from datetime import date

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from seci.assistant import todos as assistant_todos
from seci.core.i18n import catalog
from seci.core.todo import Todo, todo, waiting
from seci.knowledge import articles as kb
from seci.knowledge import feedback as fb
from seci.knowledge import todos as knowledge_todos
from seci.linkage.models import Post
from seci.quality import todos as quality_todos
from seci.tacit.inbox import TASK_URLS
from seci.web.pages.home import TODO_LABELS
from tests.factories import World, make_article, web_login


def test_a_todo_takes_the_nearest_deadline_and_counts_the_overdue() -> None:
    on = date(2026, 12, 6)
    made = todo("x.y", "/x", [date(2026, 12, 9), None, date(2026, 12, 1), date(2026, 12, 5)],
                on=on)
    assert made == Todo("x.y", 4, "/x", date(2026, 12, 1), 2)
    assert todo("x.y", "/x", [], count=3, on=on) == Todo("x.y", 3, "/x")
    assert waiting([Todo("a", 0, "/"), Todo("b", 2, "/")]) == [Todo("b", 2, "/")]


def test_feedback_counts_agree_with_the_feedback_page(db: Session, world: World) -> None:
    """纠错: the owner's count is what owner_inbox lists; the reporter's own pending count is
    what "What I reported" shows as open or being fixed."""
    first = make_article(db, world, title="流量单价")
    second = make_article(db, world, title="国际漫游")
    one = fb.flag_article(db, article_id=first.id, user=world["agent"], kind="outdated",
                          comment="单价已调整")
    fb.flag_article(db, article_id=second.id, user=world["agent"], kind="wrong",
                    comment="号码写错了")
    fb.decline_feedback(db, feedback_id=one.id, user=world["editor"], reason="与通告一致")
    assert fb.count_to_handle_for(db, actor=world["editor"]) == len(
        fb.owner_inbox(db, user=world["editor"])) == 1
    assert fb.count_to_handle_for(db, actor=world["manager"]) == 1  # the module's manager
    assert fb.count_to_handle_for(db, actor=world["editor_home"]) == 0
    pending = [f for f, _ in fb.my_reports(db, user=world["agent"])
               if f.status in fb.PENDING]
    assert fb.count_own_pending_for(db, actor=world["agent"]) == len(pending) == 1

    agent = {t.kind: t.count for t in knowledge_todos.todos_for(db, world["agent"])}
    assert agent["knowledge.my_feedback"] == 1 and "knowledge.feedback" not in agent
    editor = {t.kind: t.count for t in knowledge_todos.todos_for(db, world["editor"])}
    assert editor["knowledge.feedback"] == 1


def test_review_and_sent_back_drafts(db: Session, world: World) -> None:
    draft = make_article(db, world, reviewer=None, title="副卡办理")
    kb.submit_article(db, article_id=draft.id, actor=world["editor"])
    reviewer = {t.kind: t for t in knowledge_todos.todos_for(db, world["reviewer"])}
    assert reviewer["knowledge.review"].count == 1
    assert reviewer["knowledge.review"].url == "/kb/review"
    assert "knowledge.review" not in {t.kind for t in knowledge_todos.todos_for(
        db, world["agent"])}
    kb.reject_article(db, article_id=draft.id, actor=world["reviewer"], comment="补充资费")
    assert knowledge_todos.count_sent_back_for(db, actor=world["editor"]) == 1
    assert knowledge_todos.count_sent_back_for(db, actor=world["editor2"]) == 0


def test_roles_without_the_work_count_nothing(db: Session, world: World) -> None:
    assert quality_todos.count_open_appeals_for(db, actor=world["agent"]) == 0
    assert quality_todos.count_unfinished_samples_for(db, actor=world["agent"]) == 0
    assert assistant_todos.count_waiting_for(db, actor=world["analyst"]) == 0
    assert assistant_todos.count_open_callbacks_for(db, actor=world["analyst"]) == 0
    assert quality_todos.appealable_deadlines_for(db, actor=world["manager"]) == []


def test_every_kind_has_a_chinese_name() -> None:
    kinds = {
        "knowledge.unread", "knowledge.review", "knowledge.feedback", "knowledge.sent_back",
        "knowledge.expiring", "knowledge.my_feedback", "assistant.handoffs",
        "assistant.callbacks", "quality.appeals", "quality.samples", "quality.appealable",
        "competency.forms", "competency.reminders", "suggestion.answer", "suggestion.reward",
        "mining.burst", "certification.expiring", "certification.recertify",
        "certification.recertify_mine",
        *(f"notice.{post.value}" for post in Post), *(f"tacit.{task}" for task in TASK_URLS),
    }
    assert kinds <= set(TODO_LABELS)
    chinese = catalog("zh_CN")
    assert all(chinese.get(TODO_LABELS[kind]) for kind in kinds)


def test_the_home_page_lists_the_todos_with_links(client: TestClient, db: Session,
                                                  world: World) -> None:
    article = make_article(db, world, title="流量单价")
    fb.flag_article(db, article_id=article.id, user=world["agent"], kind="outdated",
                    comment="单价已调整")
    db.commit()
    web_login(client, "agent")
    html = client.get("/").text
    mine = re.search(r'data-kind="knowledge.my_feedback">\s*<a href="([^"]+)">\s*'
                     r'<strong class="count">(\d+)</strong>\s*<span class="what">([^<]+)', html)
    assert mine is not None
    assert mine.groups() == ("/kb/feedback#mine", "1", "我提交的纠错（处理中）")
    client.cookies.clear()
    web_login(client, "editor")
    assert 'data-kind="knowledge.feedback"' in client.get("/").text
