"""What an agent may not see: manager pages answer 403, drafts stay invisible."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.browser.ui import create_draft, login, nav_link, nav_to, row, unique

pytestmark = pytest.mark.browser

MANAGER_PAGES = ["/kb/import", "/audit", "/kb/drafts", "/kb/review", "/kb/modules",
                 "/admin/users"]


def test_agent_gets_the_403_page_for_manager_pages(page: Page) -> None:
    login(page, "agent")
    expect(nav_link(page, "全部知识")).to_have_count(1)
    for label in ("导入知识", "审计日志", "草稿", "审核", "用户"):
        expect(nav_link(page, label)).to_have_count(0)

    for path in MANAGER_PAGES:
        response = page.goto(path)
        assert response is not None and response.status == 403, path
        expect(page.get_by_role("heading", level=1)).to_contain_text("无权访问")
        expect(page.locator(".error-page .error-message")).to_have_text("您没有执行此操作的权限。")


def test_agent_sees_no_drafts(page: Page, new_context: Callable[..., BrowserContext]) -> None:
    title = f"尚未发布的草稿 {unique()}"
    editor = new_context().new_page()
    login(editor, "editor")
    article_id = create_draft(editor, title=title, queues=("A", "话费专席"))

    login(page, "agent")  # queue A: the draft would be theirs once published
    nav_to(page, "全部知识")
    page.get_by_label("标题或知识编号").fill(title)
    page.get_by_role("button", name="筛选").click()
    expect(row(page, "暂无知识。")).to_have_count(1)
    expect(page.get_by_label("状态")).to_have_count(0)  # no status filter for agents

    page.goto("/kb?status=draft")
    expect(row(page, title)).to_have_count(0)
    nav_to(page, "新知识")
    expect(row(page, title)).to_have_count(0)

    response = page.goto(f"/kb/articles/{article_id}")
    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", level=1)).to_contain_text("未找到")
    expect(page.get_by_text(title)).to_have_count(0)
    response = page.goto(f"/kb/articles/{article_id}/draft")
    assert response is not None and response.status == 404
