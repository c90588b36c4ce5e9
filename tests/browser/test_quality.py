"""Quality inspection in chromium: the demo reviewer draws a sample, scores a call and sees
it counted; the demo agent appeals the score from "my QA scores".

The test imports a handful of calls of its own, on a day the demo's calls do not cover,
through the call domain's importer, for the demo agent ``agent`` (the agent id the roster
links to that login, or a new roster row), into the shared server's database (its session
factory, conftest.py); it depends on no demo call. Screenshots of the sample and scoring
pages go to /tmp/qa-*.png.

Labels of the QA pages are found by element ids, not by their words: the pages' Chinese
lives in the message catalog.
"""

from __future__ import annotations

import csv
import json
import re
import uuid
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Page, expect
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from seci.accounts.models import User
from seci.calls.access import own_agent_ids
from seci.calls.importing import CallSource, import_calls, load_row_context
from seci.core.db import begin_writing
from seci.core.tabular import FileFormat
from seci.quality.scorecards import ensure_default_scorecard
from seci.roster.importing import import_roster
from tests.browser.conftest import LiveServer
from tests.browser.ui import login, logout

pytestmark = pytest.mark.browser
SHOTS = Path("/tmp")
CALL_DAY = date(2026, 6, 17)  # the handful of calls below are all on this local day


@pytest.fixture
def qa_context(new_context: Callable[..., BrowserContext]) -> Callable[[], Page]:
    def new_page() -> Page:
        return new_context().new_page()

    return new_page


def _user(session: Session, username: str) -> User:
    return session.scalars(select(User).where(User.username == username)).one()


def import_demo_agent_calls(factory: sessionmaker[Session], folder: Path) -> tuple[str, list[str]]:
    """Five calls with transcripts for the demo agent, through the importers; returns the
    agent id and the call ids."""
    with factory() as session:
        agent = _user(session, "agent")
        linked = sorted(own_agent_ids(session, agent))
        agent_id = linked[0] if linked else f"Q{uuid.uuid4().hex[:6].upper()}"
        if not linked:
            roster = folder / "roster.csv"
            with roster.open("w", encoding="utf-8", newline="") as handle:
                writer = csv.writer(handle)
                writer.writerow(["agent_id", "name", "team", "hired_on", "stage", "username"])
                writer.writerow([agent_id, "张小云", "A组", "2025-03-01", "mature", "agent"])
            import_roster(session, actor=_user(session, "analyst"), path=roster,
                          fmt=FileFormat.CSV)
        context = load_row_context(session)
        session.commit()
    call_ids = [f"QA-{uuid.uuid4().hex[:10]}" for _ in range(5)]
    lines = []
    for index, call_id in enumerate(call_ids):
        lines.append(json.dumps({
            "call_id": call_id, "agent_id": agent_id, "team": "A组", "queue": "A",
            "started_at": f"{CALL_DAY.isoformat()}T{9 + 2 * index:02d}:05:00+08:00",
            "duration_s": 150 + 120 * index, "region": "渝中区", "product": "流量套餐",
            "channel": "voice",
            "turns": [
                {"speaker": "agent", "text": "您好，10086，工号1001为您服务。", "start_ms": 0},
                {"speaker": "customer", "text": "我这个月流量咋个超了这么多哦？号码是13812345678。",
                 "start_ms": 3500},
                {"speaker": "agent", "text": "请问是机主本人吗？我帮您查一下本月的流量使用明细。",
                 "start_ms": 9000},
                {"speaker": "customer", "text": "是的，我本人。", "start_ms": 15000},
                {"speaker": "agent", "text": "您本月套餐内30GB已用完，超出部分按3元/GB计费，"
                                             "建议您办理20元10GB的流量加油包。",
                 "start_ms": 21000},
                {"speaker": "customer", "text": "那好嘛，帮我办一个。", "start_ms": 36000},
                {"speaker": "agent", "text": "已为您办理成功，立即生效。请问还有其他可以帮您？",
                 "start_ms": 41000},
                {"speaker": "customer", "text": "没有了，谢谢。", "start_ms": 47000},
                {"speaker": "agent", "text": "感谢您的来电，祝您生活愉快，再见！",
                 "start_ms": 50000}],
            "outcome": {"resolved_first_contact": True, "satisfaction": 5, "complaint": False,
                        "complaint_category": None, "repeat_within_7d": False},
        }, ensure_ascii=False))
    path = folder / "calls.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with factory() as session:
        import_calls(session, actor=_user(session, "analyst"), context=context,
                     source=CallSource(calls=path))
        session.commit()
    return agent_id, call_ids


def test_reviewer_scores_a_sampled_call_and_the_agent_appeals(
        live_server: LiveServer, qa_context: Callable[[], Page], tmp_path: Path) -> None:
    assert live_server.factory is not None
    agent_id, call_ids = import_demo_agent_calls(live_server.factory, tmp_path)
    with live_server.factory() as session:
        begin_writing(session)  # SQLite: take the write lock first, as the server does
        card = ensure_default_scorecard(session, actor=_user(session, "manager"))
        session.commit()
        card_id, first_item = card.id, card.items[0].id

    page = qa_context()
    login(page, "reviewer")
    page.goto("/qa")
    form = page.locator("#draw-form")
    form.locator("input[name=name]").fill(f"浏览器抽检 {agent_id}")
    form.locator("select[name=scorecard_id]").select_option(str(card_id))
    form.locator("input[name=start]").fill(CALL_DAY.isoformat())
    form.locator("input[name=end]").fill(CALL_DAY.isoformat())
    form.locator("input[name=size]").fill("3")
    form.locator("input[name=seed]").fill("2026")
    form.locator("input[name=dimensions][value=duration]").check()
    form.locator("details.qa-filters summary").click()
    form.locator("input[name=agent_id]").fill(agent_id)
    form.locator("#draw-button").click()

    expect(page).to_have_url(re.compile(r"/qa/samples/\d+"))
    expect(page.locator("#strata tbody tr").first).to_be_visible()
    expect(page.locator("#scored-count")).to_have_text("0")
    expect(page.locator("#seed")).to_have_text("2026")
    sample_url = page.url.split("?")[0]
    page.screenshot(path=SHOTS / "qa-sample.png", full_page=True)

    page.locator("#next-call").click()
    expect(page.locator("#score-form")).to_be_visible()
    turns = page.locator(".qa-turns .qa-turn")
    expect(turns.first).to_be_visible()
    expect(page.locator(".qa-turn-customer").first).to_contain_text("138****5678")
    points = page.locator(f"#points_{first_item}")
    expect(points).to_be_focused()  # the first item has the focus: type, Enter, type...
    points.fill("6")
    points.press("Enter")
    expect(page.locator(".qa-item input[type=number]").nth(1)).to_be_focused()
    expect(page.locator("#qa-total")).to_have_text("96.0")
    page.locator("textarea[name=comment]").fill("开场白未完整报出工号，其余规范。")
    page.screenshot(path=SHOTS / "qa-scoring.png")
    scored_call = page.locator("h1").inner_text().split()[0]
    assert scored_call in call_ids
    page.locator("textarea[name=comment]").press("Control+Enter")  # save and next call
    expect(page).not_to_have_url(f"{sample_url}/calls/{scored_call}")

    page.goto(sample_url)
    expect(page.locator("#scored-count")).to_have_text("1")
    scored_row = page.locator("#sample-calls tbody tr").filter(has_text=scored_call)
    expect(scored_row.locator(".qa-total-value")).to_have_text("96.0")
    page.screenshot(path=SHOTS / "qa-sample-scored.png", full_page=True)
    logout(page)

    login(page, "agent")
    page.goto("/qa/mine")
    row = page.locator("#my-scores tbody tr").filter(has_text=scored_call)
    expect(row.locator(".qa-total-value")).to_have_text("96.0")
    row.locator("details.qa-appeal-inline summary").click()
    row.locator("textarea[name=reason]").fill("通话开头已报工号1001，请复核录音 00:00 处。")
    row.locator("form button").click()
    row = page.locator("#my-scores tbody tr").filter(has_text=scored_call)
    expect(row.locator(".badge.qa-appealed")).to_be_visible()
    page.screenshot(path=SHOTS / "qa-mine.png", full_page=True)
