"""The knowledge browser's filter form, with and without JavaScript."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.browser.ui import login, nav_to, row

pytestmark = pytest.mark.browser


def filter_by_code(page: Page, code: str) -> int:
    """Type a code, keep "all queues", press 筛选; returns the HTTP status of the answer."""
    nav_to(page, "全部知识")
    page.get_by_label("标题或知识编号").fill(code)
    expect(page.get_by_label("队列")).to_have_value("")  # 全部队列
    with page.expect_response(lambda r: urlsplit(r.url).path == "/kb"
                              and r.request.method == "GET") as answer:
        page.get_by_role("button", name="筛选").click()
    return answer.value.status


def test_filter_leaves_out_empty_fields(page: Page) -> None:
    login(page, "agent")
    assert filter_by_code(page, "KB-ZF-001") == 200
    assert urlsplit(page.url).query == "q=KB-ZF-001"
    expect(row(page, "KB-ZF-001")).to_have_count(1)


def test_filter_works_without_javascript(new_context: Callable[..., BrowserContext]) -> None:
    page = new_context(java_script_enabled=False).new_page()
    login(page, "agent")
    assert filter_by_code(page, "KB-ZF-001") == 200
    expect(row(page, "KB-ZF-001")).to_have_count(1)
