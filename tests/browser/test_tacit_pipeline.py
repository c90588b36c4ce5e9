"""A contribution's whole way in the browser: an agent shares a method, a reviewer screens
it into a trial, a manager promotes it, the reviewer publishes the best practice, the
analyst enters the figures and closes the evaluation; the author's points show.

With SECI_DOC_SCREENSHOTS=1 the flow is also photographed into docs/screenshots/.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.ui import approve_from_queue, flash, login, logout, nav_to, open_inbox, unique

pytestmark = pytest.mark.browser
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def _shot(page: Page, name: str) -> None:
    if os.environ.get("SECI_DOC_SCREENSHOTS") == "1":
        page.screenshot(path=SCREENSHOTS / f"tacit-{name}.png", full_page=True)


def test_from_submission_to_a_proven_best_practice(page: Page) -> None:
    method = f"雪豹小组催缴三步法 {unique()}"

    # The agent shares a work method named after the team.
    login(page, "agent")
    nav_to(page, "最佳实践")
    page.get_by_role("link", name="分享经验").click()
    page.get_by_label("标题").fill("欠费停机客户催缴话术")
    page.get_by_label("类型").select_option(label="工作方法")
    page.get_by_label("方法名称（可选）").fill(method)
    page.get_by_label("内容").fill("1. 先告知欠费金额\n2. 再说明停机影响\n3. 最后给出缴费渠道")
    page.get_by_label("A", exact=True).check()
    page.get_by_role("button", name="提交").click()
    expect(flash(page)).to_have_text("谢谢！您的贡献正在等待筛选。")
    expect(page.locator("#contribution-status")).to_have_text("待筛选")
    contribution_url = page.url
    expect(page.locator("#screening")).to_have_count(0)  # nobody screens their own
    logout(page)

    # The reviewer screens it: scores, checks similar knowledge, starts a trial.
    login(page, "reviewer")
    expect(page.locator("#todos li[data-kind='tacit.screen']")).to_contain_text("待筛选的经验贡献")
    open_inbox(page)
    expect(page.locator("#tacit-inbox")).to_contain_text("欠费停机客户催缴话术")
    page.goto(contribution_url)
    screening = page.locator("#screening")
    expect(screening.get_by_role("heading", name="知识库中的相似知识")).to_be_visible()
    screening.get_by_label("可用性 (1–5)").fill("5")
    screening.get_by_label("班组").fill("雪豹小组")
    _shot(page, "screening")
    screening.get_by_role("button", name="开始试行").click()
    expect(flash(page)).to_have_text("筛选结果已保存。")
    expect(page.locator("#contribution-status")).to_have_text("试行中")
    logout(page)

    # The manager promotes it; the analyst will evaluate it.
    login(page, "manager")
    page.goto(contribution_url)
    promotion = page.locator("#promotion")
    promotion.get_by_label("评估负责人").select_option(label="孙分析")
    promotion.get_by_label("对照班组").fill("B组")
    promotion.get_by_role("button", name="推广").click()
    expect(flash(page)).to_have_text("已生成最佳实践知识并提交审核。")
    expect(page.locator("#contribution-status")).to_have_text("最佳实践审核中")
    logout(page)

    # The reviewer publishes the best-practice article through the KB's own review.
    login(page, "reviewer")
    approve_from_queue(page, method)
    page.goto(contribution_url)
    expect(page.locator("#contribution-status")).to_have_text("效果评估中")
    logout(page)

    # The analyst enters before/after figures; the result reads in words; closes it.
    login(page, "analyst")
    evaluate = page.locator("#todos li[data-kind='tacit.evaluate']")
    expect(evaluate).to_contain_text("待完成的六步评估")
    open_inbox(page)
    expect(page.locator("#tacit-inbox")).to_contain_text(method)
    page.goto(contribution_url)
    form = page.locator("#figures-form")
    form.get_by_label("fcr.trial.before n").fill("2000")
    form.get_by_label("fcr.trial.before successes").fill("1700")
    form.get_by_label("fcr.trial.after n").fill("2000")
    form.get_by_label("fcr.trial.after successes").fill("1780")
    form.get_by_role("button", name="保存数据").click()
    expect(flash(page)).to_have_text("数据已保存。")
    result = page.locator("#results")
    expect(result).to_contain_text("提升4.00个百分点, p<0.001, 显著")
    expect(result).to_contain_text("两比例z检验")
    page.get_by_role("textbox", name="结论").fill("试行班组一次解决率显著提升，建议全中心推广。")
    page.get_by_role("button", name="结束评估").click()
    expect(flash(page)).to_have_text("评估已结束。")
    expect(page.locator("#contribution-status")).to_have_text("已评估")
    points = page.locator("#points")
    for reason in ("贡献通过筛选", "贡献被采纳", "推广为最佳实践", "评估有效"):
        expect(points).to_contain_text(reason)
    expect(points).to_contain_text("+30")
    _shot(page, "evaluation")
    logout(page)

    # Everybody sees the board and the honour wall with the named method.
    login(page, "agent")
    page.goto("/tacit")
    expect(page.locator("[data-step=incentives]")).to_contain_text(method)
    _shot(page, "board")
    page.goto("/tacit/honours")
    expect(page.locator("#named-methods")).to_contain_text(method)
    _shot(page, "honours")
    page.goto("/tacit/leaderboard?period=all")
    expect(page.locator("#leaderboard")).to_contain_text(re.compile("张小云"))
