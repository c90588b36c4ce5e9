"""Training plans in chromium: a trainer makes the plans from a closed round's results in one
step, and the agent opens 我的培训计划 on a phone, reads a lesson and marks it done."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Page, expect
from sqlalchemy import select
from sqlalchemy.orm import Session

from seci.accounts.models import User
from seci.core.clock import today
from seci.core.db import begin_writing
from seci.people import competency, rounds
from seci.people.models import AssessmentForm, CompetencyModel
from tests.browser.conftest import LiveServer
from tests.browser.test_competency import save_shot
from tests.browser.ui import flash, login, logout, unique

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}


def _closed_round(live_server: LiveServer, title: str) -> None:
    """A round for A组 every rater answered with 3s (every item weak team-wide), closed."""
    assert live_server.factory is not None
    with live_server.factory() as session:
        begin_writing(session)  # SQLite: take the write lock first, as the server does
        trainer = session.scalar(select(User).where(User.username == "trainer"))
        assert trainer is not None
        model = session.scalar(select(CompetencyModel).order_by(CompetencyModel.id).limit(1))
        assert model is not None
        found = rounds.open_round(session, actor=trainer, settings=rounds.RoundSettings(
            model_id=model.id, team="A组", title=title,
            deadline=today() + timedelta(days=3), peers_per_agent=1))
        questions = [q.id for q in competency.model_spec(session, model.id).questions()]
        for form in _forms(session, found.id):
            rater = session.get(User, form.rater_user_id)
            assert rater is not None
            rounds.save_form(session, actor=rater, form_id=form.id,
                             scores={q: 3 for q in questions if q is not None}, submit=True)
        rounds.close_round(session, actor=trainer, round_id=found.id)
        session.commit()


def _forms(session: Session, round_id: int) -> list[AssessmentForm]:
    return list(session.scalars(select(AssessmentForm).where(
        AssessmentForm.round_id == round_id)))


def test_a_trainer_makes_plans_and_an_agent_marks_a_lesson_done(
        page: Page, new_context: Callable[..., BrowserContext],
        live_server: LiveServer, tmp_path: Path) -> None:
    title = f"培训前测评 {unique()}"
    _closed_round(live_server, title)
    login(page, "trainer")
    page.goto("/competency/plans")
    page.locator("#generate-round").select_option(label=f"A组 · {title}")
    page.get_by_role("button", name="一键生成计划").click()
    expect(flash(page)).to_have_text("已根据本轮结果生成计划，可在下方编辑。")
    expect(page.locator("h1")).to_contain_text("共性计划")
    expect(page.locator("#plan-items .tp-item")).to_have_count(11)
    expect(page.locator("#plan-agents")).to_contain_text("张小云")
    logout(page)

    phone = new_context(viewport=PHONE).new_page()
    login(phone, "agent")
    phone.goto("/competency/my-plans")
    plan = phone.locator("section.tp-plan").filter(has_text=title)
    expect(plan.locator(".tp-status")).to_contain_text("已完成 0 / 11")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    plan.locator("a.tp-open").first.click()
    expect(phone.locator(".tp-lesson .tp-body")).not_to_be_empty()
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"]  # the lesson fits the phone: no sideways scrolling
    phone.get_by_role("button", name="标记完成").click()
    expect(flash(phone)).to_have_text("很好，已标记完成。")
    plan = phone.locator("section.tp-plan").filter(has_text=title)
    expect(plan.locator(".tp-status")).to_contain_text("已完成 1 / 11")
    expect(plan.locator(".tp-row.tp-done")).to_have_count(1)
    save_shot(phone, "training-my-plans.png", tmp_path)
