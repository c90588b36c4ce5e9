"""Customer answers, not articles, in the browser: the chat shows an article's customer
answer (答复口径) or the section that answers the question, never agents' notes, and the
full text on request; in the hand-off inbox agent assist reads the whole conversation and
插入答案 puts editable text into the reply box."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.browser.chat_ui import ask, messages, open_chat
from tests.browser.test_assistant_handoff import open_from_inbox
from tests.browser.ui import login, unique

pytestmark = pytest.mark.browser

# The demo's KB-ZW-001 has a customer answer; its body has a 话术参考 section.
BILL_ANSWER = "发送“CXHF”到10086查询实时话费余额"
ROAMING_ANSWER = "实名用户默认已开通国际漫游语音功能"


def test_the_chat_shows_the_customer_answer_and_the_full_article_on_request(
        page: Page) -> None:
    log = open_chat(page)
    ask(page, "怎么查我这个月花了多少钱")
    answer = messages(log, "answer")
    expect(answer).to_have_count(1)
    expect(answer.locator("strong").first).to_have_text("话费查询与账单解读")
    expect(answer.locator(".msg-body")).to_contain_text(BILL_ANSWER)
    expect(answer.locator(".msg-body")).not_to_contain_text("账单构成")
    more = answer.get_by_role("button", name="查看完整内容")
    more.click()
    full = answer.locator(".msg-more-body")
    expect(full).to_contain_text("账单构成")
    expect(full).to_contain_text("套餐外费用")
    expect(more).to_have_count(0)
    for note in ("话术参考", "我帮您看一下", "坐席"):
        expect(log).not_to_contain_text(note)


def test_the_chat_shows_the_section_that_answers_never_agent_notes(page: Page) -> None:
    log = open_chat(page)
    ask(page, "发票咋开")
    answer = messages(log, "answer")
    expect(answer.locator("strong").first).to_have_text("缴费充值与电子发票")
    body = answer.locator(".msg-body")
    expect(body).to_contain_text("电子发票")
    expect(body).not_to_contain_text("银行代扣")  # another section
    expect(body).not_to_contain_text("话术参考")
    answer.get_by_role("button", name="查看完整内容").click()
    expect(answer.locator(".msg-more-body")).to_contain_text("银行代扣")
    expect(log).not_to_contain_text("我帮您登记一个核查工单")


def test_agent_assist_reads_the_whole_conversation_and_insert_fills_the_reply_box(
        page: Page, new_context: Callable[..., BrowserContext]) -> None:
    customer = open_chat(page)
    ask(page, "出国了手机还能用不")
    expect(messages(customer, "answer")).to_contain_text(ROAMING_ANSWER)
    request = f"转人工 编号{unique()}"  # the tests share one inbox
    ask(page, request)
    expect(messages(customer, "handoff")).to_have_count(1)

    agent = new_context().new_page()
    login(agent, "agent")  # queue A
    open_from_inbox(agent, request)
    agent.get_by_role("button", name="接入").click()
    expect(messages(customer, "accepted")).to_have_count(1)
    ask(page, "在吗？")  # the last lines say nothing about roaming; the conversation does
    expect(agent.get_by_role("log", name="对话记录").locator("li.from-customer")).to_have_count(3)
    assist = agent.locator("#assist-list li")
    first = assist.first
    expect(first).to_contain_text("国际漫游业务开通与资费说明")
    expect(first.locator(".best-match")).to_have_text("最佳匹配")
    expect(agent.locator("#assist-list .best-match")).to_have_count(1)

    reply = agent.get_by_label("回复客户", exact=True)
    first.get_by_role("button", name="插入答案").click()
    expect(reply).to_have_value(re.compile(ROAMING_ANSWER))
    expect(agent.locator("#ws-stream-status")).to_contain_text("答案已放入回复框")
    expect(messages(customer, "article")).to_have_count(0)  # nothing sent yet
    reply.press("Control+Home")
    reply.type("您好，")
    reply.press("Enter")
    inserted = messages(customer, "article")
    expect(inserted).to_have_count(1)
    expect(inserted.locator(".msg-body")).to_contain_text("您好，" + ROAMING_ANSWER)
    expect(reply).to_have_value("")
