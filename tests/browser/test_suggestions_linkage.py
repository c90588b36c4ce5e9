"""Post linkage across roles, and an anonymous suggestion answered and rewarded, in chromium.
With SECI_DOC_SCREENSHOTS=1 it refreshes docs/screenshots/linkage-*.png and
suggestions-*.png; otherwise its screenshots go to the test's tmp_path (a test run leaves the
checkout as it was)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.ui import approve_from_queue, flash, login, logout, nav_to, unique

pytestmark = pytest.mark.browser
DOC_SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def save_shot(page: Page, name: str, tmp_path: Path) -> None:
    folder = DOC_SHOTS if os.environ.get("SECI_DOC_SCREENSHOTS") == "1" else tmp_path
    page.screenshot(path=folder / name, full_page=True)


def test_a_notice_goes_through_every_post(page: Page, tmp_path: Path) -> None:
    title = f"流量日包调价通告 {unique()}"
    article_title = f"流量日包新资费 {unique()}"

    login(page, "manager")
    page.goto("/notices")
    page.get_by_role("link", name="录入业务通告").click()
    page.get_by_label("标题").fill(title)
    page.get_by_label("通告编号").fill("渝移客〔2026〕70号")
    page.get_by_role("checkbox", name="A", exact=True).check()
    page.get_by_label("通告正文").fill("流量日包由5元/天调整为3元/天。")
    page.get_by_role("button", name="录入通告").click()
    expect(flash(page)).to_have_text("通告已录入，请起草相应知识。")
    notice_url = page.url.split("?")[0]
    page.get_by_label("知识标题").fill(article_title)
    page.get_by_label("知识正文（Markdown）").fill("### 资费\n流量日包3元/天。")
    page.get_by_role("button", name="创建草稿").click()
    expect(page.locator("#notice-articles")).to_contain_text(article_title)
    page.get_by_role("button", name="提交草稿审核").click()
    expect(flash(page)).to_have_text("通告的草稿已提交审核。")
    logout(page)

    login(page, "reviewer")
    approve_from_queue(page, article_title)
    logout(page)

    login(page, "manager")
    page.goto(notice_url)
    page.get_by_role("button", name="发布到队列").click()
    expect(flash(page)).to_have_text("已发布到队列。")
    logout(page)

    login(page, "trainer")
    page.goto(notice_url)
    page.get_by_role("link", name="添加测验").click()
    page.get_by_label("第 1 题题目").fill("流量日包现在多少钱一天？")
    page.get_by_label("第 1 题选项（每行一个）").fill("3元\n5元")
    page.get_by_label("第 1 题正确选项序号").fill("1")
    page.get_by_role("button", name="保存测验").click()
    expect(flash(page)).to_have_text("测验已保存。")
    logout(page)

    login(page, "agent")
    page.goto("/inbox")
    page.locator("#inbox-linkage").get_by_role("link", name=title).click()
    page.get_by_role("button", name="我已阅读这些知识").click()
    expect(flash(page)).to_have_text("已确认阅读。")
    page.get_by_role("link", name="参加测验").click()
    page.get_by_role("radio", name="3元").check()
    page.get_by_role("button", name="交卷").click()
    expect(page.locator("#quiz-result")).to_contain_text("100%")
    logout(page)

    login(page, "supervisor")
    page.goto(notice_url)
    expect(page.locator("#chain tr.post-agents")).to_contain_text("已完成")
    save_shot(page, "linkage-chain.png", tmp_path)
    page.get_by_role("link", name="各班组落实情况").click()
    expect(page.locator("#team-coverage")).to_contain_text("100%")
    page.get_by_role("button", name="确认本组已落实").click()
    expect(flash(page)).to_have_text("已记录本组确认。")
    save_shot(page, "linkage-coverage.png", tmp_path)
    page.goto("/notices")
    expect(page.locator("#overdue-steps")).to_be_visible()


def test_an_anonymous_suggestion_is_answered_adopted_and_rewarded(page: Page, tmp_path: Path
                                                                    ) -> None:
    title = f"交接班记录电子化 {unique()}"
    login(page, "agent2")
    nav_to(page, "金点子")
    page.get_by_label("标题").fill(title)
    page.get_by_label("建议改进什么，为什么").fill("纸质交接单容易丢，建议放进系统。")
    page.get_by_label(re.compile("匿名")).check()
    page.get_by_role("button", name="提交建议").click()
    expect(flash(page)).to_have_text("谢谢！您的建议已转给负责部门。")
    logout(page)

    login(page, "manager")
    page.goto("/suggestions/inbox")
    page.locator("#department-inbox").get_by_role("link", name=title).click()
    expect(page.locator("#author")).to_have_text("匿名")
    page.get_by_label("给建议人的理由").fill("采纳，下月起在系统中记录交接班。")
    page.get_by_role("button", name="采纳", exact=True).click()
    expect(flash(page)).to_have_text("答复已保存，建议人可以看到。")
    page.get_by_label("花红奖金（元）").fill("100")
    page.get_by_label("红花").check()
    page.get_by_role("button", name="发放奖励").click()
    expect(page.locator("#reward")).to_contain_text("花红：100 元")
    expect(page.locator("#author")).to_have_text("匿名")
    save_shot(page, "suggestions-rewarded.png", tmp_path)
    page.goto("/suggestions/stats")
    expect(page.locator("#adoption-rate")).to_contain_text("%")
    logout(page)

    login(page, "agent2")
    page.goto("/suggestions")
    expect(page.locator("#my-suggestions")).to_contain_text("已奖励")
