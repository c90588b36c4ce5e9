"""Who may act on certification requirements, certifications and growth stages, checked by
the services."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy.orm import Session

from seci.core.clock import today
from seci.core.errors import NotFound
from seci.people import certification, stages
from seci.people.certification import RequirementData
from seci.people.stages import StageRuleData
from seci.roster.models import Stage
from tests.authorization import Case, allowances, check_allowed, check_refused, refusals
from tests.factories import World
from tests.people.cert_helpers import certify, exam_with_bank, require_exam
from tests.people.helpers import TEAM, make_team


def _team(db: Session, world: World) -> Any:
    return make_team(db, world)


def _required(db: Session, world: World) -> Any:
    make_team(db, world)
    require_exam(db, world, "B", exam_with_bank(db, world))
    return world.queues["B"].id


def _held(db: Session, world: World) -> Any:
    make_team(db, world)
    return certify(db, world["agent"], world.queues["B"].id, today() + timedelta(days=30))


def _new_agent(db: Session, world: World) -> Any:
    team = make_team(db, world)
    team.agents[1].stage = Stage.NEW
    db.flush()
    return team.agents[1]


CASES = [
    Case("set_requirement", lambda db, w, actor, _: certification.set_requirement(
        db, actor=actor, queue_id=w.queues["B"].id, data=RequirementData(min_stage="growing")),
        refused="trainer", allowed="manager"),
    Case("clear_requirement", lambda db, w, actor, queue_id: certification.clear_requirement(
        db, actor=actor, queue_id=queue_id), refused="supervisor", allowed="manager",
        setup=_required),
    Case("grant_when_met", lambda db, w, actor, queue_id: certification.grant_when_met(
        db, actor=actor, team=TEAM, queue_id=queue_id), refused="agent", allowed="supervisor",
        setup=_required),
    Case("grant_by_manager", lambda db, w, actor, queue_id: certification.grant_by_manager(
        db, actor=actor, user_id=w["agent"].id, queue_id=queue_id, reason="支援"),
        refused="trainer", allowed="manager", setup=_required),
    Case("revoke", lambda db, w, actor, cert: certification.revoke(
        db, actor=actor, certification_id=cert.id, reason="复核未通过"),
        refused="supervisor", allowed="manager", setup=_held),
    Case("set_stage_rule", lambda db, w, actor, _: stages.set_stage_rule(
        db, actor=actor, stage="growing", data=StageRuleData(min_tenure_months=3)),
        refused="trainer", allowed="manager"),
    Case("move_up", lambda db, w, actor, agent: stages.move_up(
        db, actor=actor, roster_agent_id=agent.id, reason="老员工转岗"),
        refused="agent", allowed="manager", setup=_new_agent),
]


@pytest.mark.parametrize(("case", "who"), refusals(CASES))
def test_refused(db: Session, world: World, case: Case, who: str) -> None:
    check_refused(db, world, case, who)


@pytest.mark.parametrize("case", allowances(CASES))
def test_allowed(db: Session, world: World, case: Case) -> None:
    check_allowed(db, world, case)


def test_a_team_lead_works_only_with_their_own_team(db: Session, world: World) -> None:
    queue_id = _required(db, world)
    world["supervisor"].team = "别的组"
    with pytest.raises(Exception) as refused:
        certification.grant_when_met(db, actor=world["supervisor"], team=TEAM,
                                     queue_id=queue_id)
    assert refused.value.__class__.__name__ == "PermissionDenied"
    with pytest.raises(NotFound):
        certification.evaluate(db, actor=world["supervisor"], user_id=world["agent"].id,
                               queue_id=queue_id)


def test_an_agent_sees_only_their_own_certifications(db: Session, world: World) -> None:
    held = _held(db, world)
    assert [c.id for c, _q in certification.own_certifications(db, actor=world["agent"])] == [
        held.id]
    assert certification.own_certifications(db, actor=world["agent_data"]) == []
