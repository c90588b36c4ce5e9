"""Competency assessment in chromium: a trainer opens a round for A组, the agent fills in
her self-assessment on a phone, the trainer reads the results and closes the round, and
the agent sees her own results with the radar chart."""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from seci.core.clock import today
from tests.browser.ui import flash, login, logout, unique

pytestmark = pytest.mark.browser
DOC_SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def save_shot(page: Page, name: str, tmp_path: Path) -> None:
    folder = DOC_SHOTS if os.environ.get("SECI_DOC_SCREENSHOTS") == "1" else tmp_path
    page.screenshot(path=folder / name, full_page=True)


def test_a_round_from_opening_to_the_agents_results(
        page: Page, new_context: Callable[..., BrowserContext], tmp_path: Path) -> None:
    title = f"胜任力复评 {unique()}"
    login(page, "trainer")
    page.goto("/competency")
    page.get_by_role("link", name="新建轮次").click()
    page.get_by_label("标题").fill(title)
    page.locator("select[name=team]").select_option("A组")
    page.get_by_label("截止日期").fill((today() + timedelta(days=7)).isoformat())
    page.get_by_role("button", name="开始评估").click()
    expect(flash(page)).to_contain_text("评估已开始")
    round_url = page.url.split("?")[0]
    logout(page)

    phone = new_context(viewport={"width": 390, "height": 844}).new_page()
    login(phone, "agent")
    phone.goto("/competency")
    phone.locator("#my-forms li").filter(has_text=title).get_by_role("link", name="自评").click()
    questions = phone.locator("fieldset.cp-question")
    expect(questions).to_have_count(33)
    questions.nth(0).locator("label.cp-point").nth(3).click()  # a 4, then saved for later
    phone.get_by_role("button", name="保存，稍后继续").click()
    expect(flash(phone)).to_have_text("答案已保存，可稍后回来继续填写。")
    expect(questions.nth(0).locator("input[value='4']")).to_be_checked()
    questions.nth(1).locator("label.cp-point").nth(4).click()  # saved as it goes
    expect(phone.locator(".cp-autosave")).to_have_text("已自动保存。")
    for index in range(2, 33):
        questions.nth(index).locator("label.cp-point").nth(2 + index % 3).click()
    form_width = phone.evaluate(
        "document.querySelector('form.cp-assessment').getBoundingClientRect().width")
    assert form_width <= 390  # the form itself fits the phone's width
    save_shot(phone, "competency-form.png", tmp_path)
    phone.get_by_label("评语（选填）").fill("希望多练习安抚话术。")
    phone.get_by_role("button", name="提交评估").click()
    expect(flash(phone)).to_have_text("谢谢，评估已提交。")

    page.goto(round_url)
    login(page, "trainer")
    page.goto(round_url)
    expect(page.locator("#completion")).to_contain_text("已提交 1/")
    expect(page.locator("#team-overall")).not_to_have_text("—")
    expect(page.locator("#people")).to_contain_text("张小云")
    save_shot(page, "competency-round.png", tmp_path)
    page.get_by_role("button", name="结束本轮并发布结果").click()
    expect(flash(page)).to_have_text("本轮已结束，坐席现在可以看到自己的结果。")

    phone.goto("/competency/me")
    section = phone.locator("section.card").filter(has_text=title)
    expect(section.locator("#own-overall")).not_to_have_text("—")
    expect(section.locator("figure.chart-radar canvas")).to_have_count(1)
    expect(section).not_to_contain_text("周班长")
    save_shot(phone, "competency-own.png", tmp_path)
