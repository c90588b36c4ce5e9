"""Growth stages: tenure, rules, readiness with reasons, number and quality per stage and
queue, moving up."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from seci.audit.models import AuditEvent
from seci.core.clock import today
from seci.people import stages
from seci.people.errors import NotReadyToMoveUp, ReasonRequired, TopStage
from seci.people.stages import StageRuleData, tenure_months
from seci.roster.models import Stage
from tests.factories import World
from tests.people.cert_helpers import certify
from tests.people.helpers import make_team


def test_tenure_counts_whole_months() -> None:
    assert tenure_months(date(2026, 1, 15), date(2026, 4, 14)) == 2
    assert tenure_months(date(2026, 1, 15), date(2026, 4, 15)) == 3
    assert tenure_months(date(2025, 11, 30), date(2026, 2, 28)) == 2
    assert tenure_months(date(2026, 5, 1), date(2026, 4, 1)) == 0


def _two_new_agents(db: Session, world: World) -> list[int]:
    team = make_team(db, world)
    first, second = team.agents[0], team.agents[1]
    first.stage, second.stage = Stage.NEW, Stage.NEW
    first.hired_on = today() - timedelta(days=200)  # six months or more
    second.hired_on = today() - timedelta(days=40)  # one month
    db.flush()
    return [first.id, second.id]


def test_readiness_with_reasons_and_moving_up(db: Session, world: World) -> None:
    first, second = _two_new_agents(db, world)
    stages.set_stage_rule(db, actor=world["manager"], stage=Stage.GROWING,
                          data=StageRuleData(min_tenure_months=3, min_certifications=1))
    certify(db, world["agent"], world.queues["A"].id, today() + timedelta(days=90))
    found = {e.agent.id: e for e in stages.evaluate_stages(db, actor=world["supervisor"])}
    assert found[first].ready and found[first].next_stage == Stage.GROWING
    assert not found[second].ready
    assert {c.kind: c.met for c in found[second].checks} == {"tenure": False,
                                                             "certifications": False}
    moved = stages.move_up(db, actor=world["supervisor"], roster_agent_id=first)
    assert moved.stage == Stage.GROWING
    assert db.scalars(select(AuditEvent).where(AuditEvent.action == "stage.move_up")).one()
    with pytest.raises(NotReadyToMoveUp):
        stages.move_up(db, actor=world["supervisor"], roster_agent_id=second)
    with pytest.raises(ReasonRequired):
        stages.move_up(db, actor=world["manager"], roster_agent_id=second)
    stages.move_up(db, actor=world["manager"], roster_agent_id=second, reason="转岗老员工")


def test_the_last_stage_has_nowhere_to_go(db: Session, world: World) -> None:
    team = make_team(db, world)
    evaluations = stages.evaluate_stages(db, actor=world["trainer"])
    assert all(e.next_stage is None and not e.ready for e in evaluations)
    with pytest.raises(TopStage):
        stages.move_up(db, actor=world["manager"], roster_agent_id=team.agents[0].id,
                       reason="x")


def test_number_and_quality_per_stage_and_queue(db: Session, world: World) -> None:
    _two_new_agents(db, world)  # T001 (queue A) and T002 new; T003, T004 mature
    rows = {(r.stage, r.queue): r for r in stages.stage_quality(db, actor=world["manager"])}
    assert rows[(Stage.NEW, None)].count == 2
    assert rows[(Stage.MATURE, None)].count == 2
    assert rows[(Stage.NEW, world.queues["A"].name)].count == 1
    assert rows[(Stage.NEW, None)].fcr is None  # no calls
    assert rows[(Stage.NEW, None)].mean_competency is None  # no closed round


def test_stage_rules_are_validated(db: Session, world: World) -> None:
    from seci.core.errors import FieldErrors
    with pytest.raises(FieldErrors):
        stages.set_stage_rule(db, actor=world["manager"], stage="expert",
                              data=StageRuleData(min_tenure_months=-1))


def test_pooled_fcr_and_kpi_rules_by_hand(db: Session, world: World) -> None:
    """T001 (new): 20 calls, 15 resolved (0.75); T002 (new): 30 calls, 12 resolved (0.40).
    Pooled FCR of 新员工 = (15 + 12) / (20 + 30) = 0.54; in queue A (T001 only) 0.75.
    With 成长期 asking FCR ≥ 0.6 and satisfaction ≥ 4: T001 (mean 4.0 over 20 rated) is
    ready, T002 (0.40, mean 3.0) is not."""
    from tests.people.calls import add_calls
    _two_new_agents(db, world)
    yesterday = today() - timedelta(days=1)
    add_calls(db, team="测试组", agent_id="T001", day=yesterday, n=20, resolved=15,
              satisfaction=4)
    add_calls(db, team="测试组", agent_id="T002", day=yesterday, n=30, resolved=12,
              satisfaction=3)
    rows = {(r.stage, r.queue): r for r in stages.stage_quality(db, actor=world["manager"])}
    assert rows[(Stage.NEW, None)].fcr == pytest.approx(0.54)
    assert rows[(Stage.NEW, world.queues["A"].name)].fcr == pytest.approx(0.75)
    stages.set_stage_rule(db, actor=world["manager"], stage=Stage.GROWING, data=StageRuleData(
        min_tenure_months=1, min_fcr=0.6, min_satisfaction=4.0))
    found = {e.agent.agent_id: e for e in stages.evaluate_stages(db, actor=world["manager"])}
    assert found["T001"].ready
    assert not found["T002"].ready
    assert {c.kind: c.actual for c in found["T002"].checks}["fcr"] == pytest.approx(0.40)
