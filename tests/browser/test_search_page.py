"""The agent's search page: results as you type, keyboard choice, opening, the gap report."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.ui import login, nav_to, unique

pytestmark = pytest.mark.browser


def open_search(page: Page) -> None:
    nav_to(page, "搜索")
    expect(page.locator("#search-input")).to_be_focused()


def test_results_as_you_type_keyboard_and_open(page: Page) -> None:
    login(page, "agent")
    open_search(page)
    page.locator("#search-input").press_sequentially("我想换运营商但是号码不变", delay=30)
    results = page.locator("#search-results li.result")
    expect(results.first).to_contain_text("携号转网")
    expect(results.first.locator("mark").first).to_be_visible()  # highlighted words
    expect(results.first.locator(".crumbs")).to_contain_text("KB-XH-001")
    expect(results.first.locator(".crumbs .badge")).to_be_visible()  # validity
    # The best match is marked; no result shows a percentage (runners-up are only ordered).
    expect(results.first.locator(".best-match")).to_have_text("最佳匹配")
    expect(page.locator("#search-results .best-match")).to_have_count(1)
    expect(page.locator("#search-results .confidence")).to_have_count(0)
    expect(results.first.locator("a.flag-link")).to_have_text("纠错")
    assert results.count() >= 2
    page.keyboard.press("ArrowDown")
    expect(results.nth(1)).to_have_class(re.compile(r"\bselected\b"))
    page.keyboard.press("ArrowUp")
    expect(results.first).to_have_class(re.compile(r"\bselected\b"))
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/kb/articles/\d+$"))
    expect(page.locator("h1")).to_contain_text("携号转网")


def test_traditional_and_typo_queries_find_the_article(page: Page) -> None:
    login(page, "agent")
    open_search(page)
    page.locator("#search-input").fill("攜號轉網要什麼條件")
    expect(page.locator("#search-results li.result").first).to_contain_text("携号转网")
    page.locator("#search-input").fill("花费余额怎么查")
    expect(page.locator("#search-results li.result").first).to_contain_text("话费")


def test_a_gap_becomes_a_draft_in_one_step(page: Page) -> None:
    nonsense = f"火星漫游资费{unique()}"
    login(page, "agent")
    open_search(page)
    page.locator("#search-input").fill(nonsense)
    page.locator("#search-input").press("Enter")  # the server-rendered search is logged
    expect(page.locator("#search-status")).to_be_visible()  # "no good match"
    page.get_by_role("button", name="退出登录").click()
    login(page, "manager")
    nav_to(page, "知识缺口")
    row = page.locator("#gaps tr", has_text=nonsense)
    expect(row).to_have_count(1)
    row.get_by_role("link", name="新建草稿").click()
    expect(page.get_by_label("标题")).to_have_value(nonsense)


def test_an_ended_offer_is_named_as_you_type(page: Page) -> None:
    """Nothing valid answers well, the National Day top-up offer (ended) does: the page says
    so while the agent types, and clears it with the query."""
    login(page, "agent")
    open_search(page)
    box = page.locator("#search-input")
    box.press_sequentially("国庆充100送20那个活动还有没", delay=20)
    notice = page.locator("#search-out-of-force")
    expect(notice).to_be_visible()
    expect(notice).to_contain_text("国庆充值赠费活动说明")
    expect(notice).to_contain_text("已于 2026-10-31 失效")
    box.fill("")
    box.dispatch_event("input")
    expect(notice).to_be_hidden()


def test_a_homophone_typo_is_searched_as_the_word_and_the_page_says_so(page: Page) -> None:
    """款带 (pinyin input's wrong pick for 宽带) is read as the knowledge base's word while
    the agent types; the page says which words were searched, and clears it with the query."""
    login(page, "agent")
    open_search(page)
    box = page.locator("#search-input")
    box.press_sequentially("家里款带断往了", delay=20)
    notice = page.locator("#search-corrected")
    expect(notice).to_be_visible()
    expect(notice.locator("span")).to_have_text("已按「宽带、断网」查找（输入的是「款带、断往」）")
    expect(page.locator("#search-results li.result").first).to_contain_text("宽带")
    # The agent meant what they typed: the same query, read as typed.
    notice.get_by_role("link", name="仍按输入查找").click()
    expect(page).to_have_url(re.compile(r"as_typed=1"))
    expect(page.locator("#search-input")).to_have_value("家里款带断往了")
    expect(notice).to_be_hidden()
    # A new query is read as usual again.
    box.fill("")
    box.press_sequentially("款带坏了", delay=20)
    expect(notice).to_be_visible()
    expect(notice).to_contain_text("已按「宽带」查找")
    box.fill("")
    box.dispatch_event("input")
    expect(notice).to_be_hidden()
