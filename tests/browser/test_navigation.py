"""The header for every role: work areas, pages two clicks away, breadcrumbs, the header
search, the home page's to-dos, desktop and phone layouts, the language switch with a
query string, and menus that work with the keyboard and without JavaScript."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.browser.ui import login, nav_link, nav_to

pytestmark = pytest.mark.browser

PHONE = {"width": 360, "height": 640}
DESKTOP = {"width": 1366, "height": 768}

# What each demo user finds in the header (areas in order); pages listed are a sample.
MENUS: dict[str, tuple[list[str], list[str], list[str]]] = {
    # user: (areas, pages they see, pages they do not see)
    "agent": (["知识", "服务", "人才", "分析"], ["搜索", "全部知识", "新知识", "纠错",
              "转人工工作台", "岗位联动", "我的质检成绩", "胜任力", "金点子", "我的绩效"],
              ["审核", "草稿", "导入知识", "审计日志", "用户", "通话分析"]),
    "editor": (["知识", "服务", "人才", "分析"], ["草稿", "纠错", "最佳实践", "知识缺口"],
               ["审核", "审计日志", "用户"]),
    "reviewer": (["知识", "服务", "人才", "分析", "管理"], ["审核", "质检", "评分表"],
                 ["用户", "导入知识"]),
    "supervisor": (["知识", "服务", "人才", "分析"], ["我的班组", "通话挖掘", "质检评分"],
                   ["通话分析", "用户"]),
    "trainer": (["知识", "服务", "人才"], ["胜任力", "岗位联动"], ["审核", "用户"]),
    "analyst": (["知识", "服务", "人才", "分析", "管理"], ["通话分析", "通话挖掘", "导入通话"],
                ["审核", "用户"]),
    "manager": (["知识", "服务", "人才", "分析", "管理"],
                ["审核", "导入知识", "审计日志", "通话分析", "转人工规则", "同义词"], ["用户"]),
    "admin": (["知识", "服务", "人才", "分析", "管理"], ["用户", "审计日志"], []),
}


def areas(page: Page) -> list[str]:
    return page.locator("nav.mainnav details.area > summary").all_inner_texts()


def no_horizontal_scroll(page: Page) -> None:
    widths = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], f"{page.url}: page {widths[0]}px wide, window {widths[1]}"


@pytest.mark.parametrize("user", sorted(MENUS))
def test_each_role_sees_its_areas_and_reaches_a_page_in_each_in_two_clicks(
        page: Page, user: str) -> None:
    expected_areas, shown, hidden = MENUS[user]
    login(page, user)
    assert [a.strip() for a in areas(page)] == expected_areas
    for name in shown:
        expect(nav_link(page, name)).to_have_count(1)
    for name in hidden:
        expect(nav_link(page, name)).to_have_count(0)
    # Menus are closed until asked for; one area's pages are two clicks away.
    expect(page.locator("nav.mainnav details.area[open]")).to_have_count(0)
    for index, area in enumerate(expected_areas):
        page.goto("/")
        details = page.locator("nav.mainnav details.area").nth(index)
        details.locator("summary").click()  # click 1
        first = details.get_by_role("link").first
        expect(first).to_be_visible()
        target = first.get_attribute("href")
        first.click()  # click 2
        expect(page).to_have_url(re.compile(re.escape(target or "") + r"(\?.*)?$"))
        current = page.locator("nav.mainnav details.area.current > summary")
        expect(current).to_have_text(area)  # the area is highlighted
        expect(page.locator("nav.crumbs")).to_contain_text(area)


def test_one_area_open_at_a_time_and_escape_closes(page: Page) -> None:
    login(page, "manager")
    knowledge = page.locator("nav.mainnav details.area[data-area=knowledge]")
    analytics = page.locator("nav.mainnav details.area[data-area=analytics]")
    knowledge.locator("summary").click()
    expect(knowledge).to_have_attribute("open", "")
    analytics.locator("summary").click()
    expect(analytics).to_have_attribute("open", "")
    expect(knowledge).not_to_have_attribute("open", "")
    page.keyboard.press("Escape")
    expect(analytics).not_to_have_attribute("open", "")
    page.locator("h1").click()
    expect(page.locator("nav.mainnav details.area[open]")).to_have_count(0)


def test_the_menu_works_with_the_keyboard(page: Page) -> None:
    login(page, "agent")
    summary = page.locator("nav.mainnav details.area[data-area=service] > summary")
    summary.focus()
    page.keyboard.press("Enter")
    link = nav_link(page, "转人工工作台")
    expect(link).to_be_visible()
    link.focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/assistant/inbox$"))


def test_the_menu_works_without_javascript(new_context: Callable[..., BrowserContext]) -> None:
    page = new_context(java_script_enabled=False).new_page()
    login(page, "manager")
    nav_to(page, "审计日志")
    expect(page).to_have_url(re.compile(r"/audit$"))
    expect(page.locator("nav.mainnav details.area.current > summary")).to_have_text("管理")


def test_breadcrumbs_lead_back_up(page: Page) -> None:
    login(page, "agent")
    nav_to(page, "全部知识")
    page.locator("table.list tbody tr").first.get_by_role("link").first.click()
    expect(page).to_have_url(re.compile(r"/kb/articles/\d+$"))
    crumbs = page.locator("nav.crumbs li")
    expect(crumbs).to_have_count(4)
    expect(crumbs.nth(0)).to_have_text("首页")
    expect(crumbs.nth(1)).to_have_text("知识")
    expect(crumbs.nth(2)).to_have_text("全部知识")
    title = page.locator("h1").inner_text()
    expect(crumbs.nth(3)).to_contain_text(title.split("\n")[0].strip()[:6])
    crumbs.nth(2).get_by_role("link").click()
    expect(page).to_have_url(re.compile(r"/kb$"))
    expect(page.locator("nav.crumbs [aria-current=page]")).to_have_text("全部知识")
    page.locator("nav.crumbs").get_by_role("link", name="首页").click()
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.locator("nav.crumbs")).to_have_count(0)  # home is the top


def test_the_header_search_finds_knowledge_from_any_page(page: Page) -> None:
    login(page, "agent")
    page.goto("/competency")
    box = page.locator("header").get_by_role("searchbox", name="查找知识")
    box.fill("KB-ZF-001")
    box.press("Enter")
    expect(page).to_have_url(re.compile(r"/kb/search\?q=KB-ZF-001"))
    expect(page.locator("li.result").first).to_contain_text("KB-ZF-001")


def test_customers_get_no_header_search(page: Page) -> None:
    page.goto("/chat")
    expect(page.locator("form.headsearch")).to_have_count(0)
    expect(page.locator("nav.mainnav")).to_have_count(0)


def test_the_agent_home_lists_what_to_do_now(page: Page) -> None:
    login(page, "agent")
    todos = page.locator("#todos")
    unread = todos.locator("li[data-kind='knowledge.unread']")
    expect(unread).to_contain_text("待阅读的新知识")
    count = int(unread.locator(".count").inner_text())
    assert count > 0
    unread.get_by_role("link").click()
    expect(page).to_have_url(re.compile(r"/kb/new$"))
    expect(todos).to_have_count(0)
    # What an agent does not handle is not on their home page.
    page.goto("/")
    expect(todos.locator("li[data-kind='knowledge.review']")).to_have_count(0)
    expect(todos.locator("li[data-kind='quality.appeals']")).to_have_count(0)


def test_the_manager_home_counts_agree_with_the_pages(page: Page) -> None:
    login(page, "manager")
    todos = page.locator("#todos")
    review = todos.locator("li[data-kind='knowledge.review']")
    expect(review).to_contain_text("待审核的提交")
    count = int(review.locator(".count").inner_text())
    review.get_by_role("link").click()
    expect(page).to_have_url(re.compile(r"/kb/review$"))
    expect(page.locator("table.list tbody tr")).to_have_count(count)
    page.goto("/")
    expect(todos.locator("li[data-kind='quality.appeals']")).to_contain_text("待裁决的质检申诉")
    # Deadlines: overdue work comes first and says so.
    first = todos.locator("li.todo").first
    if todos.locator("li.is-overdue").count():
        expect(first).to_have_class(re.compile("is-overdue"))
        expect(first.locator(".badge.overdue")).to_contain_text("已逾期")


SIDEWAYS_PAGES = {
    "manager": ("/", "/kb", "/kb/articles/1", "/kb/review", "/kb/feedback", "/inbox", "/audit",
                "/calls/dashboard", "/calls/list", "/mining", "/qa", "/competency", "/notices",
                "/suggestions", "/tacit", "/assistant/rules", "/admin/queues",
                "/kb/search?q=%E5%A5%97%E9%A4%90"),
    "agent": ("/", "/assistant/inbox", "/calls/me", "/qa/mine", "/competency", "/kb/new",
              "/kb/feedback"),
}


@pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=["1366x768", "360x640"])
@pytest.mark.parametrize("user", sorted(SIDEWAYS_PAGES))
def test_no_page_scrolls_sideways(new_context: Callable[..., BrowserContext],
                                  size: dict[str, int], user: str) -> None:
    page = new_context(viewport=size).new_page()
    login(page, user)
    for path in SIDEWAYS_PAGES[user]:
        page.goto(path)
        no_horizontal_scroll(page)


def test_on_a_phone_the_header_folds_into_a_menu_button(
        new_context: Callable[..., BrowserContext]) -> None:
    page = new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page()
    login(page, "agent")
    expect(page.locator("nav.mainnav")).to_be_hidden()
    expect(page.get_by_role("button", name="退出登录")).to_be_visible()
    header = page.locator("header.topbar").bounding_box()
    assert header is not None and header["height"] < 70  # one line
    page.locator("summary.menu-button").tap()
    expect(page.locator("nav.mainnav")).to_be_visible()
    page.locator("nav.mainnav details.area[data-area=knowledge] > summary").tap()
    nav_link(page, "纠错").tap()
    expect(page).to_have_url(re.compile(r"/kb/feedback$"))
    expect(page.locator("nav.mainnav")).to_be_hidden()
    no_horizontal_scroll(page)
    # Wide tables scroll inside their own box.
    page.goto("/kb")
    table = page.locator("table.list").first
    assert table.evaluate("t => getComputedStyle(t).overflowX") == "auto"
    no_horizontal_scroll(page)


def test_the_language_switch_keeps_the_page_and_its_query(page: Page) -> None:
    login(page, "agent")
    page.goto("/kb?q=%E5%A5%97%E9%A4%90&validity=valid")
    expect(page.get_by_label("标题或知识编号")).to_have_value("套餐")
    page.locator("header.topbar").get_by_role("link", name="English").click()
    expect(page).to_have_url(re.compile(r"/kb\?q=%E5%A5%97%E9%A4%90&validity=valid$"))
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("All knowledge")
    expect(page.locator("input[name=q]").last).to_have_value("套餐")
    page.locator("header.topbar").get_by_role("link", name="简体中文").click()
    expect(page).to_have_url(re.compile(r"/kb\?q=%E5%A5%97%E9%A4%90&validity=valid$"))
    expect(page.get_by_label("标题或知识编号")).to_have_value("套餐")


def test_the_favicon_is_linked_and_served(page: Page) -> None:
    login(page, "agent")
    href = page.locator("link[rel=icon][type='image/svg+xml']").get_attribute("href")
    assert href == "/static/favicon.svg"
    for path in ("/static/favicon.svg", "/favicon.ico", "/static/favicon.png"):
        response = page.request.get(path)
        assert response.status == 200, path
