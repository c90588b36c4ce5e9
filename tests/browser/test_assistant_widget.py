"""The embeddable widget: one script tag on a page of another site (here: another origin
on this machine) opens the chat in a frame."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from playwright.sync_api import Page, expect

from tests.browser.chat_ui import ask, chat_log, messages
from tests.browser.conftest import LiveServer

pytestmark = pytest.mark.browser

class _Portal(BaseHTTPRequestHandler):
    """Serves one page, whatever the path: a plain intranet page with the snippet."""

    page = b""

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(self.page)))
        self.end_headers()
        self.wfile.write(self.page)

    def log_message(self, *args: object) -> None:  # no request log in the test output
        pass


@pytest.fixture
def portal(live_server: LiveServer) -> Iterator[Callable[[str], str]]:
    """Another origin on this machine (another port) whose page embeds the widget; returns
    a function that sets the script tag's extra attributes and gives the page's URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Portal)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()

    def page_with(attributes: str = "") -> str:
        _Portal.page = (
            '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">'
            "<title>门户</title></head><body><h1>员工门户</h1>"
            f'<script src="{live_server("/assistant/widget.js")}" data-channel="web" '
            f"{attributes} async></script></body></html>").encode()
        return f"http://localhost:{server.server_address[1]}/portal.html"

    yield page_with
    server.shutdown()
    server.server_close()
    thread.join()


def test_the_widget_opens_the_chat_in_a_frame(page: Page,
                                              portal: Callable[[str], str]) -> None:
    page.goto(portal(""))
    button = page.get_by_role("button", name="在线客服")
    expect(button).to_have_attribute("aria-expanded", "false")
    expect(page.locator("iframe")).to_have_count(0)  # nothing loads before it is opened
    button.click()
    expect(button).to_have_attribute("aria-expanded", "true")
    chat = page.frame_locator('iframe[title="在线客服对话"]')
    log = chat_log(chat)
    expect(messages(log, "greeting")).to_have_count(1)
    ask(chat, "国际漫游怎么开通")
    expect(messages(log, "answer")).to_have_count(1)
    page.get_by_role("button", name="关闭对话窗口").click()
    expect(page.locator("#seci-chat-panel")).to_be_hidden()


def test_the_widget_speaks_english_when_asked(page: Page,
                                              portal: Callable[[str], str]) -> None:
    page.goto(portal('data-lang="en"'))
    page.get_by_role("button", name="Online service").click()
    chat = page.frame_locator('iframe[title="Chat with customer service"]')
    expect(chat.get_by_role("button", name="Send", exact=True)).to_be_visible()
