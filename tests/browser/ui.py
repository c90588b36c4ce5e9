"""What a user does in the browser, step by step (shared by the browser tests).

Labels are the Chinese ones the default locale shows (see the zh_CN message catalog).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence

from playwright.sync_api import Locator, Page, expect

from seci.demo.loader import DEMO_PASSWORD


def unique(prefix: str = "T") -> str:
    """A short unique token for titles and codes (the tests share one database)."""
    return f"{prefix}{uuid.uuid4().hex[:8].upper()}"


def login(page: Page, username: str, password: str = DEMO_PASSWORD) -> None:
    """Log in through the form and wait for the home page."""
    page.goto("/login")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录", exact=True).click()
    expect(page.get_by_role("button", name="退出登录")).to_be_visible()


def nav_link(page: Page, name: str) -> Locator:
    """A page's link in the header menu (exact name), whichever work area holds it, even
    while its area is closed."""
    return page.locator("nav.mainnav").get_by_role("link", name=name, exact=True,
                                                    include_hidden=True)


def nav_to(page: Page, name: str) -> None:
    """Open a page through the header menu, as a user does: the menu button on a phone,
    then the page's work area, then the page (at most three clicks, two on a desktop)."""
    link = nav_link(page, name)
    expect(link).to_have_count(1)
    menu = page.locator("header.topbar details.navmenu")
    button = menu.locator("> summary")
    if button.is_visible() and menu.get_attribute("open") is None:
        button.click()
    area = page.locator("nav.mainnav details.area").filter(
        has=page.get_by_role("link", name=name, exact=True, include_hidden=True))
    if area.get_attribute("open") is None:
        area.locator("> summary").click()
    link.click()


def open_inbox(page: Page) -> None:
    """Home, then every item of the inbox."""
    page.locator("nav.mainnav").get_by_role("link", name="首页", exact=True).click()
    page.locator("#todos").get_by_role("link", name="查看全部待办").click()
    expect(page).to_have_url(re.compile(r"/inbox$"))


def logout(page: Page) -> None:
    page.get_by_role("button", name="退出登录").click()
    expect(page).to_have_url(re.compile(r"/login"))
    expect(flash(page)).to_have_text("您已退出登录。")


def flash(page: Page) -> Locator:
    """The confirmation shown after an action."""
    return page.locator("main .flash")


def row(page: Page, text: str, table: str = "table.list") -> Locator:
    """The table row that mentions ``text``."""
    return page.locator(f"{table} tbody tr").filter(has_text=text)


def choose_module(page: Page, name: str) -> None:
    """Pick a business module in the editor (options are indented by depth)."""
    select = page.get_by_label("业务模块")
    option = select.locator("option").filter(has_text=re.compile(rf"^\W*{re.escape(name)}$"))
    value = option.get_attribute("value")
    assert value, f"no module {name!r} in the editor"
    select.select_option(value)


def fill_article(page: Page, *, title: str, body: str, module: str = "国际漫游",
                 queues: Sequence[str] = ("A",), similar: Sequence[str] = (),
                 code: str | None = None) -> None:
    """Fill the open editor form like an editor would."""
    if code is not None:
        page.get_by_label("编号").fill(code)
    page.get_by_label("标题").fill(title)
    choose_module(page, module)
    for queue in queues:
        page.get_by_role("checkbox", name=queue, exact=True).check()
    if similar:
        page.get_by_label("相似问法").fill("\n".join(similar))
    page.get_by_label("正文（Markdown）").fill(body)


def create_draft(page: Page, *, title: str, body: str = "### 说明\n测试正文。",
                 **fields: object) -> int:
    """As a logged-in editor: new article → save draft; returns the article id."""
    page.goto("/kb/new-article")
    fill_article(page, title=title, body=body, **fields)  # type: ignore[arg-type]
    page.get_by_role("button", name="保存草稿").click()
    expect(flash(page)).to_have_text("草稿已创建。")
    match = re.search(r"/kb/articles/(\d+)", page.url)
    assert match, page.url
    return int(match.group(1))


def approve_from_queue(page: Page, title: str) -> None:
    """As a logged-in reviewer: open the review queue, read the submission, approve it."""
    nav_to(page, "审核")
    expect(page.get_by_role("heading", name="待审核")).to_be_visible()
    row(page, title).get_by_role("link", name="审核", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(title)
    page.get_by_role("button", name="审核通过并发布").click()
    expect(flash(page)).to_have_text("已审核通过并发布。")

