"""The points ledger, the points table, honours and the leaderboard."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from seci.audit.models import AuditEvent
from seci.core.errors import FieldErrors, InvalidInput, PermissionDenied
from seci.tacit import honours, incentives
from seci.tacit.errors import PointRuleNotFound, SelfAward
from seci.tacit.models import PointEntry
from tests.factories import World


def test_award_points_is_idempotent_per_user_reason_and_source(db: Session, world: World
                                                               ) -> None:
    first = incentives.award_points(db, user_id=world["agent"].id,
                                    reason_code="suggestion_adopted", source_type="suggestion",
                                    source_id=7, actor=world["manager"])
    again = incentives.award_points(db, user_id=world["agent"].id,
                                    reason_code="suggestion_adopted", source_type="suggestion",
                                    source_id=7, actor=world["reviewer"], points=99)
    assert first is not None
    assert again is first
    assert first.points == 10  # from the table
    assert db.scalars(select(PointEntry)).all() == [first]
    assert db.scalar(select(AuditEvent.action).where(AuditEvent.entity_type == "suggestion")
                     ) == "points.award"


def test_nobody_awards_themselves(db: Session, world: World) -> None:
    with pytest.raises(SelfAward):
        incentives.award_points(db, user_id=world["reviewer"].id,
                                reason_code="contribution_adopted",
                                source_type="contribution", source_id=1,
                                actor=world["reviewer"])


def test_unknown_reasons_and_inactive_rules(db: Session, world: World) -> None:
    with pytest.raises(PointRuleNotFound):
        incentives.award_points(db, user_id=world["agent"].id, reason_code="nonsense",
                                source_type="x", source_id=1, actor=world["manager"])
    incentives.set_rule(db, code="suggestion_adopted", points=10, active=False,
                        description="", actor=world["manager"])
    assert incentives.award_points(db, user_id=world["agent"].id,
                                   reason_code="suggestion_adopted", source_type="suggestion",
                                   source_id=1, actor=world["manager"]) is None


def test_the_points_table_is_configurable_by_managers_only(db: Session, world: World) -> None:
    rule = incentives.set_rule(db, code="contribution_promoted", points=25, active=True,
                               description="推广", actor=world["manager"])
    assert rule.points == 25
    incentives.set_rule(db, code="sharing_session_talk", points=8, active=True,
                        description="经验分享会主讲", actor=world["admin"])
    assert "sharing_session_talk" in {r.code for r in incentives.list_rules(db)}
    with pytest.raises(PermissionDenied):
        incentives.set_rule(db, code="contribution_promoted", points=1000, active=True,
                            description="", actor=world["reviewer"])
    with pytest.raises(FieldErrors):
        incentives.set_rule(db, code="Bad Code!", points=-1, active=True, description="",
                            actor=world["manager"])


def _award(db: Session, world: World, user: str, points: int, source_id: int,
           at: datetime) -> None:
    entry = incentives.award_points(db, user_id=world[user].id, reason_code="suggestion_adopted",
                                    source_type="test", source_id=source_id, points=points,
                                    actor=world["manager"])
    assert entry is not None
    entry.awarded_at = at


def test_leaderboard_per_period_and_team_with_shared_ranks(db: Session, world: World) -> None:
    world["agent"].team = "A组"
    world["agent_data"].team = "B组"
    world["editor"].team = "A组"
    _award(db, world, "agent", 30, 1, datetime(2026, 11, 3))
    _award(db, world, "agent_data", 30, 2, datetime(2026, 11, 20))
    _award(db, world, "editor", 10, 3, datetime(2026, 11, 21))
    _award(db, world, "editor", 50, 4, datetime(2026, 10, 5))
    november = honours.leaderboard(db, period="2026-11")
    assert [(s.rank, s.name, s.points) for s in november] == [
        (1, "Agent", 30), (1, "Agent_Data", 30), (3, "Editor", 10)]
    assert [(s.name, s.points) for s in honours.leaderboard(db, period="2026-Q4")] == [
        ("Editor", 60), ("Agent", 30), ("Agent_Data", 30)]
    assert [(s.name, s.points) for s in honours.leaderboard(db, period="2026-11",
                                                            team="A组")] == [
        ("Agent", 30), ("Editor", 10)]
    assert [(s.name, s.points) for s in honours.leaderboard(db, period="2026-11",
                                                            by_team=True)] == [
        ("A组", 40), ("B组", 30)]


def test_periods_are_local_calendar_months(db: Session) -> None:
    # Asia/Shanghai is UTC+8: November starts at 16:00 UTC on 31 October.
    assert honours.period_bounds("2026-11") == (datetime(2026, 10, 31, 16),
                                                datetime(2026, 11, 30, 16))
    assert honours.period_bounds("2026-Q4")[1] == datetime(2026, 12, 31, 16)
    assert honours.period_bounds("all") == (None, None)
    with pytest.raises(InvalidInput):
        honours.period_bounds("2026-13")


def test_honours_need_a_citation_and_no_self_award(db: Session, world: World) -> None:
    honour = honours.award_honour(db, actor=world["manager"], data=honours.HonourInput(
        kind="red_flag", title="流动红旗", citation="本月一次解决率全中心第一", team="A组",
        period="2026-11"))
    assert [entry.honour for entry in honours.honour_wall(db)] == [honour]
    with pytest.raises(FieldErrors):
        honours.award_honour(db, actor=world["manager"], data=honours.HonourInput(
            kind="title", title="移动工匠", citation=" ", user_id=world["manager"].id))
    with pytest.raises(PermissionDenied):
        honours.award_honour(db, actor=world["supervisor"], data=honours.HonourInput(
            kind="benchmark", title="标杆员工", citation="x", user_id=world["agent"].id))
