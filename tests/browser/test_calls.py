"""Call analytics in chromium: an import followed on its progress page to its report, the
dashboard's charts with a click through to the calls behind a Pareto bar and on to a
transcript, the team lead's page and an agent's own numbers.

The demo loads thirteen weeks of generated calls (seci/demo/calls.py); the tests read them
and never change them, except the import test, which imports calls of its own (unique ids).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from playwright.sync_api import Page, expect
from sqlalchemy import select

from seci.audit.models import AuditEvent
from tests.browser.conftest import LiveServer
from tests.browser.ui import login, unique
from tests.calls.helpers import call


def _chart_point(page: Page, chart_id: str, finder: dict[str, int], value: list[object]
                 ) -> tuple[float, float]:
    """Page coordinates of a data value, computed by the chart itself."""
    holder = page.locator(f"#{chart_id} .chart-canvas")
    holder.scroll_into_view_if_needed()
    x, y = holder.evaluate(
        "(el, [finder, value]) => echarts.getInstanceByDom(el).convertToPixel(finder, value)",
        [finder, value])
    box = holder.bounding_box()
    assert box is not None
    return box["x"] + x, box["y"] + y


def test_an_import_is_followed_to_its_report(page: Page, tmp_path: Path) -> None:
    prefix = unique("BT")
    good = tmp_path / "calls.jsonl"
    good.write_text("".join(json.dumps(call(f"{prefix}-{i}", agent_id="B9001"),
                                       ensure_ascii=False) + "\n" for i in range(300)),
                    encoding="utf-8")
    login(page, "analyst")
    page.goto("/calls/import")
    page.locator("#call-import-form input[name=file]").set_input_files(good)
    page.locator("#call-import-form button").click()
    expect(page).to_have_url(re.compile(r"/calls/import/\d+$"))
    # The page follows the job (progress bar) and shows the report when it is done.
    report = page.locator("#report")
    expect(report).to_be_visible(timeout=30_000)
    expect(report).to_contain_text("300")
    expect(page.locator("#job-status")).to_have_text("已完成")

    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps(call(f"{prefix}-x", queue="不存在的队列"), ensure_ascii=False)
                   + "\n", encoding="utf-8")
    page.goto("/calls/import")
    page.locator("#call-import-form input[name=file]").set_input_files(bad)
    page.locator("#call-import-form button").click()
    expect(page.locator("#report table.errors")).to_contain_text("不存在的队列",
                                                                 timeout=30_000)
    expect(page.locator("#job-status")).to_have_text("被拒绝")


def test_dashboard_drills_down_to_a_transcript(page: Page, live_server: LiveServer) -> None:
    login(page, "analyst")
    page.goto("/calls/dashboard")
    for chart in ("chart-control", "chart-funnel", "chart-pareto", "chart-heatmap"):
        expect(page.locator(f"#{chart}")).to_have_attribute("data-drawn", "true")
    expect(page.locator("#tile-fcr .kpi-value")).to_have_text(re.compile(r"\d+\.\d%"))
    # The biggest complaint category: its bar opens the complaints behind it.
    first_row = page.locator("#chart-pareto-table tbody tr").first
    first_category = first_row.locator("th").inner_text()
    count = int(first_row.locator("td").first.inner_text().replace(",", ""))
    page.mouse.click(*_chart_point(page, "chart-pareto", {"xAxisIndex": 0, "yAxisIndex": 0},
                                   [0, count // 2]))
    expect(page).to_have_url(re.compile(r"/calls/list\?.*complaint_category="))
    expect(page.locator(".conditions")).to_contain_text(first_category)
    page.locator("table.calls-table tbody tr a").first.click()
    expect(page).to_have_url(re.compile(r"/calls/c/"))
    expect(page.locator(".transcript .turn").first).to_be_visible()
    call_id = page.url.rsplit("/", 1)[1]
    assert live_server.factory is not None
    with live_server.factory() as session:
        assert session.scalar(select(AuditEvent).where(
            AuditEvent.action == "calls.transcript_view", AuditEvent.entity_id == call_id))


def test_table_view_and_excel_download(page: Page) -> None:
    login(page, "analyst")
    page.goto("/calls/dashboard?kpi=complaint_rate")
    figure = page.locator("#chart-control")
    expect(figure).to_have_attribute("data-drawn", "true")
    figure.locator("button[data-view=table]").click()
    expect(page.locator("#chart-control-table tbody tr").first).to_be_visible()
    with page.expect_download() as download:
        figure.locator("a.chart-export").click()
    assert download.value.suggested_filename.endswith(".xlsx")


def test_team_lead_sees_the_team(page: Page) -> None:
    login(page, "supervisor")
    page.goto("/calls")
    expect(page).to_have_url(re.compile(r"/calls/team$"))
    rows = page.locator("#team-agents tbody tr")
    expect(rows.first).to_be_visible()
    assert rows.count() >= 5
    expect(page.locator("#chart-team-funnel")).to_have_attribute("data-drawn", "true")


def test_an_agent_sees_only_their_numbers(page: Page) -> None:
    login(page, "agent")
    page.goto("/calls")
    expect(page).to_have_url(re.compile(r"/calls/me$"))
    expect(page.locator("#tile-fcr .kpi-value")).to_have_text(re.compile(r"\d+\.\d%"))
    expect(page.locator("#my-qa")).to_be_visible()
    response = page.goto("/calls/dashboard")
    assert response is not None and response.status == 403
