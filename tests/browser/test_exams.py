"""An agent takes the demo's formal exam on a phone in chromium: answers are saved as she
goes, a reload mid-way shows the same questions and her answers with the server's time
left, she hands in and sees her score, then finds it under 我的考试."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, Locator, Page, expect

from seci.demo.exams import FORMAL_TITLE
from tests.browser.ui import login

pytestmark = pytest.mark.browser


# This chromium shows the phone menu over the page's top (the header is sticky), so the
# tests work the page by keyboard, as a user can, rather than by a click that lands on it.
def _press(target: Locator, key: str) -> None:
    target.focus()
    target.press(key)


def _answer(question: Locator) -> None:
    """The first option, or a text for a blank."""
    if question.get_attribute("data-kind") == "fill":
        question.locator("input[type=text]").fill("10086")
        question.locator("input[type=text]").blur()
    else:
        _press(question.locator("input").first, "Space")


def _answered(question: Locator) -> None:
    if question.get_attribute("data-kind") == "fill":
        expect(question.locator("input[type=text]")).to_have_value("10086")
    else:
        expect(question.locator("input").first).to_be_checked()


def test_an_agent_takes_an_exam_reloads_and_hands_in(
        new_context: Callable[..., BrowserContext]) -> None:
    phone: Page = new_context(viewport={"width": 390, "height": 844}).new_page()
    login(phone, "agent")
    phone.goto("/exams/mine")
    _press(phone.locator("#available li").filter(has_text=FORMAL_TITLE).get_by_role("button"),
           "Enter")
    expect(phone.locator("#countdown")).to_be_visible()
    questions = phone.locator("fieldset.ex-question")
    expect(questions).to_have_count(20)
    stems = questions.locator("legend").all_inner_texts()
    _answer(questions.nth(0))
    expect(phone.locator(".ex-autosave")).to_contain_text("已保存")
    _answer(questions.nth(1))
    phone.wait_for_timeout(300)
    expect(phone.locator(".ex-autosave")).to_contain_text("已保存")
    expect(phone.locator("#answered-count")).to_contain_text("2/20")
    width = phone.evaluate("document.querySelector('form.ex-take').getBoundingClientRect().width")
    assert width <= 390  # the exam fits the phone

    phone.reload()  # mid-way: the same exam, the answers kept, the server's time
    expect(questions).to_have_count(20)
    assert questions.locator("legend").all_inner_texts() == stems
    _answered(questions.nth(0))
    _answered(questions.nth(1))
    left = int(phone.locator("#countdown").get_attribute("data-remaining") or "0")
    assert 0 < left <= 30 * 60

    _answer(questions.nth(2))
    _press(phone.get_by_role("button", name="交卷"), "Enter")
    expect(phone.locator("#result")).to_contain_text("得分")
    expect(phone.locator("#countdown")).to_have_count(0)
    phone.goto("/exams/mine")
    expect(phone.locator("#history")).to_contain_text(FORMAL_TITLE)
    expect(phone.locator("#history")).to_contain_text("%")
