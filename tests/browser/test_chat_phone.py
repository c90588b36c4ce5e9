"""The customer chat on a phone: waiting is a compact bar that leaves the newest messages in
view, the call-back form is a sheet the customer opens, no internal queue code reaches the
customer, and asking for a person again while waiting is answered."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, Page, ViewportSize, expect

from seci.accounts.service import SEEDED_QUEUES
from tests.browser.chat_ui import ask, messages, nobody_at_desk, open_chat
from tests.browser.conftest import LiveServer
from tests.browser.ui import unique

pytestmark = pytest.mark.browser

COMPLAINTS = "投诉专席"  # where "我要投诉…" goes; a call-back needs nobody at a desk there
PHONES: list[ViewportSize] = [{"width": 360, "height": 640}, {"width": 390, "height": 844}]
# Internal words customers must never read: queue codes and the old "queue:" line.
INTERNAL = re.compile("|".join(["排队队列", "转接A", *(re.escape(code) for code, _ in
                                                       SEEDED_QUEUES if len(code) > 1)]))


def phone_page(new_context: Callable[..., BrowserContext], size: ViewportSize) -> Page:
    return new_context(viewport=size, is_mobile=True, has_touch=True).new_page()


def chat_text(page: Page) -> str:
    return page.locator("#chat").inner_text()


def height_of(page: Page, selector: str) -> float:
    box = page.locator(selector).bounding_box()
    assert box is not None, selector
    return float(box["height"])


@pytest.mark.parametrize("size", PHONES, ids=lambda s: f"{s['width']}x{s['height']}")
def test_waiting_on_a_phone_keeps_the_conversation_in_view(
        new_context: Callable[..., BrowserContext], size: ViewportSize) -> None:
    page = phone_page(new_context, size)
    log = open_chat(page)
    ask(page, f"我要投诉乱扣费{unique()}")  # 投诉专席: nobody at a desk, a call-back offered
    handoff = messages(log, "handoff")
    expect(handoff).to_have_count(1)
    expect(handoff).to_contain_text("投诉处理专员")
    bar = page.locator("#chat-waiting")
    expect(bar).to_be_visible()
    expect(bar).to_contain_text("正在等待人工客服")
    expect(bar).to_contain_text("您当前排在第")
    # A bar, not a panel: at most a sixth of the screen (the old panel and form took ~60 %).
    assert height_of(page, "#chat-waiting") <= size["height"] / 6
    expect(handoff.last).to_be_in_viewport()
    expect(page.get_by_role("button", name="发送", exact=True)).to_be_in_viewport()
    assert not INTERNAL.search(chat_text(page)), chat_text(page)
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0

    # 转人工 again: answered with the place in line, the newest message still in view.
    ask(page, "转人工")
    expect(handoff).to_have_count(2)
    expect(handoff.last).to_contain_text(
        re.compile("已在为您转接投诉处理专员，(前面还有 \\d+ 位|您是下一位)"))
    expect(handoff.last).to_be_in_viewport()
    assert not INTERNAL.search(chat_text(page)), chat_text(page)

    # The hours fold out of the bar on request.
    hours = page.locator("#chat-hours")
    expect(hours).to_be_hidden()
    page.locator("#chat-open").click()
    expect(hours).to_contain_text("服务时间")


@pytest.mark.parametrize("size", PHONES, ids=lambda s: f"{s['width']}x{s['height']}")
def test_the_call_back_sheet_opens_and_submits(new_context: Callable[..., BrowserContext],
                                               live_server: LiveServer,
                                               size: ViewportSize) -> None:
    nobody_at_desk(live_server, COMPLAINTS)
    page = phone_page(new_context, size)
    log = open_chat(page)
    ask(page, f"我要投诉乱扣费{unique()}")
    sheet = page.get_by_role("dialog", name="留下号码，等待回电")
    expect(sheet).to_be_hidden()  # offered, not imposed
    opener = page.locator("#chat-waiting").get_by_role("button", name="留下号码，等待回电")
    opener.click()
    expect(sheet).to_be_visible()
    expect(opener).to_have_attribute("aria-expanded", "true")
    phone = sheet.get_by_label("手机号码")
    expect(phone).to_be_focused()
    expect(sheet.get_by_role("button", name="请回电")).to_be_in_viewport()

    sheet.get_by_role("button", name="取消").click()  # closes, nothing sent
    expect(sheet).to_be_hidden()
    expect(opener).to_be_focused()
    opener.click()
    phone.fill("12345")
    sheet.get_by_role("button", name="请回电").click()
    expect(sheet.get_by_role("alert")).to_contain_text("手机号码")
    phone.fill("139 0000 1234")
    sheet.get_by_role("button", name="请回电").click()
    expect(messages(log, "callback")).to_contain_text("139****1234")
    expect(sheet).to_be_hidden()
    expect(messages(log, "callback").last).to_be_in_viewport()
    expect(page.get_by_role("button", name="开始新对话")).to_be_visible()
