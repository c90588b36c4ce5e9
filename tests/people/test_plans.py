"""Training plans from a round's results: the rules, editing, assignments, completion,
progress and reminders."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy.orm import Session

from seci.core.clock import today
from seci.core.errors import FieldErrors
from seci.people import plans, progress
from seci.people.errors import (
    ExamItemByAttempt,
    PlanItemNotFound,
    PlansExist,
    RoundNotClosed,
)
from seci.people.results import compute_team_result
from seci.people.training_models import PlanItemKind, PlanKind
from tests.factories import World, make_article
from tests.people.helpers import make_team, open_small_round
from tests.people.training import closed_round


def test_rules_by_hand(db: Session, world: World) -> None:
    _, found = closed_round(db, world)
    result = compute_team_result(db, found)
    assert [f.mean for f in result.items] == [pytest.approx(3.0), pytest.approx(4.0)]
    assert result.overall.mean == pytest.approx(3.5)
    rules = plans.PlanRules()
    # 亲和力 3.0 < 3.5: weak team-wide; 理解能力 4.0 is neither < 3.5 nor < 3.5 − 0.3.
    assert [i.name for i in plans.common_weak_items(result, rules)] == ["亲和力"]
    # Only T003's 理解能力 (3.0 < 3.5) is weak beyond the common item.
    common = {i.id or 0 for i in plans.common_weak_items(result, rules)}
    personal = {p.agent.agent_id: [i.name for i in plans.personal_weak_items(
        result, p, rules, common)] for p in result.rated_people}
    assert personal == {"T001": [], "T002": [], "T003": ["理解能力"], "T004": []}
    # A margin rule: 3.9 is weak against a team mean of 4.25 with margin 0.3.
    assert plans.weak_for_person(3.9, 4.25, rules)
    assert not plans.weak_for_person(4.0, 4.25, rules)
    assert not plans.weak_for_person(None, 4.25, rules)


def test_plans_in_one_step(db: Session, world: World) -> None:
    _, found = closed_round(db, world)
    made = plans.generate_plans(db, actor=world["trainer"], round_id=found.id)
    assert made.common is not None
    assert made.common.kind == PlanKind.COMMON
    common = progress.plan_progress(db, actor=world["trainer"], plan_id=made.common.id)
    assert [i.title for i in common.items] == ["亲和力"]
    assert common.items[0].kind == PlanItemKind.LESSON
    assert "语气温和 — 好" in common.items[0].body  # what a 5 looks like
    assert [a.agent.agent_id for a in common.agents] == ["T001", "T002", "T003", "T004"]
    assert [p.title for p in made.personal] == ["员工T003"]
    with pytest.raises(PlansExist):
        plans.generate_plans(db, actor=world["trainer"], round_id=found.id)


def test_an_open_round_makes_no_plans(db: Session, world: World) -> None:
    team = make_team(db, world)
    found = open_small_round(db, world, team)
    with pytest.raises(RoundNotClosed):
        plans.generate_plans(db, actor=world["trainer"], round_id=found.id)


def test_edit_items_and_complete(db: Session, world: World) -> None:
    _, found = closed_round(db, world)
    trainer, agent = world["trainer"], world["agent"]  # the agent is T001
    common = plans.generate_plans(db, actor=trainer, round_id=found.id).common
    assert common is not None
    article = make_article(db, world)
    session = plans.add_item(db, actor=trainer, plan_id=common.id, data=plans.ItemInput(
        kind="session", title="亲和力情景演练", session_at=datetime(2026, 12, 20, 14, 0),
        place="三楼培训室"))
    read = plans.add_item(db, actor=trainer, plan_id=common.id, data=plans.ItemInput(
        kind="article", title="读：国际漫游", article_id=article.id))
    with pytest.raises(FieldErrors) as bad:
        plans.add_item(db, actor=trainer, plan_id=common.id, data=plans.ItemInput(
            kind="lesson", title="", body=""))
    assert {e["field"] for e in bad.value.errors} == {"title", "body"}
    with pytest.raises(FieldErrors):
        plans.add_item(db, actor=trainer, plan_id=common.id, data=plans.ItemInput(
            kind="exam", title="考试", exam_id=999_999))

    own = progress.my_plans(db, actor=agent)
    assert [o.plan.id for o in own] == [common.id]
    assert own[0].progress.total == 3
    lesson = own[0].items[0]
    progress.mark_done(db, actor=agent, item_id=lesson.id)
    progress.mark_done(db, actor=agent, item_id=lesson.id)  # idempotent
    progress.record_completion(db, actor=trainer, item_id=session.id, agent_id="T002")
    state = progress.plan_progress(db, actor=trainer, plan_id=common.id)
    by_agent = {a.agent.agent_id: a.done for a in state.agents}
    assert by_agent == {"T001": 1, "T002": 1, "T003": 0, "T004": 0}
    assert (state.done, state.total) == (2, 12)
    assert state.share == pytest.approx(2 / 12)
    # Someone else's item does not exist for the agent.
    other = world["editor"]
    with pytest.raises(PlanItemNotFound):
        progress.mark_done(db, actor=other, item_id=lesson.id)
    plans.remove_item(db, actor=trainer, plan_id=common.id, item_id=read.id)
    assert len(plans.plan_items(db, common.id)) == 2


def test_exam_items_are_done_by_passing(db: Session, world: World) -> None:
    from seci.people.exam_models import AttemptStatus, Exam, ExamAttempt
    _, found = closed_round(db, world)
    common = plans.generate_plans(db, actor=world["trainer"], round_id=found.id).common
    assert common is not None
    exam = Exam(title="话费专席鉴定")
    db.add(exam)
    db.flush()
    item = plans.add_item(db, actor=world["trainer"], plan_id=common.id, data=plans.ItemInput(
        kind="exam", title="通过鉴定考试", exam_id=exam.id))
    with pytest.raises(ExamItemByAttempt):
        progress.mark_done(db, actor=world["agent"], item_id=item.id)
    db.add(ExamAttempt(exam_id=exam.id, user_id=world["agent"].id, status=AttemptStatus.GRADED,
                       expires_at=datetime(2026, 12, 1), passed=True, score_percent=90.0))
    db.flush()
    own = progress.my_plans(db, actor=world["agent"])[0]
    assert item.id in own.progress.done_ids


def test_reminders_overdue_first_and_team_progress(db: Session, world: World) -> None:
    _, found = closed_round(db, world)
    trainer = world["trainer"]
    made = plans.generate_plans(db, actor=trainer, round_id=found.id,
                                due_on=today() + timedelta(days=5))
    assert made.common is not None
    personal = made.personal[0]
    # The personal plan went overdue (as if its due date had passed).
    from sqlalchemy import select

    from seci.people.training_models import TrainingAssignment
    assignment = db.scalar(select(TrainingAssignment).where(
        TrainingAssignment.plan_id == personal.id))
    assert assignment is not None
    assignment.due_on = today() - timedelta(days=2)
    db.flush()
    rows = progress.reminders(db, actor=trainer)
    assert (rows[0].agent.agent_id, rows[0].plan.id, rows[0].overdue) == (
        "T003", personal.id, True)
    assert rows[0].days_left == -2
    assert all(not r.overdue for r in rows[1:])
    assert len(rows) == 5  # four agents on the common plan, T003's personal one
    summary = progress.team_summaries(progress.team_progress(db, actor=trainer))
    assert [(s.team, s.plans, s.done, s.total, s.overdue_agents) for s in summary] == [
        ("测试组", 2, 0, 5, 1)]


def test_update_and_assign(db: Session, world: World) -> None:
    _, found = closed_round(db, world)
    trainer = world["trainer"]
    made = plans.generate_plans(db, actor=trainer, round_id=found.id)
    personal = made.personal[0]
    due = today() + timedelta(days=10)
    plans.update_plan(db, actor=trainer, plan_id=personal.id, data=plans.PlanUpdate(
        title="理解能力提升", due_on=due))
    added = plans.assign(db, actor=trainer, plan_id=personal.id, agent_ids=["T002", "T003"])
    assert len(added) == 1  # T003 already had it
    state = progress.plan_progress(db, actor=trainer, plan_id=personal.id)
    assert [a.assignment.due_on for a in state.agents] == [due, due]
    with pytest.raises(FieldErrors):
        plans.assign(db, actor=trainer, plan_id=personal.id, agent_ids=["X999"])
