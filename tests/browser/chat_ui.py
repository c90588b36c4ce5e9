"""What a customer and an agent do with the assistant's pages, step by step."""

from __future__ import annotations

import re
from datetime import timedelta

from playwright.sync_api import FrameLocator, Locator, Page, expect
from sqlalchemy import select, update

from seci.accounts.models import Queue, UserQueue
from seci.assistant.models import AgentPresence
from seci.assistant.queues import PRESENCE_WINDOW
from seci.core.clock import utcnow
from seci.core.db import begin_writing
from tests.browser.conftest import LiveServer

Surface = Page | FrameLocator


def chat_log(surface: Surface) -> Locator:
    return surface.get_by_role("log", name="对话")


def open_chat(page: Page, path: str = "/chat") -> Locator:
    """A new customer chat; returns its message log once the greeting is there."""
    page.goto(path)
    log = chat_log(page)
    expect(log.locator("li.kind-greeting")).to_have_count(1)
    return log


def ask(surface: Surface, text: str) -> None:
    """Type a message and press Enter, then wait until the server stored it."""
    box = surface.get_by_label("您的消息")
    box.fill(text)
    box.press("Enter")
    expect(box).to_have_value("")


def messages(log: Locator, kind: str) -> Locator:
    return log.locator(f"li.kind-{kind}")


def conversation_id_of(page: Page) -> int:
    """The id of the agent's open conversation page."""
    match = re.search(r"/assistant/inbox/(\d+)", page.url)
    assert match, page.url
    return int(match.group(1))


def nobody_at_desk(live_server: LiveServer, queue_code: str) -> None:
    """Age the presence of the queue's agents out of the window: another test of the same
    server may have had one of them working the inbox a minute ago, and a call-back is
    offered only when nobody is at their desk."""
    assert live_server.factory is not None
    with live_server.factory() as session:
        begin_writing(session)  # SQLite: take the write lock first, as the server does
        members = select(UserQueue.user_id).join(Queue, Queue.id == UserQueue.queue_id).where(
            Queue.code == queue_code)
        session.execute(update(AgentPresence).where(AgentPresence.user_id.in_(members))
                        .values(last_seen_at=utcnow() - PRESENCE_WINDOW - timedelta(minutes=1)))
        session.commit()
