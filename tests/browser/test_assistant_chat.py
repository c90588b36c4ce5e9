"""The customer chat: answers with 是否解决, choices, resuming after a reload, the English
switch, bad input, and the call-back form when nobody can take the chat."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.browser.chat_ui import ask, messages, open_chat
from tests.browser.ui import login, nav_to, unique

pytestmark = pytest.mark.browser


def test_a_routine_question_gets_the_answer_and_a_did_it_help_question(page: Page) -> None:
    log = open_chat(page)
    ask(page, "我想换运营商但是号码不变")
    answer = messages(log, "answer")
    expect(answer).to_have_count(1)
    expect(answer.locator("strong").first).to_have_text("携号转网条件与办理流程")
    answer.get_by_role("button", name="有用", exact=True).click()
    expect(answer.locator(".feedback")).to_have_text("感谢您的反馈。")
    expect(messages(log, "feedback")).to_contain_text("很高兴能帮到您")

    page.reload()  # the same conversation, replayed once from the stream
    log = page.get_by_role("log", name="对话")
    expect(messages(log, "feedback")).to_have_count(1)
    expect(messages(log, "answer")).to_have_count(1)
    expect(messages(log, "answer").locator(".feedback")).to_have_text("感谢您的反馈。")
    expect(log.locator("li.from-customer .msg-body")).to_have_text(["我想换运营商但是号码不变"])


def test_a_greeting_is_answered_in_kind_and_leads_to_no_person(page: Page) -> None:
    log = open_chat(page)
    ask(page, "你好")
    expect(messages(log, "courtesy")).to_contain_text("请问有什么可以帮您")
    ask(page, "在吗？")
    expect(messages(log, "courtesy")).to_have_count(2)
    expect(messages(log, "no_match")).to_have_count(0)
    expect(messages(log, "handoff")).to_have_count(0)


def test_a_vague_question_offers_choices_to_click(page: Page) -> None:
    log = open_chat(page)
    ask(page, "套餐")
    choices = messages(log, "choices")
    expect(choices).to_contain_text("您是想问")
    options = choices.get_by_role("button")
    expect(options).to_have_count(3)
    second = options.nth(1)
    title = (second.text_content() or "").split(". ", 1)[1]
    second.click()
    expect(messages(log, "answer").locator("strong").first).to_have_text(title)
    expect(options.first).to_be_disabled()  # a later message: the choice is no longer open


def test_bad_input_shows_the_servers_message(page: Page) -> None:
    log = open_chat(page)
    box = page.get_by_label("您的消息")
    box.fill("   ")
    page.get_by_role("button", name="发送", exact=True).click()
    expect(page.get_by_role("alert").filter(has_text="消息为空")).to_be_visible()
    box.fill("话" * 2001)
    box.press("Enter")
    expect(page.get_by_role("alert").filter(has_text="2000")).to_be_visible()
    expect(box).to_have_value("话" * 2001)  # kept, so the customer can shorten it
    ask(page, "<script>alert(1)</script>")
    expect(log.locator("li.from-customer .msg-body").last).to_have_text(
        "<script>alert(1)</script>")
    ask(page, "😀😀")
    expect(messages(log, "no_match").last).to_contain_text("文字")


def test_the_english_switch_keeps_the_conversation(page: Page) -> None:
    log = open_chat(page)
    ask(page, "国际漫游怎么开通")
    expect(messages(log, "answer")).to_have_count(1)
    page.get_by_role("link", name="English").click()
    log = page.get_by_role("log", name="Conversation")
    expect(messages(log, "answer")).to_have_count(1)
    expect(page.get_by_role("button", name="Send", exact=True)).to_be_visible()
    expect(messages(log, "answer").get_by_role("button", name="Useful", exact=True)).to_be_visible()


def test_nobody_free_the_customer_leaves_a_call_back_number(
        page: Page, new_context: Callable[..., BrowserContext]) -> None:
    complaint = f"我要投诉乱扣费{unique()}"
    log = open_chat(page)
    ask(page, complaint)  # complaints go to 投诉专席, where nobody is at their desk
    expect(messages(log, "handoff")).to_contain_text("投诉")
    form = page.locator("#chat-callback")
    expect(form).to_be_hidden()  # a sheet the customer opens from the waiting bar
    page.get_by_role("button", name="留下号码，等待回电").click()
    expect(form).to_be_visible()
    phone = form.get_by_label("手机号码")
    phone.fill("12345")
    form.get_by_role("button", name="请回电").click()
    expect(form.get_by_role("alert")).to_have_text(
        "请输入以 1 开头的 11 位手机号码，例如 13812345678。")
    expect(phone).to_have_attribute("aria-invalid", "true")
    phone.fill("138 1234 5678")
    form.get_by_role("button", name="请回电").click()
    expect(messages(log, "callback")).to_contain_text("138****5678")
    expect(form).to_be_hidden()
    expect(page.get_by_role("button", name="开始新对话")).to_be_visible()

    agent = new_context().new_page()
    login(agent, "agent3")  # 投诉专席
    nav_to(agent, "转人工工作台")
    agent.get_by_role("link", name="回电请求").click()
    row = agent.locator("#callbacks tbody tr").filter(has_text="138****5678")
    expect(row).not_to_have_count(0)
    row.first.get_by_role("button", name="认领").click()
    expect(agent.locator("main .flash")).to_contain_text("已认领")
    expect(agent.locator("#callbacks")).to_contain_text("13812345678")


def test_the_chat_fits_a_phone_screen(new_context: Callable[..., BrowserContext]) -> None:
    phone = new_context(viewport={"width": 360, "height": 740}, is_mobile=True,
                        has_touch=True).new_page()
    log = open_chat(phone)
    ask(phone, "国际漫游怎么开通")
    expect(messages(log, "answer")).to_have_count(1)
    overflow = phone.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
    expect(phone.get_by_role("button", name="发送", exact=True)).to_be_in_viewport()
    expect(phone.get_by_role("button", name="转人工")).to_be_in_viewport()
