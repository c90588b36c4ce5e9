"""Two people edit the same article at once: the second save is a conflict, nothing is lost."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.browser.ui import create_draft, flash, login, unique

pytestmark = pytest.mark.browser


@dataclass
class Conflict:
    page: Page  # the second editor, looking at the 409 page
    title: str  # the title before either edit
    their_title: str  # what the first editor saved
    my_body: str  # what the second editor typed


def open_editor(page: Page, article_id: int) -> None:
    page.goto(f"/kb/articles/{article_id}")
    page.locator(".actions").get_by_role("link", name="编辑", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("编辑")


def save_in_two_browsers(new_context: Callable[..., BrowserContext]) -> Conflict:
    """李编辑 and 王经理 open the same draft; 李编辑 saves first, then 王经理 saves."""
    title = f"携号转网办理条件 {unique()}"
    first, second = new_context().new_page(), new_context().new_page()
    login(first, "editor")
    article_id = create_draft(first, title=title, body="### 条件\n- 在网满 120 天")
    login(second, "manager")

    open_editor(first, article_id)
    open_editor(second, article_id)

    their_title = f"{title}（已更新）"
    first.get_by_label("标题").fill(their_title)
    first.get_by_role("button", name="保存草稿").click()
    expect(flash(first)).to_have_text("已保存。")

    my_body = "### 条件\n- 在网满 120 天\n- 无欠费、无合约限制（王经理补充）"
    second.get_by_label("正文（Markdown）").fill(my_body)
    with second.expect_response(
            lambda r: r.request.method == "POST" and r.url.endswith("/edit")) as answer:
        second.get_by_role("button", name="保存草稿").click()
    assert answer.value.status == 409
    return Conflict(second, title, their_title, my_body)


def test_second_save_shows_the_conflict_and_keeps_my_text(
        new_context: Callable[..., BrowserContext]) -> None:
    conflict = save_in_two_browsers(new_context)
    page = conflict.page

    notice = page.locator("section.conflict")
    expect(notice.get_by_role("heading", level=2)).to_have_text(
        "您编辑期间，其他人已保存了此知识")
    diff = notice.locator("table.diff")
    title_row = diff.locator("tr.changed").filter(has_text="标题")
    expect(title_row.locator("td.old")).to_contain_text("（已更新）")  # theirs, on the left
    body_row = diff.locator("tr.changed").filter(has_text="正文")
    expect(body_row.locator("td.new ins")).to_contain_text("无欠费、无合约限制")  # mine

    # My own text is still in the form; saving again (after merging by hand) succeeds.
    expect(page.get_by_label("正文（Markdown）")).to_have_value(conflict.my_body)
    expect(page.get_by_label("标题")).to_have_value(conflict.title)
    page.get_by_label("标题").fill(conflict.their_title)
    page.get_by_role("button", name="保存草稿").click()
    expect(flash(page)).to_have_text("已保存。")
    expect(page.get_by_role("heading", level=1)).to_have_text(conflict.their_title)
    expect(page.locator(".body.markdown")).to_contain_text("无欠费、无合约限制")


def test_conflict_says_who_saved_first(new_context: Callable[..., BrowserContext]) -> None:
    conflict = save_in_two_browsers(new_context)
    expect(conflict.page.locator("section.conflict")).to_contain_text("李编辑")
