"""The queue gate in chromium: an administrator tries to add an uncertified agent to a
specialist seat and sees why on the same page; a manager grants the certification with a
reason; then the administrator's change goes through."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, expect

from seci.accounts import service as accounts
from seci.accounts.roles import Role
from seci.core.db import begin_writing
from seci.demo.loader import DEMO_PASSWORD
from tests.browser.conftest import LiveServer
from tests.browser.ui import login, unique

pytestmark = pytest.mark.browser
GATED_QUEUE = "投诉专席"  # the demo asks for a certification (formal exam, 成长期)


def test_the_admin_sees_why_then_a_manager_certifies_and_it_works(
        new_context: Callable[..., BrowserContext], live_server: LiveServer) -> None:
    name = unique("门禁坐席")
    assert live_server.factory is not None
    with live_server.factory() as session:
        begin_writing(session)  # SQLite: take the write lock first, as the server does
        user = accounts.create_user(session, username=name.lower(), password=DEMO_PASSWORD,
                                    display_name=name, roles=[Role.AGENT], team="A组")
        session.commit()
        user_id = user.id

    admin = new_context().new_page()
    login(admin, "admin")
    admin.goto(f"/admin/users/{user_id}")
    admin.get_by_label(GATED_QUEUE).check()
    admin.get_by_role("button", name="保存").click()
    expect(admin.locator("#user-error")).to_contain_text(GATED_QUEUE)
    expect(admin.locator("#user-error")).to_contain_text("没有队列")
    expect(admin.get_by_label(GATED_QUEUE)).not_to_be_checked()  # nothing was saved

    manager = new_context().new_page()
    login(manager, "manager")
    manager.goto("/competency/certification")
    grant = manager.locator("#manager-grant")
    grant.get_by_label("坐席").select_option(label=name)
    grant.get_by_label("队列").select_option(label=GATED_QUEUE)
    grant.get_by_label("原因").fill("外部调入，已通过原单位鉴定")
    grant.get_by_role("button", name="授予认证").click()
    expect(manager.locator(".flash")).to_contain_text("已授予认证")
    expect(manager.locator("#held")).to_contain_text(name)

    admin.goto(f"/admin/users/{user_id}")
    admin.get_by_label(GATED_QUEUE).check()
    admin.get_by_role("button", name="保存").click()
    expect(admin.locator("#user-error")).to_have_count(0)
    expect(admin.get_by_label(GATED_QUEUE)).to_be_checked()
