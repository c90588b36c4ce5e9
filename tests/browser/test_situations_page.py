"""The situation lexicon page: test a query, add, edit and disable an entry."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.ui import flash, login, nav_link, nav_to, unique

pytestmark = pytest.mark.browser


def try_query(page: Page, query: str) -> None:
    box = page.locator("#situation-trial")
    box.get_by_label("搜索内容").fill(query)
    box.get_by_role("button", name="查看命中").click()


def test_a_manager_tests_adds_edits_and_disables_an_entry(page: Page) -> None:
    login(page, "manager")
    nav_to(page, "同义词")
    page.locator("nav.tabs").get_by_role("link", name="情境词库").click()
    expect(page.locator("h1")).to_have_text("情境词库")
    expect(page.locator("#situations tbody tr[data-key='net.new-phone']")).to_be_visible()

    # Which shipped entries fire, and the query search ranks with.
    try_query(page, "换了手机上不了网")
    expect(page.locator("#trial-firings")).to_contain_text("net.new-phone")
    expect(page.locator("#trial-expanded code.added").first).to_contain_text("+")

    # A price said aloud, read as the price the demo offer states (9.9元).
    try_query(page, "那个九块九的流量包还能买吗")
    expect(page.locator("#trial-prices")).to_contain_text("+9.9")

    # A situation the shipped lexicon does not know.
    note = unique("note-")
    form = page.locator("#new-situation")
    form.get_by_label("情境词").fill("前任|前男友|前女友 + 天天打|老是打|一直打")
    form.get_by_label("业务概念").fill("黑名单 来电拦截")
    form.get_by_label("例句").fill("前男友天天打电话骚扰我")
    form.get_by_label("业务领域").fill("通话功能")
    form.get_by_label("备注").fill(note)
    form.get_by_role("button", name="添加").click()
    expect(flash(page)).to_have_text("已保存。")
    row = page.locator("#situations tbody tr").filter(has_text=note)
    expect(row).to_have_count(1)
    expect(row.locator(".badge")).to_have_text("本地新增")
    key = row.get_attribute("data-key")
    assert key and key.startswith("local-")

    try_query(page, "前女友一直打我电话怎么办")
    expect(page.locator("#trial-firings")).to_contain_text(key)

    # Edit: the new concept is used from the next search on.
    row = page.locator(f"#situations tbody tr[data-key='{key}']")
    row.locator("summary", has_text="编辑").click()
    row.get_by_label("业务概念").fill("黑名单 来电拦截 骚扰拦截")
    row.get_by_role("button", name="保存").click()
    expect(flash(page)).to_have_text("已保存。")
    try_query(page, "前女友一直打我电话怎么办")
    expect(page.locator("#trial-firings")).to_contain_text("骚扰拦截")

    # Disable: kept in the list, no longer used.
    row = page.locator(f"#situations tbody tr[data-key='{key}']")
    row.get_by_role("button", name="停用").click()
    expect(flash(page)).to_have_text("已保存。")
    row = page.locator(f"#situations tbody tr[data-key='{key}']")
    expect(row.locator(".badge")).to_have_text("已停用")
    expect(row.get_by_role("button", name="启用")).to_be_visible()
    try_query(page, "前女友一直打我电话怎么办")
    expect(page.locator("#situation-trial")).not_to_contain_text(key)


def test_a_bad_entry_is_refused_with_the_reason(page: Page) -> None:
    login(page, "manager")
    page.goto("/kb/situations")
    form = page.locator("#new-situation")
    form.get_by_label("情境词").fill("拉黑")
    form.get_by_label("业务概念").fill("黑名单")
    form.get_by_role("button", name="添加").click()
    expect(page.locator("#situation-error")).to_contain_text("至少 3 个字")
    expect(page.locator("#new-situation").get_by_label("情境词")).to_have_value("拉黑")


def test_agents_have_no_lexicon(page: Page) -> None:
    login(page, "agent")
    expect(nav_link(page, "同义词")).to_have_count(0)
    response = page.goto("/kb/situations")
    assert response is not None and response.status == 403
    expect(page.locator("main")).not_to_contain_text(re.compile("net\\.new-phone"))


def test_a_manager_checks_callers_sentences(page: Page) -> None:
    login(page, "manager")
    page.goto("/kb/situations")
    box = page.locator("#situation-check")
    box.get_by_label("来电说法").fill("net.new-phone\t换了个新手机就上不了网了\n"
                                      "net.new-phone\t我想办一张副卡\n"
                                      "银行卡密码忘了咋整\n"
                                      "-\t我卡里还剩多少钱啊")
    box.get_by_role("button", name="检查").click()
    expect(page.locator("#check-figures")).to_contain_text(
        "2 条标注了词条的说法中，50% 命中了该词条")
    expect(page.locator("#check-figures")).to_contain_text("2 条范围外说法中，50% 被某个词条命中")
    problems = page.locator("#check-problems tbody tr")
    expect(problems).to_have_count(2)
    expect(problems.nth(0)).to_contain_text("我想办一张副卡")
    expect(problems.nth(0).locator(".badge")).to_have_text("未命中")
    expect(problems.nth(1)).to_contain_text("bill.balance")
    expect(problems.nth(1).locator(".badge")).to_have_text("范围外被命中")
    # The pasted sentences stay in the box for the next try.
    expect(box.get_by_label("来电说法")).to_have_value(re.compile("我想办一张副卡"))

    # The missed entry's link filters the list to it.
    problems.nth(0).get_by_role("link", name="net.new-phone").click()
    expect(page.locator("#situations tbody tr[data-key='net.new-phone']")).to_be_visible()

    box = page.locator("#situation-check")
    box.get_by_label("来电说法").fill("no.such-entry\t随便问问")
    box.get_by_role("button", name="检查").click()
    expect(page.locator("#situation-error")).to_contain_text("第 1 行：没有生效的词条")
