"""The whole life of an article in the browser: write, review, read, report, fix, re-publish."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.ui import (
    approve_from_queue,
    fill_article,
    flash,
    login,
    logout,
    nav_to,
    row,
    unique,
)

pytestmark = pytest.mark.browser


def test_login_rejects_a_wrong_password_and_lands_on_home(page: Page) -> None:
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/login"))
    page.get_by_label("用户名").fill("agent")
    page.get_by_label("密码").fill("not-the-password")
    page.get_by_role("button", name="登录", exact=True).click()
    expect(page.get_by_role("alert")).to_have_text("用户名或密码错误。")
    expect(page.get_by_label("用户名")).to_have_value("agent")  # kept, password is not

    page.get_by_label("密码").fill("demo-10086")
    page.get_by_role("button", name="登录", exact=True).click()
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_role("button", name="退出登录")).to_be_visible()
    expect(page.locator("header.topbar")).to_contain_text("张小云")
    expect(page.get_by_role("searchbox", name="搜索")).to_be_visible()
    expect(page.locator("#todos")).to_contain_text("待阅读的新知识")


def test_home_greets_the_user_by_name(page: Page) -> None:
    login(page, "agent")
    expect(page.get_by_role("heading", level=1)).to_have_text("您好，张小云")
    page.get_by_role("searchbox", name="搜索").fill("KB-ZF-001")
    page.get_by_role("button", name="搜索").click()
    expect(page.locator("li.result").first).to_contain_text("KB-ZF-001")


def test_write_review_read_report_fix_and_see_the_outcome(page: Page) -> None:
    title = f"国际漫游流量包说明 {unique()}"
    question = f"出国了流量怎么买 {unique('Q')}"

    # An editor writes the article; the preview renders the Markdown as it is typed.
    login(page, "editor")
    nav_to(page, "全部知识")
    page.get_by_role("link", name="新建知识").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("新建知识")
    fill_article(page, title=title, module="国际漫游", queues=("A", "话费专席"),
                 similar=[question, "漫游流量包多少钱"],
                 body="### 办理方式\n- 发送 **KTMYLL** 到 10086\n- 中国移动APP办理")
    preview = page.locator("#preview")
    expect(preview.locator("h3")).to_have_text("办理方式")
    expect(preview.locator("li strong")).to_have_text("KTMYLL")
    expect(preview.locator("li")).to_have_count(2)

    page.get_by_role("button", name="保存草稿").click()
    expect(flash(page)).to_have_text("草稿已创建。")
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    expect(page.locator(".badges")).to_contain_text("草稿")
    page.get_by_role("button", name="提交审核").click()
    expect(flash(page)).to_have_text("已提交审核。")
    expect(page.locator(".badges")).to_contain_text("审核中")
    article_url = page.url.split("?")[0]
    logout(page)

    # A reviewer approves it from the review queue.
    login(page, "reviewer")
    approve_from_queue(page, title)
    expect(page.locator(".badges")).to_contain_text("已发布")
    logout(page)

    # An agent of queue A finds it, reads it, acknowledges it and reports a problem.
    login(page, "agent")
    nav_to(page, "全部知识")
    page.get_by_label("标题或知识编号").fill(title)
    page.get_by_role("button", name="筛选").click()
    expect(row(page, title)).to_have_count(1)

    nav_to(page, "新知识")
    new_item = row(page, title)
    expect(new_item).to_contain_text("v1")
    expect(new_item.get_by_role("button", name="我已阅读")).to_be_visible()
    new_item.get_by_role("link", name=title).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    expect(page.locator(".similar")).to_contain_text(question)
    expect(page.locator(".body.markdown strong")).to_have_text("KTMYLL")
    page.get_by_role("button", name="我已阅读").click()
    expect(flash(page)).to_have_text("已确认阅读。")
    expect(page.get_by_role("button", name="我已阅读")).to_have_count(0)

    complaint = f"流量包价格已调整，请更新 {unique('C')}"
    page.get_by_text("对此知识纠错").click()
    page.get_by_label("内容过时").check()
    page.get_by_label("哪里有问题？").fill(complaint)
    page.get_by_role("button", name="发送给负责人").click()
    expect(flash(page)).to_have_text("谢谢！已通知该知识的负责人。")

    nav_to(page, "新知识")
    expect(row(page, title)).to_contain_text("✓")
    nav_to(page, "纠错")
    reported = row(page, title, "#mine")
    expect(reported).to_contain_text(complaint)
    expect(reported).to_contain_text("待处理")
    logout(page)

    # The owner sees the report in the feedback inbox and fixes the article.
    login(page, "editor")
    nav_to(page, "纠错")
    report = row(page, complaint, "#inbox")
    expect(report).to_contain_text(title)
    expect(report).to_contain_text("内容过时")
    expect(report).to_contain_text("张小云")
    report.get_by_role("button", name="受理修改").click()
    expect(page).to_have_url(re.compile(r"/kb/articles/\d+/edit"))
    expect(flash(page)).to_contain_text("纠错已受理")
    body = page.get_by_label("正文（Markdown）")
    expect(body).to_have_value(re.compile("KTMYLL"))
    body.fill("### 办理方式\n- 发送 **KTMYLL2** 到 10086（已调整价格）\n- 中国移动APP办理")
    expect(page.locator("#preview li strong")).to_have_text("KTMYLL2")
    page.get_by_role("button", name="保存并提交审核").click()
    expect(flash(page)).to_have_text("已提交审核。")
    logout(page)

    # The reviewer publishes the fix (version 2).
    login(page, "reviewer")
    approve_from_queue(page, title)
    expect(page.locator(".article-head")).to_contain_text("v2")
    logout(page)

    # The agent sees the outcome of the report: fixed, in version 2.
    login(page, "agent")
    nav_to(page, "纠错")
    reported = row(page, title, "#mine")
    expect(reported.locator(".badge")).to_have_text("已修正")
    expect(reported).to_contain_text("v2")
    reported.get_by_role("link", name=title).click()
    expect(page).to_have_url(article_url)
    expect(page.locator(".body.markdown strong")).to_have_text("KTMYLL2")
