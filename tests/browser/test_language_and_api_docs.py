"""The language switch in the top bar, and the offline API docs."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, Request, expect

from tests.browser.ui import login, nav_link, nav_to

pytestmark = pytest.mark.browser


def test_switch_to_english_and_back(page: Page) -> None:
    login(page, "agent")
    nav_to(page, "全部知识")
    expect(page.get_by_role("heading", level=1)).to_have_text("全部知识")

    page.locator("header.topbar").get_by_role("link", name="English").click()
    expect(page).to_have_url(re.compile(r"/kb$"))  # stays on the same page
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("nav.mainnav details.area.current > summary")).to_have_text("Knowledge")
    for name in ("All knowledge", "New knowledge", "Feedback"):
        expect(nav_link(page, name)).to_have_count(1)
    expect(page.get_by_role("heading", level=1)).to_have_text("All knowledge")
    expect(page.get_by_role("button", name="Filter")).to_be_visible()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()

    nav_to(page, "New knowledge")
    expect(page.get_by_role("heading", level=1)).to_contain_text("New knowledge for my queues")

    page.locator("header.topbar").get_by_role("link", name="简体中文").click()
    expect(page).to_have_url(re.compile(r"/kb/new$"))
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(page.get_by_role("heading", level=1)).to_contain_text("我的队列的新知识")
    expect(page.locator("nav.mainnav details.area.current > summary")).to_have_text("知识")
    expect(page.get_by_role("button", name="退出登录")).to_be_visible()


def test_api_docs_render_offline(page: Page) -> None:
    requests: list[str] = []

    def remember(request: Request) -> None:
        requests.append(request.url)

    page.on("request", remember)
    page.goto("/api/docs")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("SECI")
    operations = page.locator(".opblock")
    expect(operations.first).to_be_visible()
    expect(page.locator(".opblock-summary-path").filter(has_text="/api/v1/articles").first
           ).to_be_visible()
    assert operations.count() > 10

    # Open one operation: its details render from the bundled assets too.
    operations.first.locator(".opblock-summary").click()
    expect(operations.first.locator(".opblock-body")).to_be_visible()

    assert any(url.endswith("/api/v1/openapi.json") for url in requests)
    foreign = [url for url in requests
               if urlsplit(url).scheme in {"http", "https", "ws", "wss"}
               and urlsplit(url).hostname != "127.0.0.1"]
    assert not foreign, f"the docs page reached outside the server: {foreign}"
