"""Who may act in training plans, coaching and the closed loop, checked by the services."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy.orm import Session

from seci.core.clock import today
from seci.core.errors import NotFound
from seci.people import coaching, loop, monthly, plans, progress
from tests.authorization import Case, allowances, check_allowed, check_refused, refusals
from tests.factories import World
from tests.people.training import closed_round


def _round(db: Session, world: World) -> Any:
    return closed_round(db, world)[1]


def _common(db: Session, world: World) -> Any:
    found = _round(db, world)
    made = plans.generate_plans(db, actor=world["trainer"], round_id=found.id)
    assert made.common is not None
    return made.common


def _lesson(db: Session, world: World) -> Any:
    return plans.plan_items(db, _common(db, world).id)[0]


def _pair(db: Session, world: World) -> Any:
    found = _round(db, world)
    return coaching.create_pair(db, actor=world["trainer"], data=coaching.PairInput(
        coach="T002", mentee="T001", starts_on=today(), ends_on=today() + timedelta(days=60),
        round_id=found.id))


def _lesson_input() -> plans.ItemInput:
    return plans.ItemInput(kind="lesson", title="微课", body="三句话讲清楚")


CASES = [
    Case("generate_plans", lambda db, w, actor, found: plans.generate_plans(
        db, actor=actor, round_id=found.id),
        refused="agent", allowed="supervisor", setup=_round, error=NotFound),
    Case("create_monthly_plan", lambda db, w, actor, _: plans.create_monthly_plan(
        db, actor=actor, team="测试组", month=today(), title="月度"),
        refused="analyst", allowed="trainer"),
    Case("add_item", lambda db, w, actor, plan: plans.add_item(
        db, actor=actor, plan_id=plan.id, data=_lesson_input()),
        refused="agent", allowed="trainer", setup=_common, error=NotFound),
    Case("remove_item", lambda db, w, actor, item: plans.remove_item(
        db, actor=actor, plan_id=item.plan_id, item_id=item.id),
        refused="editor", allowed="trainer", setup=_lesson, error=NotFound),
    Case("update_plan", lambda db, w, actor, plan: plans.update_plan(
        db, actor=actor, plan_id=plan.id, data=plans.PlanUpdate(title="新标题")),
        refused="agent", allowed="manager", setup=_common, error=NotFound),
    Case("assign", lambda db, w, actor, plan: plans.assign(
        db, actor=actor, plan_id=plan.id, agent_ids=["T001"]),
        refused="analyst", allowed="supervisor", setup=_common, error=NotFound),
    Case("mark_done", lambda db, w, actor, item: progress.mark_done(
        db, actor=actor, item_id=item.id),
        refused="trainer", allowed="agent", setup=_lesson, error=NotFound),
    Case("record_completion", lambda db, w, actor, item: progress.record_completion(
        db, actor=actor, item_id=item.id, agent_id="T002"),
        refused="agent", allowed="trainer", setup=_lesson, error=NotFound),
    Case("add_proposals", lambda db, w, actor, plan: monthly.add_proposals(
        db, actor=actor, plan_id=plan.id, month=today(), keys=["search:x"]),
        refused="agent", allowed="trainer", setup=_common, error=NotFound),
    Case("create_pair", lambda db, w, actor, _: coaching.create_pair(
        db, actor=actor, data=coaching.PairInput(
            coach="T002", mentee="T001", starts_on=today(),
            ends_on=today() + timedelta(days=30))),
        refused="agent", allowed="supervisor", setup=_round),
    Case("end_pair", lambda db, w, actor, pair: coaching.end_pair(
        db, actor=actor, pair_id=pair.id, data=coaching.PairEnd(False, "调岗")),
        refused="agent", allowed="trainer", setup=_pair, error=NotFound),
    Case("open_reassessment", lambda db, w, actor, found: loop.open_reassessment(
        db, actor=actor, round_id=found.id, deadline=today() + timedelta(days=7)),
        refused="agent", allowed="trainer", setup=_round, error=NotFound),
]


@pytest.mark.parametrize(("case", "who"), refusals(CASES))
def test_refused(db: Session, world: World, case: Case, who: str) -> None:
    check_refused(db, world, case, who)


@pytest.mark.parametrize("case", allowances(CASES))
def test_allowed(db: Session, world: World, case: Case) -> None:
    if case.name == "add_proposals":
        # The key names no proposal: allowed to ask, refused on the input.
        from seci.core.errors import FieldErrors
        with pytest.raises(FieldErrors):
            check_allowed(db, world, case)
        return
    check_allowed(db, world, case)


def test_a_team_lead_of_another_team_sees_no_plans(db: Session, world: World) -> None:
    plan = _common(db, world)
    lead = world["supervisor"]
    assert plan.id in [p.id for p in plans.list_plans(db, actor=lead)]
    lead.team = "别的组"
    assert plans.list_plans(db, actor=lead) == []
    assert progress.reminders(db, actor=lead) == []
    with pytest.raises(NotFound):
        progress.plan_progress(db, actor=lead, plan_id=plan.id)
