import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import login

pytestmark = pytest.mark.browser


def test_login(page: Page) -> None:
    login(page, "agent")
    expect(page.get_by_role("heading", level=1)).to_contain_text("您好")
    page.screenshot(path="/tmp/bt/home.png")
