"""What a customer and an agent do with the assistant's pages, step by step."""

from __future__ import annotations

import re

from playwright.sync_api import FrameLocator, Locator, Page, expect

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
