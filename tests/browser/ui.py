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
    page.locator("nav.mainnav").get_by_role("link", name="审核", exact=True).click()
    expect(page.get_by_role("heading", name="待审核")).to_be_visible()
    row(page, title).get_by_role("link", name="审核", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(title)
    page.get_by_role("button", name="审核通过并发布").click()
    expect(flash(page)).to_have_text("已审核通过并发布。")

