"""A manager adds a hand-off rule on the rules page (a wrong keyword list is refused at the
field first), tries a message and sees it fire; a customer who says it in the chat is
handed to that rule's queue. The rule is disabled again at the end (the tests share one
database)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.browser.chat_ui import ask, messages, open_chat
from tests.browser.ui import flash, login, nav_to, row

pytestmark = pytest.mark.browser


def add_keyword_rule(page: Page, *, words: str, queue: str) -> None:
    form = page.locator("#new-rule form")
    form.get_by_label("类型").select_option(label="关键词")
    form.get_by_label("记录的原因").select_option(label="投诉")
    form.get_by_label("匹配内容").fill(words)
    form.get_by_label("目标队列").select_option(label=queue)
    form.get_by_label("优先级").fill("5")
    form.get_by_role("button", name="添加规则").click()


def test_a_keyword_rule_added_on_the_page_fires_in_the_try_box_and_the_chat(
        page: Page, new_context: Callable[..., BrowserContext]) -> None:
    login(page, "manager")
    nav_to(page, "转人工规则")
    expect(page.get_by_role("heading", name="转人工规则", exact=True)).to_be_visible()

    add_keyword_rule(page, words="销户，注销号码", queue="投诉专席")
    expect(page.locator("#error-pattern")).to_contain_text("关键词之间只能用 | 分隔")
    add_keyword_rule(page, words="销户|注销号码", queue="投诉专席")
    expect(flash(page)).to_have_text("转人工规则已保存。")
    rule = row(page, "注销号码", "#rule-list")
    expect(rule).to_contain_text("投诉专席")

    page.get_by_label("客户消息").fill("我想把这个号销户")
    page.get_by_role("button", name="试一试").click()
    result = page.locator("#trial-result")
    expect(result.locator("dd.matched")).to_have_text("销户")
    expect(result.locator("dd.queue")).to_have_text("投诉专席")
    expect(row(page, "注销号码", "#rule-list")).to_have_class("fires")

    customer = new_context().new_page()
    log = open_chat(customer)
    ask(customer, "你好，我要办理销户")
    expect(messages(log, "handoff")).to_contain_text("转接")
    expect(messages(log, "handoff")).to_contain_text("投诉处理专员")  # never the code
    expect(customer.locator("#chat-waiting")).to_contain_text("正在等待人工客服")

    row(page, "注销号码", "#rule-list").get_by_role("button", name="停用").click()
    expect(flash(page)).to_have_text("转人工规则已停用。")
    expect(row(page, "注销号码", "#rule-list")).to_contain_text("已停用")
